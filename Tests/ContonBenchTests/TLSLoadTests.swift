import ContonAPI
import ContonBench
import ContonServer
import ContonTesting
import ContonTransport
import GRPCCore
import Testing

/// The load generator over ContOn's own TLS transport, against a real `ContonServer` with the
/// test service.
@Suite struct TLSLoadTests {
    /// A run bounded by a number of calls, not by a window of time.
    static func short(_ mode: LoadMode = .unary, concurrency: Int = 4, streamMessages: Int = 5) -> LoadOptions {
        LoadOptions(mode: mode, connections: 1, concurrency: concurrency, payloadSize: 64, streamMessages: streamMessages,
                    warmup: .zero, calls: 200)
    }

    static func run(_ options: LoadOptions, configure: @escaping (inout ServerConfiguration) -> Void = { _ in }) async throws -> LoadResult {
        try await withTestServer(plugins: [], configure: { config in
            config.enableTestService = true
            configure(&config)
        }) { test in
            try await LoadGenerator(options: options).run(clients: [test.client], transport: "conton",
                                                          meters: [.currentProcess(scope: .clientAndServer)])
        }
    }

    @Test func unaryRunCompletesCallsWithoutErrors() async throws {
        let result = try await Self.run(Self.short())
        #expect(result.errors.isEmpty, "\(result.errors)")
        expectConsistent(result)
        #expect(result.calls == 200)
        #expect(result.messages == result.calls)
        #expect(result.bytesReceived == result.calls * 64)
    }

    @Test func serverStreamingCountsMessages() async throws {
        let result = try await Self.run(Self.short(.serverStreaming, concurrency: 2, streamMessages: 9))
        #expect(result.errors.isEmpty, "\(result.errors)")
        expectConsistent(result)
        #expect(result.messages == result.calls * 9)
    }

    @Test func unservedMethodIsCountedAsUnimplemented() async throws {
        var options = Self.short()
        options.unaryMethod = Conton_Testing_V1_UnimplementedService.Method.UnimplementedCall.descriptor
        let result = try await Self.run(options)
        #expect(result.calls == 0)
        #expect(result.errors(.unimplemented) == 200)
        #expect(result.errorCount == result.errors(.unimplemented))
    }

    /// The server's per-connection limit sees the M calls in flight: with a limit of 3 and 8 calls
    /// held open on one connection, the excess is refused with RESOURCE_EXHAUSTED (and counted as
    /// such), while the admitted calls succeed.
    @Test func callsInFlightReachTheServerAtOnce() async throws {
        var options = Self.short(.serverStreaming, concurrency: 8, streamMessages: 1)
        // Each call's one response comes after 20 ms (ResponseParameters.interval_us), so calls overlap.
        options.responseInterval = .milliseconds(20)
        let result = try await Self.run(options) { $0.limits.maxConcurrentCalls = 3 }
        #expect(result.errors(.resourceExhausted) > 0, "\(result.errors)")
        #expect(result.calls > 0)
        #expect(result.errorCount == result.errors(.resourceExhausted))
    }
}
