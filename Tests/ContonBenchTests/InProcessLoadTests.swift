import ContonAPI
import ContonBench
import ContonServer
import GRPCCore
import GRPCInProcessTransport
import Testing

/// The load generator over GRPCCore's in-process transport: N "connections" are N transport
/// pairs, each with its own GRPCServer.
@Suite struct InProcessLoadTests {
    /// A run bounded by a number of calls (never by a window of time, which a busy machine can
    /// leave empty).
    static func short(_ mode: LoadMode = .unary, connections: Int = 1, concurrency: Int = 4, payload: Int = 64,
                      streamMessages: Int = 5, calls: Int = 200) -> LoadOptions {
        LoadOptions(mode: mode, connections: connections, concurrency: concurrency, payloadSize: payload,
                    streamMessages: streamMessages, warmup: .zero, calls: calls)
    }

    /// Runs `options` against `services(i)` for connection i.
    static func run(_ options: LoadOptions, services: (Int) -> [any RegistrableRPCService] = { _ in [TestService()] }) async throws -> LoadResult {
        let pairs = (0..<options.connections).map { _ in InProcessTransport() }
        let servers = pairs.enumerated().map { i, pair in GRPCServer(transport: pair.server, services: services(i)) }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for server in servers { group.addTask { try await server.serve() } }
            defer { for server in servers { server.beginGracefulShutdown() } }
            return try await withClients(pairs.map(\.client)) { clients in
                try await LoadGenerator(options: options).run(clients: clients, transport: "inprocess",
                                                              meters: [.currentProcess(scope: .clientAndServer)])
            }
        }
    }

    @Test func unaryRunCompletesCallsWithoutErrors() async throws {
        let result = try await Self.run(Self.short(payload: 100))
        #expect(result.errors.isEmpty, "\(result.errors)")
        expectConsistent(result)
        #expect(result.calls == 200)
        #expect(result.messages == result.calls)
        #expect(result.bytesSent == result.calls * 100)
        #expect(result.bytesReceived == result.calls * 100)
        #expect(result.options.inFlight == 4)
        let cpu = try #require(result.cpu(.clientAndServer))
        #expect(cpu.seconds >= 0)
        #expect(result.cpu(.server) == nil)
    }

    @Test func serverStreamingCountsMessages() async throws {
        let result = try await Self.run(Self.short(.serverStreaming, concurrency: 2, payload: 10, streamMessages: 7))
        #expect(result.errors.isEmpty, "\(result.errors)")
        expectConsistent(result)
        #expect(result.calls == 200)
        #expect(result.messages == result.calls * 7)
        #expect(result.bytesReceived == result.calls * 7 * 10)
        #expect(result.bytesSent == result.calls * 10)
    }

    @Test func unservedMethodIsCountedAsUnimplemented() async throws {
        var options = Self.short()
        options.unaryMethod = Conton_Testing_V1_UnimplementedService.Method.UnimplementedCall.descriptor
        let result = try await Self.run(options)
        #expect(result.calls == 0)
        #expect(result.messages == 0)
        #expect(result.latency == .empty)
        #expect(result.errors(.unimplemented) == 200)
        #expect(result.errorCount == result.errors(.unimplemented))
        #expect(result.errors.map(\.name) == ["UNIMPLEMENTED"])
    }

    @Test func wrongResponseSizeIsAnErrorNotASuccess() async throws {
        let counter = InFlightCounter()
        let result = try await Self.run(Self.short(concurrency: 2)) { i in
            [CountingTestService(counter: counter, server: i, hold: .zero, shortPayload: true)]
        }
        #expect(result.calls == 0)
        #expect(result.errors(.internalError) == 200)
        #expect(result.errors.first?.firstMessage.contains("64-byte") == true)
    }

    /// N × M calls are in the handler at once — never more, and every connection carries some.
    @Test(arguments: [(1, 1), (1, 6), (3, 4)])
    func concurrencyIsConnectionsTimesInFlight(connections: Int, concurrency: Int) async throws {
        let counter = InFlightCounter()
        let options = Self.short(connections: connections, concurrency: concurrency, calls: 20 * connections * concurrency)
        let result = try await Self.run(options) { i in
            [CountingTestService(counter: counter, server: i, hold: .seconds(5), gather: connections * concurrency)]
        }
        let seen = counter.snapshot
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(seen.max == connections * concurrency, "at most \(seen.max) calls were in flight at once")
        #expect(seen.servers == Set(0..<connections))
        #expect(seen.current == 0)
        #expect(result.calls == options.calls)
        #expect(result.calls <= seen.calls)
    }

    @Test func optionsAreValidated() async throws {
        var options = Self.short()
        options.concurrency = 0
        await #expect(throws: BenchError.invalidOptions("concurrency must be at least 1")) {
            _ = try await Self.run(options)
        }
        await #expect(throws: BenchError.self) {
            _ = try await LoadGenerator(options: Self.short()).run(clients: [GRPCClient<InProcessTransport.Client>](), transport: "none")
        }
    }
}
