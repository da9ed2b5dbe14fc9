/// A named load shape; the standard suite is what docs/BENCHMARKS.md reports.
public struct BenchScenario: Sendable {
    /// Short name, e.g. `latency`.
    public var name: String
    public var options: LoadOptions

    public init(name: String, options: LoadOptions) {
        self.name = name
        self.options = options
    }

    /// docs/BENCHMARKS.md's rows, each with 64-byte payloads: unary 1×1 (latency), unary 1×64
    /// (throughput), unary 4×16, and server streaming 1×16 with 100 messages per call.
    public static func standardSuite(warmup: Duration, duration: Duration) -> [BenchScenario] {
        func shape(_ mode: LoadMode, _ connections: Int, _ concurrency: Int) -> LoadOptions {
            LoadOptions(mode: mode, connections: connections, concurrency: concurrency, payloadSize: 64, streamMessages: 100,
                        warmup: warmup, duration: duration)
        }
        return [
            BenchScenario(name: "latency", options: shape(.unary, 1, 1)),
            BenchScenario(name: "throughput", options: shape(.unary, 1, 64)),
            BenchScenario(name: "connections", options: shape(.unary, 4, 16)),
            BenchScenario(name: "streaming", options: shape(.serverStreaming, 1, 16)),
        ]
    }
}
