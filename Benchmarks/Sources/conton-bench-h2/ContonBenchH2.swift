import ArgumentParser
import ContonBench
import ContonServer
import Dispatch
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2

/// `conton-bench-h2`: the same `TestService` and the same load generator as `conton bench`, over
/// grpc-swift's own HTTP/2 + TLS transport (grpc-swift-nio-transport, NIOSSL/BoringSSL), so its
/// figures sit next to ContOn's transport and GRPCCore's in-process one.
///
/// The server runs as a child process (this executable with `--serve-child`), so its CPU time
/// per call is read from /proc like `conton bench`'s. TLS: a throwaway EC P-256 CA and a server
/// certificate for `localhost`/`127.0.0.1`, made with the `openssl` CLI in a temporary folder —
/// the same kind of key as ContOn's development certificate.
@main
struct ContonBenchH2: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conton-bench-h2",
        abstract: "Load TestService over grpc-swift's HTTP/2 + TLS transport; same report as `conton bench`.")

    enum ModeChoice: String, ExpressibleByArgument, CaseIterable {
        case unary
        case serverStreaming = "server-streaming"

        var mode: LoadMode { self == .unary ? .unary : .serverStreaming }
    }

    enum Switch: String, ExpressibleByArgument, CaseIterable {
        case on, off
    }

    @Option(help: "unary or server-streaming.")
    var mode: ModeChoice = .unary
    @Option(help: "Connections (N).")
    var connections: Int = 1
    @Option(help: "Calls in flight per connection (M).")
    var concurrency: Int = 1
    @Option(help: "Payload bytes of each request and each response message (S).")
    var payload: Int = 64
    @Option(help: "Measured seconds (T).")
    var duration: Double = 10
    @Option(help: "Seconds of calls before the measured window (not recorded).")
    var warmup: Double = 2
    @Option(name: .customLong("stream-messages"), help: "Responses per call in server-streaming mode (K).")
    var streamMessages: Int = 100
    @Flag(help: "Run the standard scenarios of docs/BENCHMARKS.md instead of one shape.")
    var suite = false
    @Flag(help: "One JSON line per run on stdout; the table goes to stderr.")
    var json = false
    @Flag(help: "Print the table as Markdown.")
    var markdown = false
    @Option(help: "Transport label in the report.")
    var label: String = "grpc-h2"
    @Option(name: .customLong("flush-coalescing"), help: "grpc-swift-nio-transport's flush coalescing on both sides (its default: on).")
    var flushCoalescing: Switch = .on
    @Option(name: .customLong("server-log"), help: "Where the server child's stderr goes. Default: discarded.")
    var serverLog: String?

    @Flag(name: .customLong("serve-child"), help: .hidden)
    var serveChild = false
    @Option(help: .hidden)
    var cert: String?
    @Option(help: .hidden)
    var key: String?

    func run() async throws {
        if serveChild {
            try await serve()
            return
        }
        var stderr = StandardError()
        print("machine: \(MachineInfo.current().summary)", to: &stderr)
        let dir = NSTemporaryDirectory() + "conton-bench-h2-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let certs = try TestCertificates.make(in: dir)

        let server = try await ServerProcess.launch(
            executable: Self.executablePath(),
            arguments: ["--serve-child", "--cert", certs.serverCertificate, "--key", certs.serverKey,
                        "--flush-coalescing", flushCoalescing.rawValue],
            stderrPath: serverLog)
        print("server: grpc-swift HTTP2ServerTransport.Posix + TLS, pid \(server.pid), \(server.host):\(server.port)", to: &stderr)
        let results: [LoadResult]
        do {
            results = try await load(host: server.host, port: server.port, caPath: certs.ca, serverPID: server.pid)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
        let table = markdown ? BenchReport.markdown(results) : BenchReport.table(results)
        if json {
            print(table, to: &stderr)
        } else {
            print(table)
        }
        if results.contains(where: { $0.errorCount > 0 }) { throw ExitCode(1) }
    }

    var scenarios: [BenchScenario] {
        if suite { return BenchScenario.standardSuite(warmup: .seconds(warmup), duration: .seconds(duration)) }
        return [BenchScenario(name: "custom", options: LoadOptions(
            mode: mode.mode, connections: connections, concurrency: concurrency, payloadSize: payload,
            streamMessages: streamMessages, warmup: .seconds(warmup), duration: .seconds(duration)))]
    }

    var coalescing: HTTP2ClientTransport.Config.Connection.FlushCoalescing? {
        flushCoalescing == .on ? .defaults : nil
    }

    func load(host: String, port: Int, caPath: String, serverPID: Int32) async throws -> [LoadResult] {
        var stderr = StandardError()
        var results: [LoadResult] = []
        let coalescing = self.coalescing
        for scenario in scenarios {
            let options = scenario.options
            print("running \(label) \(options.mode.rawValue) \(options.connections)×\(options.concurrency) \(options.payloadSize) B "
                  + "for \(warmup) s + \(duration) s …", to: &stderr)
            let loadBefore = MachineInfo.loadAverage()
            let busy = MachineInfo.busyCompilerProcesses()
            let transports = try (0..<options.connections).map { _ in
                try HTTP2ClientTransport.Posix(
                    target: .ipv4(address: host, port: port),
                    transportSecurity: .tls { tls in
                        tls.trustRoots = .certificates([.file(path: caPath, format: .pem)])
                    },
                    config: .defaults { config in
                        config.http2.authority = "localhost"
                        config.connection.flushCoalescing = coalescing
                    })
            }
            var result = try await withClients(transports) { clients in
                try await LoadGenerator(options: options).run(
                    clients: clients, transport: label,
                    meters: [.currentProcess(scope: .client), .process(serverPID, scope: .server)])
            }
            result.notes["scenario"] = scenario.name
            result.notes["server"] = "grpc-swift-nio-transport HTTP/2 + TLS (child process), flush coalescing \(flushCoalescing.rawValue)"
            result.notes["load_1m_before"] = loadBefore.map { String(format: "%.2f", $0) }
            result.notes["load_1m_after"] = MachineInfo.loadAverage().map { String(format: "%.2f", $0) }
            result.notes["compiler_processes"] = "\(busy)"
            if json {
                print(BenchReport.jsonLine(result))
                fflush(nil)
            }
            results.append(result)
        }
        return results
    }

    /// The child: TestService over HTTP/2 + TLS on a free loopback port until SIGTERM.
    func serve() async throws {
        guard let cert, let key else { throw ValidationError("--serve-child needs --cert and --key") }
        let coalescing: HTTP2ServerTransport.Config.Connection.FlushCoalescing? = flushCoalescing == .on ? .defaults : nil
        let transport = HTTP2ServerTransport.Posix(
            address: .ipv4(host: "127.0.0.1", port: 0),
            transportSecurity: .tls(certificateChain: [.file(path: cert, format: .pem)], privateKey: .file(path: key, format: .pem)),
            config: .defaults { $0.connection.flushCoalescing = coalescing })
        let server = GRPCServer(transport: transport, services: [TestService()])
        signal(SIGTERM, SIG_IGN)
        let sigterm = DispatchSource.makeSignalSource(signal: SIGTERM, queue: .global())
        sigterm.setEventHandler { server.beginGracefulShutdown() }
        sigterm.resume()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve() }
            let address = try await transport.listeningAddress
            guard let ipv4 = address.ipv4 else { throw ValidationError("not listening on IPv4: \(address)") }
            print("\(ServerProcess.readyPrefix)\(ipv4.host):\(ipv4.port)")
            fflush(nil)
            try await group.waitForAll()
        }
        sigterm.cancel()
    }

    /// This executable's path (to spawn the child from).
    static func executablePath() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return CommandLine.arguments[0] }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// stderr as a `TextOutputStream`.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) { FileHandle.standardError.write(Data(string.utf8)) }
}
