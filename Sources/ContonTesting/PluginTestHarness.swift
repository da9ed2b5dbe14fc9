import ContonAPI
import ContonIdentity
import ContonKit
import ContonServer
import ContonTLS
import ContonTransport
import Foundation
import GRPCCore
import Synchronization

/// A real server for a plugin's tests: TLS on loopback, the transport, the plugin host and a
/// SQLite file in a fresh temporary data directory, and a GRPCCore client connected to it.
public struct TestServer: Sendable {
    public let server: ContonServer
    public let client: GRPCClient<ContonClientTransport>
    public let dataDirectory: String

    /// The owner account every test server starts with.
    public static let ownerEmail = "owner@example.com"
    public static let ownerPassword = "correct horse 42"

    /// Signs in and returns the session token.
    public func login(_ email: String = TestServer.ownerEmail, _ password: String = TestServer.ownerPassword) async throws -> String {
        var request = Conton_Identity_V1_LoginRequest()
        request.email = email
        request.password = password
        return try await Conton_Identity_V1_Identity.Client(wrapping: client).login(request).token
    }

    /// `authorization: Bearer <token>` metadata for a call.
    public static func bearer(_ token: String) -> Metadata {
        ["authorization": "Bearer \(token)"]
    }

    /// The activation or reset codes mailed so far to `email`, oldest first, read from the `.eml`
    /// files (waits up to `timeout` for `atLeast` of them).
    public func mailedCodes(to email: String, atLeast: Int = 1, timeout: Duration = .seconds(60)) async throws -> [String] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let codes = outboxFiles().compactMap { path -> String? in
                guard let text = try? String(contentsOfFile: path, encoding: .utf8), text.contains("<\(email)>") else { return nil }
                let unfolded = text.replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "=\n", with: "")
                return unfolded.firstMatch(of: /[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/).map { String($0.output) }
            }
            if codes.count >= atLeast || ContinuousClock.now > deadline { return codes }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Creates an activated client portal login for `clientID` (through the identity plugin's
    /// client-login API and the mailed activation code) and signs it in; returns its token.
    public func clientLogin(clientID: String, email: String, password: String = "portal password 1") async throws -> String {
        guard let identity = server.host.plugins.first(where: { $0.id == "identity" }) as? IdentityPlugin else {
            throw RPCError(code: .internalError, message: "no identity plugin")
        }
        let context = server.host.context(for: identity)
        let logins = identity.clientLogins
        _ = try await context.write { m in try logins.create(clientID: clientID, email: email, name: "Cliente \(clientID)", in: &m) }
        guard let code = try await mailedCodes(to: email).last else {
            throw RPCError(code: .internalError, message: "no activation e-mail for \(email)")
        }
        var activate = Conton_Identity_V1_ActivateAccountRequest()
        activate.code = code
        activate.newPassword = password
        _ = try await Conton_Identity_V1_Identity.Client(wrapping: client).activateAccount(activate)
        return try await login(email, password)
    }

    /// The `.eml` files the server wrote (no SMTP server configured), oldest first.
    public func outboxFiles() -> [String] {
        let dir = dataDirectory + "/outbox"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { $0.hasSuffix(".eml") }.sorted().map { dir + "/" + $0 }
    }
}

/// A clock tests move by hand.
public final class TestClock: Clock {
    private let now: Mutex<Int64>

    public init(_ start: Int64 = 1_790_000_000_000) { now = Mutex(start) }

    public var nowMilliseconds: Int64 { now.withLock { $0 } }

    public func advance(milliseconds: Int64) { now.withLock { $0 += milliseconds } }
}

/// Runs `body` against a real `ContonServer` with `plugins`, then shuts both sides down and
/// removes the data directory.
///
/// ```swift
/// try await withTestServer(plugins: [NotesPlugin()]) { test in
///     let notes = Conton_Example_V1_Notes.Client(wrapping: test.client)
///     _ = try await notes.createNote(…)
/// }
/// ```
public func withTestServer<Result: Sendable>(
    plugins: [any Plugin],
    configure: (inout ServerConfiguration) -> Void = { _ in },
    _ body: (TestServer) async throws -> Result
) async throws -> Result {
    var configuration = ServerConfiguration()
    configuration.dataDirectory = NSTemporaryDirectory() + "conton-test-" + UUID().uuidString
    configuration.port = 0
    configuration.ownerEmail = TestServer.ownerEmail
    configuration.ownerPassword = TestServer.ownerPassword
    configure(&configuration)
    defer { try? FileManager.default.removeItem(atPath: configuration.dataDirectory) }
    let server = try ContonServer(configuration: configuration, plugins: plugins)
    _ = try await server.bootstrapOwner()
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.run() }
        let port = try await server.listeningAddress.port!
        let tls = try SSLContext(client: TLSClientConfiguration(trustRootsPath: server.developmentCAPath ?? configuration.developmentCertificates.caCertificatePath))
        let client = GRPCClient(transport: ContonClientTransport(host: "127.0.0.1", port: port, tls: tls, serverHostname: "localhost"))
        let bodyDone = Mutex(false)
        group.addTask {
            do {
                try await client.runConnections()
            } catch where bodyDone.withLock({ $0 }) {
                // The body finished (and the server stopped) before the client got to connect.
            }
        }
        let outcome: Swift.Result<Result, any Error>
        do {
            outcome = .success(try await body(TestServer(server: server, client: client, dataDirectory: configuration.dataDirectory)))
        } catch {
            outcome = .failure(error)
        }
        bodyDone.withLock { $0 = true }
        client.beginGracefulShutdown()
        server.beginGracefulShutdown()
        try await group.waitForAll()
        return try outcome.get()
    }
}
