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
    configure(&configuration)
    defer { try? FileManager.default.removeItem(atPath: configuration.dataDirectory) }
    let server = try ContonServer(configuration: configuration, plugins: plugins)
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
