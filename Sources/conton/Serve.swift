import ArgumentParser
import ContonServer
import Foundation
import Logging
import ServiceLifecycle

/// `conton serve`: runs the server until SIGTERM/SIGINT, then drains gracefully.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the RPC API over TLS.")

    @Option(name: .customLong("data-dir"), help: "Data directory (env CONTON_DATA_DIR).")
    var dataDir: String?
    @Option(help: "HOST:PORT to listen on (env CONTON_LISTEN).")
    var listen: String?
    @Option(help: "Server certificate chain, PEM (env CONTON_CERT).")
    var cert: String?
    @Option(help: "Server private key, PEM (env CONTON_KEY).")
    var key: String?
    @Option(name: .customLong("client-ca"), help: "CA for client certificates, PEM (env CONTON_CLIENT_CA).")
    var clientCA: String?
    @Flag(name: .customLong("enable-test-service"), help: "Serve conton.testing.v1.TestService (env CONTON_ENABLE_TEST_SERVICE=1).")
    var enableTestService = false
    @Flag(name: .customLong("allow-tls12"), help: "Accept TLS 1.2 with ECDHE+AEAD besides TLS 1.3 (env CONTON_ALLOW_TLS12=1).")
    var allowTLS12 = false

    func configuration() throws -> ServerConfiguration {
        let env = ProcessInfo.processInfo.environment
        func flag(_ name: String) -> Bool { ["1", "true", "yes"].contains(env[name]?.lowercased() ?? "") }
        var config = ServerConfiguration()
        config.dataDirectory = dataDir ?? env["CONTON_DATA_DIR"] ?? config.dataDirectory
        if let listen = listen ?? env["CONTON_LISTEN"] {
            guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]) else {
                throw ValidationError("--listen takes HOST:PORT, got '\(listen)'")
            }
            config.host = String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            config.port = port
        }
        config.certificatePath = cert ?? env["CONTON_CERT"]
        config.keyPath = key ?? env["CONTON_KEY"]
        if (config.certificatePath == nil) != (config.keyPath == nil) {
            throw ValidationError("--cert and --key go together")
        }
        config.clientCAPath = clientCA ?? env["CONTON_CLIENT_CA"]
        config.enableTestService = enableTestService || flag("CONTON_ENABLE_TEST_SERVICE")
        config.allowTLS12 = allowTLS12 || flag("CONTON_ALLOW_TLS12")
        return config
    }

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let logger = Logger(label: "conton")
        let server = try ContonServer(configuration: try configuration(), logger: logger)
        if let ca = server.developmentCAPath {
            print("development CA: \(ca)  (clients trust it with --cacert)")
        }
        let group = ServiceGroup(services: [ServerService(server: server)],
                                 gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}

/// Runs the server as a swift-service-lifecycle service: prints the ready line, and turns the
/// group's graceful shutdown into the server's.
struct ServerService: Service {
    let server: ContonServer

    func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await withGracefulShutdownHandler {
                    try await server.run()
                } onGracefulShutdown: {
                    server.beginGracefulShutdown()
                }
            }
            group.addTask {
                let address = try await server.listeningAddress
                let host = address.ipAddress.map { $0.contains(":") ? "[\($0)]" : $0 } ?? "?"
                print("listening on \(host):\(address.port ?? 0)")
                fflush(nil)
            }
            try await group.waitForAll()
        }
    }
}
