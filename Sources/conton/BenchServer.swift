import ContonAPI
import ContonBench
import ContonTLS
import ContonTransport
import Foundation
import GRPCCore
import Histogram

/// The fresh server the plugin benchmarks (`bench-clients`, `bench-fees`) run against: a
/// `conton serve` child process on a temporary data directory, signed in as its owner.
enum BenchServer {
    static let owner = (email: "bench@example.com", password: "bench password 1")

    /// Starts the server, signs in, runs `body` with the client and the owner's bearer metadata,
    /// then stops the server and removes its data directory.
    static func withSignedInServer<R: Sendable>(
        name: String, serverLog: String?,
        _ body: (GRPCClient<ContonClientTransport>, Metadata) async throws -> R
    ) async throws -> R {
        try await withSignedInServer(name: name, serverLog: serverLog) { client, metadata, _ in try await body(client, metadata) }
    }

    /// As ``withSignedInServer(name:serverLog:_:)``, also passing the server's data directory (for
    /// reference queries on its database file).
    static func withSignedInServer<R: Sendable>(
        name: String, serverLog: String?,
        _ body: (GRPCClient<ContonClientTransport>, Metadata, String) async throws -> R
    ) async throws -> R {
        try await withSignedInServer(name: name, serverLog: serverLog) { client, metadata, dataDir, _ in try await body(client, metadata, dataDir) }
    }

    /// As ``withSignedInServer(name:serverLog:_:)``, also passing the server's data directory and
    /// its process (for its memory in `/proc/<pid>/status`).
    static func withSignedInServer<R: Sendable>(
        name: String, serverLog: String?,
        _ body: (GRPCClient<ContonClientTransport>, Metadata, String, ServerProcess) async throws -> R
    ) async throws -> R {
        setenv("CONTON_OWNER_EMAIL", owner.email, 1)
        setenv("CONTON_OWNER_PASSWORD", owner.password, 1)
        let dataDir = NSTemporaryDirectory() + "conton-bench-\(name)-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let server = try await ServerProcess.launch(
            executable: Bench.executablePath(), arguments: ["serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir],
            stderrPath: serverLog)
        do {
            let tls = try SSLContext(client: TLSClientConfiguration(trustRootsPath: DevelopmentCertificates(directory: dataDir + "/tls").caCertificatePath))
            let transport = ContonClientTransport(host: server.host, port: server.port, tls: tls, serverHostname: "localhost")
            let result = try await withClients([transport]) { grpc in
                var login = Conton_Identity_V1_LoginRequest()
                login.email = owner.email
                login.password = owner.password
                let token = try await Conton_Identity_V1_Identity.Client(wrapping: grpc[0]).login(login).token
                var metadata = Metadata()
                metadata.addString("Bearer " + token, forKey: "authorization")
                return try await body(grpc[0], metadata, dataDir, server)
            }
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    /// A row of the latency tables: name, matches (omitted when negative), p50/p90/p99/max in ms.
    static func row(_ query: String, _ matches: Int64, _ h: Histogram<UInt64>, width: Int = 12) -> String {
        func ms(_ p: Double) -> String { String(format: "%8.2f", Double(h.valueAtPercentile(p)) / 1e6) }
        let name = query.padding(toLength: max(width, query.count), withPad: " ", startingAt: 0)
        let count = matches < 0 ? "" : String(matches)
        return "\(name) \(String(repeating: " ", count: max(0, 9 - count.count)))\(count) \(ms(50)) \(ms(90)) \(ms(99)) \(String(format: "%8.2f", Double(h.max) / 1e6))"
    }

    /// Runs `body` `rounds` times, one after another; each run's latency, in nanoseconds.
    static func latencies(rounds: Int, _ body: () async throws -> Void) async throws -> Histogram<UInt64> {
        var histogram = histogram()
        for _ in 0..<rounds {
            let started = ContinuousClock.now
            try await body()
            _ = histogram.record(UInt64((ContinuousClock.now - started) / .nanoseconds(1)))
        }
        return histogram
    }

    /// An empty latency histogram in nanoseconds (up to a minute, 3 significant digits).
    static func histogram() -> Histogram<UInt64> {
        Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
    }
}
