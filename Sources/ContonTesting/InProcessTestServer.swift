import ContonAPI
import ContonIdentity
import ContonKit
import ContonServer
import ContonStore
import Foundation
import GRPCCore
import GRPCInProcessTransport
import Logging
import ServiceLifecycle

/// A caller a test names instead of signing in: no scrypt, no session, no TLS.
public enum TestPrincipal: Sendable, Hashable {
    case anonymous
    case staff(role: StaffRole = .staff)
    case owner
    case client(String)
    case service(scopes: [String])

    /// The `authorization` value the in-process harness reads: `Test <kind> …`.
    var token: String {
        switch self {
        case .anonymous: ""
        case .staff(let role): "Test staff \(role.rawValue)"
        case .owner: "Test staff owner"
        case .client(let id): "Test client \(id)"
        case .service(let scopes): "Test service \(scopes.joined(separator: ","))"
        }
    }

    /// The e-mail the principal carries (what a handler records as `uploaded_by` and the like);
    /// nil for anonymous and service callers.
    public var email: String? {
        switch TestPrincipal.parse(token) {
        case .staff(let staff)?: staff.email
        case .client(let client)?: client.email
        default: nil
        }
    }

    /// The principal it stands for.
    static func parse(_ authorization: String) -> Principal? {
        let words = authorization.split(separator: " ").map(String.init)
        guard words.count >= 2, words[0] == "Test" else { return nil }
        switch words[1] {
        case "staff":
            guard words.count == 3, let role = StaffRole(rawValue: words[2]) else { return nil }
            return .staff(StaffIdentity(userID: "test-\(role.rawValue)", email: "\(role.rawValue)@test.example", name: "Test \(role.rawValue)", role: role))
        case "client":
            guard words.count == 3 else { return nil }
            return .client(ClientIdentity(userID: "test-client-\(words[2])", email: "\(words[2])@client.example", name: "Cliente \(words[2])", clientID: words[2]))
        case "service":
            let scopes = words.count == 3 ? Set(words[2].split(separator: ",").map(String.init)) : []
            return .service(ServiceIdentity(accountID: "test-service", name: "test service", scopes: scopes))
        default:
            return nil
        }
    }
}

/// Reads `authorization: Test …` (see ``TestPrincipal``); anything else is UNAUTHENTICATED.
struct TestCallerResolver: CallerResolver {
    func resolve(authorization: String?, transport: Principal) async throws(RPCError) -> Authenticator.Result {
        guard let authorization else { return Authenticator.Result(principal: transport) }
        guard let principal = TestPrincipal.parse(authorization) else {
            throw RPCError(code: .unauthenticated, message: "not a test principal: \(authorization)")
        }
        return Authenticator.Result(principal: principal)
    }
}

/// The transport of ``InProcessTestServer/client``, for a test's typed stubs
/// (`Conton_Clients_V1_Clients.Client<InProcessTestTransport>`) without importing
/// GRPCInProcessTransport.
public typealias InProcessTestTransport = InProcessTransport.Client

/// A plugin's fast test server: the plugin host with its real SQLite file (migrated, in a fresh
/// temporary directory), the same interceptors as the real server (call log, access policies
/// from the protos, office-internal fields cleared for clients), the plugins' start hooks and
/// background services (event delivery included), and GRPCCore's in-process transport instead of
/// TLS. Callers are named per call (``as(_:)``), not signed in. E-mails stay in the outbox table.
/// What needs the wire, TLS, sessions or mail delivery is tested with ``withTestServer``.
public struct InProcessTestServer: Sendable {
    public let host: PluginHost
    public let client: GRPCClient<InProcessTransport.Client>
    public let dataDirectory: String
    /// Every served method's policy.
    public let policies: [MethodDescriptor: AccessPolicy]

    /// Call metadata naming the caller.
    public static func `as`(_ principal: TestPrincipal) -> Metadata {
        var metadata = Metadata()
        if principal != .anonymous { metadata.addString(principal.token, forKey: "authorization") }
        return metadata
    }

    /// A plugin's context, to read or write its rows directly.
    public func context(for pluginID: String) -> PluginContext? {
        host.plugins.first { $0.id == pluginID }.map(host.context(for:))
    }
}

/// Runs `body` against an ``InProcessTestServer`` with `plugins` (and the identity plugin), then
/// stops it and removes its data directory.
public func withInProcessTestServer<Result: Sendable>(
    plugins: [any Plugin],
    clock: any Clock = SystemClock(),
    _ body: (InProcessTestServer) async throws -> Result
) async throws -> Result {
    let directory = NSTemporaryDirectory() + "conton-inprocess-" + UUID().uuidString
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let database = try ContonDatabase(dataDirectory: directory)
    let host = try PluginHost(plugins: [IdentityPlugin()] + plugins, database: database, clock: clock, logger: Logger(label: "conton.test"))
    try host.migrate()
    var router = RPCRouter<InProcessTransport.Server>()
    var policies = try host.registerServices(on: &router)
    for method in router.methods where policies[method] == nil {
        policies[method] = try AccessPolicy.declared(for: method.fullyQualifiedMethod)
    }
    router.registerInterceptors(pipeline: [
        .apply(CallLogInterceptor(logger: Logger(label: "conton.test")), to: .all),
        .apply(AuthorizationInterceptor(policies: policies, authenticator: TestCallerResolver()), to: .all),
    ])
    try await host.start()
    let transport = InProcessTransport()
    let server = GRPCServer(transport: transport.server, router: router)
    let client = GRPCClient(transport: transport.client)
    let background = ServiceGroup(services: host.backgroundServices, logger: Logger(label: "conton.test"))
    let outcome: Swift.Result<Result, any Error> = await withTaskGroup(of: Void.self) { group in
        group.addTask { try? await server.serve() }
        group.addTask { try? await client.runConnections() }
        group.addTask { try? await background.run() }
        let outcome: Swift.Result<Result, any Error>
        do {
            outcome = .success(try await body(InProcessTestServer(host: host, client: client, dataDirectory: directory, policies: policies)))
        } catch {
            outcome = .failure(error)
        }
        client.beginGracefulShutdown()
        server.beginGracefulShutdown()
        await background.triggerGracefulShutdown()
        await group.waitForAll()
        return outcome
    }
    try database.close()
    return try outcome.get()
}
