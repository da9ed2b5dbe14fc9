import ArgumentParser
import ContonBench
import ContonServer
import ContonTLS
import ContonTransport
import Foundation
import GRPCCore
import GRPCInProcessTransport

/// `conton bench`: a closed-loop load generator against `conton.testing.v1.TestService`.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load TestService with N connections × M calls in flight; print calls/s, latency percentiles and CPU per call.",
        discussion: """
        Transports: `conton` spawns `conton serve --enable-test-service` as a child process on a free \
        loopback port (or loads --addr) and measures the child's CPU time per call from /proc; \
        `inprocess` serves the same TestService over GRPCCore's in-process transport in this process \
        (CPU is then client and server together). `all` runs both, one after the other. \
        --suite runs docs/BENCHMARKS.md's scenarios; --json prints one JSON line per run on stdout \
        (the table goes to stderr); --report FILE prints the table of such lines (also those of \
        Benchmarks/'s conton-bench-h2).
        """)

    enum TransportChoice: String, ExpressibleByArgument, CaseIterable {
        case conton, inprocess, all
    }

    enum ModeChoice: String, ExpressibleByArgument, CaseIterable {
        case unary
        case serverStreaming = "server-streaming"

        var mode: LoadMode { self == .unary ? .unary : .serverStreaming }
    }

    @Option(help: "conton, inprocess or all.")
    var transport: TransportChoice = .conton
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
    @Option(name: .customLong("report"), help: "Print the table of the JSON lines in FILE (repeatable); runs nothing.")
    var reportFiles: [String] = []

    @Option(help: "Load an external server at HOST:PORT instead of spawning one (conton transport).")
    var addr: String?
    @Option(help: "CA to trust for --addr, PEM. Default: ./.conton/tls/ca.pem, if present.")
    var cacert: String?
    @Option(help: "Bearer token sent with every call (env CONTON_TOKEN).")
    var token: String?
    @Option(name: .customLong("server-pid"), help: "Pid of the --addr server, to read its CPU time from /proc.")
    var serverPID: Int32?
    @Option(name: .customLong("server-log"), help: "Where the spawned server's stderr (its log) goes. Default: discarded.")
    var serverLog: String?
    @Option(name: .customLong("label"), help: "Transport label in the report (default: the transport's name).")
    var label: String?

    func validate() throws {
        if reportFiles.isEmpty {
            do {
                for scenario in scenarios() { try scenario.options.validate() }
            } catch {
                throw ValidationError("\(error)")
            }
            if addr != nil && transport != .conton { throw ValidationError("--addr loads a conton server: use --transport conton") }
            if serverPID != nil && addr == nil { throw ValidationError("--server-pid goes with --addr") }
        }
    }

    func run() async throws {
        var stderr = StandardError()
        if !reportFiles.isEmpty {
            var results: [LoadResult] = []
            for file in reportFiles {
                let text = try String(contentsOfFile: file, encoding: .utf8)
                do {
                    results += try BenchReport.decode(lines: text)
                } catch {
                    throw ValidationError("\(file): \(error)")
                }
            }
            results = BenchReport.groupedByScenario(results)
            print(markdown ? BenchReport.markdown(results) : BenchReport.table(results))
            return
        }

        let machine = MachineInfo.current()
        print("machine: \(machine.summary)", to: &stderr)
        var results: [LoadResult] = []
        let transports: [TransportChoice] = transport == .all ? [.conton, .inprocess] : [transport]
        for choice in transports {
            let runs = switch choice {
            case .inprocess: try await runInProcess()
            default: try await runConton()
            }
            results += runs
        }
        let table = markdown ? BenchReport.markdown(results) : BenchReport.table(results)
        if json {
            print(table, to: &stderr)
        } else {
            print(table)
        }
        if results.contains(where: { $0.errorCount > 0 }) { throw ExitCode(1) }
    }

    /// The shapes to run: the standard suite, or the one the options describe.
    func scenarios() -> [BenchScenario] {
        if suite { return BenchScenario.standardSuite(warmup: .seconds(warmup), duration: .seconds(duration)) }
        var metadata = Metadata()
        if let token = token ?? ProcessInfo.processInfo.environment["CONTON_TOKEN"] {
            metadata.addString("Bearer \(token)", forKey: "authorization")
        }
        return [BenchScenario(name: "custom", options: LoadOptions(
            mode: mode.mode, connections: connections, concurrency: concurrency, payloadSize: payload,
            streamMessages: streamMessages, warmup: .seconds(warmup), duration: .seconds(duration), metadata: metadata))]
    }

    /// Runs every scenario, printing progress on stderr and (with --json) a line per run on stdout.
    func runScenarios(transport name: String, notes: [String: String],
                      _ body: (LoadOptions) async throws -> LoadResult) async throws -> [LoadResult] {
        var stderr = StandardError()
        var results: [LoadResult] = []
        for scenario in scenarios() {
            let o = scenario.options
            print("running \(name) \(o.mode.rawValue) \(o.connections)×\(o.concurrency) \(o.payloadSize) B "
                  + "for \(warmup) s + \(duration) s …", to: &stderr)
            let loadBefore = MachineInfo.loadAverage()
            let busy = MachineInfo.busyCompilerProcesses()
            var result = try await body(o)
            result.notes.merge(notes) { mine, _ in mine }
            result.notes["scenario"] = scenario.name
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

    // MARK: - The conton transport

    func runConton() async throws -> [LoadResult] {
        let name = label ?? "conton"
        if let addr {
            guard let colon = addr.lastIndex(of: ":"), let port = Int(addr[addr.index(after: colon)...]) else {
                throw ValidationError("--addr takes HOST:PORT, got '\(addr)'")
            }
            let host = String(addr[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            var trust = cacert
            if trust == nil, FileManager.default.fileExists(atPath: "./.conton/tls/ca.pem") { trust = "./.conton/tls/ca.pem" }
            var meters = [CPUMeter.currentProcess(scope: .client)]
            if let serverPID { meters.append(.process(serverPID, scope: .server)) }
            return try await runConton(name: name, host: host, port: port, caPath: trust, meters: meters,
                                       notes: ["server": "external \(addr)"])
        }

        let dataDir = NSTemporaryDirectory() + "conton-bench-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let server = try await ServerProcess.launch(
            executable: Self.executablePath(),
            arguments: ["serve", "--enable-test-service", "--listen", "127.0.0.1:0", "--data-dir", dataDir],
            stderrPath: serverLog)
        var stderr = StandardError()
        print("server: conton serve, pid \(server.pid), \(server.host):\(server.port)", to: &stderr)
        do {
            let results = try await runConton(
                name: name, host: server.host, port: server.port, caPath: DevelopmentCertificates(directory: dataDir + "/tls").caCertificatePath,
                meters: [.currentProcess(scope: .client), .process(server.pid, scope: .server)],
                notes: ["server": "conton serve (child process)"])
            await server.stop()
            return results
        } catch {
            await server.stop()
            throw error
        }
    }

    func runConton(name: String, host: String, port: Int, caPath: String?, meters: [CPUMeter],
                   notes: [String: String]) async throws -> [LoadResult] {
        let tls = try SSLContext(client: TLSClientConfiguration(trustRootsPath: caPath))
        let serverName = host == "127.0.0.1" || host == "::1" ? "localhost" : host
        return try await runScenarios(transport: name, notes: notes) { options in
            let transports = (0..<options.connections).map { _ in
                ContonClientTransport(host: host, port: port, tls: tls, serverHostname: serverName)
            }
            return try await withClients(transports) { clients in
                try await LoadGenerator(options: options).run(clients: clients, transport: name, meters: meters)
            }
        }
    }

    // MARK: - GRPCCore's in-process transport

    func runInProcess() async throws -> [LoadResult] {
        let name = label ?? "inprocess"
        return try await runScenarios(transport: name, notes: ["server": "GRPCServer in this process"]) { options in
            let pairs = (0..<options.connections).map { _ in InProcessTransport() }
            return try await withServers(pairs.map(\.server), services: [TestService()]) { _ in
                try await withClients(pairs.map(\.client)) { clients in
                    try await LoadGenerator(options: options).run(
                        clients: clients, transport: name, meters: [.currentProcess(scope: .clientAndServer)])
                }
            }
        }
    }

    /// This executable's path (to spawn `serve` from).
    static func executablePath() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return CommandLine.arguments[0] }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
