import ContonIdentity
import Foundation
import ContonKit
import ContonMail
import ContonStore
import ContonTLS
import ContonTransport
import GRPCCore
import Logging
import NIOCore
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// The server: TLS setup, the transport, the built-in services, GRPCCore's server.
///
/// `run()` serves until the task is cancelled or `beginGracefulShutdown()` is called; on
/// shutdown it stops accepting, sends GOAWAY, and lets in-flight calls finish within the grace
/// period.
public final class ContonServer: Sendable {
    public let configuration: ServerConfiguration
    public let transport: ContonServerTransport
    public let health: HealthService
    private let server: GRPCServer<ContonServerTransport>
    private let logger: Logger
    /// The feature plugins, migrated and registered.
    public let host: PluginHost
    /// Every method's access policy (plugins' and the built-in services').
    public let policies: [MethodDescriptor: AccessPolicy]
    /// The CA clients should trust, when the development certificate is in use.
    public let developmentCAPath: String?
    /// Delivers queued mail (SMTP, or `.eml` files when no SMTP server is configured).
    public let mailWorker: MailDeliveryWorker

    /// - Parameter plugins: the feature plugins (the composition root lists them explicitly). The
    ///   identity plugin is added unless the list has one (to share its settings with others).
    public init(configuration: ServerConfiguration, plugins: [any Plugin] = [], logger: Logger = Logger(label: "conton")) throws {
        self.configuration = configuration
        self.logger = logger
        mkdir(configuration.dataDirectory, 0o700)
        let (tls, developmentCA) = try Self.makeTLS(configuration, logger: logger)
        self.developmentCAPath = developmentCA
        self.transport = ContonServerTransport(host: configuration.host, port: configuration.port, tls: tls,
                                               limits: configuration.limits, logger: logger)
        let database = try ContonDatabase(dataDirectory: configuration.dataDirectory)
        self.host = try Self.makeHost(configuration, plugins: plugins, database: database, logger: logger)
        self.mailWorker = try Self.makeMailWorker(configuration, database: database, logger: logger)
        self.host.mailer.attach { [mailWorker] in mailWorker.wake() }
        var router = RPCRouter<ContonServerTransport>()
        let (policies, health) = try Self.registerServices(configuration, host: self.host, on: &router)
        self.policies = policies
        self.health = health
        let authenticator = Authenticator(database: database, clock: configuration.clock, settings: configuration.identity)
        router.registerInterceptors(pipeline: [
            .apply(CallLogInterceptor(logger: logger), to: .all),
            .apply(AuthorizationInterceptor(policies: policies, authenticator: authenticator), to: .all),
        ])
        self.server = GRPCServer(transport: self.transport, router: router)
    }

    // MARK: start-up steps

    /// The configured certificate, or the development one (generated on first use, renewed when
    /// fewer than 30 days remain); returns the TLS context and the development CA's path.
    private static func makeTLS(_ configuration: ServerConfiguration, logger: Logger) throws -> (SSLContext, String?) {
        var certificate = configuration.certificatePath, key = configuration.keyPath
        var developmentCA: String?
        if certificate == nil && key == nil {
            let dev = configuration.developmentCertificates
            switch try dev.ensure() {
            case .generated:
                logger.info("generated a development CA and server certificate", metadata: ["dir": "\(configuration.dataDirectory)/tls"])
            case .renewedServerCertificate:
                logger.notice("renewed the development server certificate (fewer than \(DevelopmentCertificates.renewalDays) days left)",
                              metadata: ["dir": "\(configuration.dataDirectory)/tls"])
            case .unchanged:
                break
            }
            certificate = dev.serverCertificatePath
            key = dev.serverKeyPath
            developmentCA = dev.caCertificatePath
        }
        guard let certificate, let key else {
            throw TLSError.configuration("--cert and --key go together")
        }
        let tls = try SSLContext(server: TLSServerConfiguration(
            certificateChainPath: certificate, privateKeyPath: key,
            minimumVersion: configuration.allowTLS12 ? .tls12 : .tls13,
            clientCAPath: configuration.clientCAPath, requireClientCertificate: false))
        return (tls, developmentCA)
    }

    /// The plugin host over every plugin (identity added unless listed), migrated.
    private static func makeHost(_ configuration: ServerConfiguration, plugins: [any Plugin], database: ContonDatabase,
                                 logger: Logger) throws -> PluginHost {
        let identity: [any Plugin] = plugins.contains(where: { $0 is IdentityPlugin }) ? [] : [IdentityPlugin(settings: configuration.identity)]
        let host = try PluginHost(plugins: identity + plugins, database: database, clock: configuration.clock, logger: logger)
        try host.migrate()
        return host
    }

    /// The mail worker over the outbox: SMTP when configured, `.eml` files otherwise.
    private static func makeMailWorker(_ configuration: ServerConfiguration, database: ContonDatabase, logger: Logger) throws -> MailDeliveryWorker {
        let smtpURL = configuration.smtpURL.flatMap { $0.isEmpty ? nil : $0 }
        let mailTransport = try MailTransportFactory.transport(smtpURL: smtpURL, dataDirectory: configuration.dataDirectory, logger: logger)
        let clock = configuration.clock
        return MailDeliveryWorker(database: database, transport: mailTransport, from: try Self.sender(configuration.mailFrom),
                                  now: { clock.nowMilliseconds }, logger: logger)
    }

    /// Every service on `router` — the test service (when enabled), every plugin's, health and
    /// reflection — and every method's policy (from its proto; one without stops the start).
    private static func registerServices(_ configuration: ServerConfiguration, host: PluginHost,
                                         on router: inout RPCRouter<ContonServerTransport>) throws -> ([MethodDescriptor: AccessPolicy], HealthService) {
        if configuration.enableTestService { TestService().registerMethods(with: &router) }
        var policies = try host.registerServices(on: &router)
        // Health and reflection describe everything, themselves included.
        let healthNames = ["conton.health.v1.Health", "conton.reflection.v1.Reflection"]
            + Set(router.methods.map(\.service.fullyQualifiedService)).sorted()
        let health = HealthService(services: healthNames)
        health.registerMethods(with: &router)
        var all = router.methods
        var reflectionRouter = RPCRouter<ContonServerTransport>()
        ReflectionService(methods: []).registerMethods(with: &reflectionRouter)
        all += reflectionRouter.methods
        // The server's own services declare their rules in their protos like every plugin's.
        for method in all where policies[method] == nil {
            guard let policy = try AccessPolicy.declared(for: method.fullyQualifiedMethod) else {
                throw PluginHostError.missingPolicy(method: method.fullyQualifiedMethod, plugin: "the server")
            }
            policies[method] = policy
        }
        ReflectionService(methods: all, policies: policies).registerMethods(with: &router)
        return (policies, health)
    }

    /// Serves until cancelled or shut down: runs the plugins' start hooks, then one
    /// swift-service-lifecycle `ServiceGroup` of event delivery, every plugin's background
    /// services, the mail worker and the RPC server. When the server stops (graceful shutdown:
    /// GOAWAY, calls drain), the group shuts the rest down in reverse order; then the database is
    /// closed.
    public func run() async throws {
        try await self.host.start()
        var services = self.host.backgroundServices.map {
            ServiceGroupConfiguration.ServiceConfiguration(service: $0, successTerminationBehavior: .ignore)
        }
        services.append(.init(service: MailDeliveryService(worker: self.mailWorker), successTerminationBehavior: .ignore))
        services.append(.init(service: RPCServerService(server: self.server),
                              successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup))
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: services, logger: self.logger))
        let outcome: Result<Void, any Error>
        do {
            try await group.run()
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        try self.host.database.close()
        try outcome.get()
    }

    /// `Name <address>` or a bare address.
    static func sender(_ text: String) throws -> MailAddress {
        if let open = text.lastIndex(of: "<"), text.hasSuffix(">") {
            let name = text[..<open].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            return try MailAddress(String(text[text.index(after: open)..<text.index(before: text.endIndex)]), name: name.isEmpty ? nil : name)
        }
        return try MailAddress(text)
    }

    /// Creates the first owner on a data directory without staff users (see
    /// ``ServerConfiguration/ownerEmail``); returns the credentials to show once, or nil.
    public func bootstrapOwner() async throws -> OwnerBootstrap.Credentials? {
        try await OwnerBootstrap.ensureOwner(database: host.database, email: configuration.ownerEmail, password: configuration.ownerPassword,
                                             hasher: configuration.identity.hasher, now: configuration.clock.nowMilliseconds)
    }

    /// The bound address, once listening.
    public var listeningAddress: SocketAddress {
        get async throws { try await self.transport.listeningAddress }
    }

    /// Stops accepting, GOAWAY to every connection, lets in-flight calls finish.
    public func beginGracefulShutdown() {
        self.health.markAllNotServing()
        self.server.beginGracefulShutdown()
    }
}

/// The RPC server as a service: serves until its graceful shutdown (GOAWAY, in-flight calls
/// drain) or the group's.
struct RPCServerService: Service {
    let server: GRPCServer<ContonServerTransport>

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await server.serve()
        } onGracefulShutdown: {
            server.beginGracefulShutdown()
        }
    }
}

/// The mail worker as a service: delivers the outbox until the group shuts down (a delivery in
/// progress finishes; the rest goes out at the next start).
struct MailDeliveryService: Service {
    let worker: MailDeliveryWorker

    func run() async throws {
        try await cancelWhenGracefulShutdown { await worker.run() }
    }
}

