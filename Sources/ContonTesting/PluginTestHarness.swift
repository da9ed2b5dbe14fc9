import ContonAPI
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
