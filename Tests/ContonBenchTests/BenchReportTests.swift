import ContonAPI
import ContonBench
import Testing

@Suite struct BenchReportTests {
    static func sample(transport: String = "conton", errors: [StatusCount] = []) -> LoadResult {
        LoadResult(
            transport: transport,
            options: LoadOptions(mode: .unary, connections: 2, concurrency: 32, payloadSize: 64, warmup: .seconds(1), duration: .seconds(4)),
            calls: 40_000, messages: 40_000, errors: errors, elapsedSeconds: 4,
            latency: LatencySummary(p50: 95.5, p90: 150, p99: 410, p999: 1200, max: 5300, min: 40, mean: 110),
            bytesSent: 2_560_000, bytesReceived: 2_560_000,
            cpu: [CPUReading(scope: .server, seconds: 2, microsPerCall: 50, cores: 0.5),
                  CPUReading(scope: .client, seconds: 1.6, microsPerCall: 40, cores: 0.4)],
            notes: ["scenario": "throughput"])
    }

    @Test func jsonLineRoundTrips() throws {
        let result = Self.sample(errors: [StatusCount(code: 12, count: 3, firstMessage: "no such method")])
        let line = BenchReport.jsonLine(result)
        #expect(!line.contains("\n"))
        #expect(line.contains("\"calls_per_s\":10000"))
        #expect(line.contains("\"p99_9_us\":1200"))
        #expect(line.contains("\"method\":\"conton.testing.v1.TestService/UnaryCall\""))
        let back = try #require(try BenchReport.decode(lines: "machine: x\n" + line + "\n\n").first)
        #expect(back.calls == result.calls)
        #expect(back.latency == result.latency)
        #expect(back.errors == result.errors)
        #expect(back.cpu == result.cpu)
        #expect(back.options.concurrency == 32)
        #expect(back.options.duration == .seconds(4))
        #expect(back.options.unaryMethod.fullyQualifiedMethod == Conton_Testing_V1_TestService.Method.UnaryCall.descriptor.fullyQualifiedMethod)
        #expect(back.notes["scenario"] == "throughput")
    }

    @Test func decodingGarbageThrows() {
        #expect(throws: BenchError.self) { try BenchReport.decode(lines: "{\"calls\": 1}") }
    }

    @Test func tableAlignsColumnsAndListsErrors() {
        let table = BenchReport.table([Self.sample(), Self.sample(transport: "inprocess",
                                                                  errors: [StatusCount(code: 12, count: 3, firstMessage: "nope")])])
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines.count == 5)  // header, rule, two rows, one error line
        #expect(lines[0].hasPrefix("transport"))
        #expect(lines[2].contains("2×32"))
        #expect(lines[2].contains("10000"))
        #expect(lines[2].contains("95.5"))
        #expect(lines[2].contains("srv 50.0 cli 40.0"))
        #expect(lines[3].contains("3 UNIMPLEMENTED"))
        #expect(lines[4].contains("UNIMPLEMENTED (12): nope"))
        // Every row's "calls/s" column ends at the same offset as the header's.
        let end = lines[0].range(of: "calls/s")!.upperBound.utf16Offset(in: lines[0])
        #expect(lines[2].utf16.count >= end)
        #expect(Array(lines[2].utf16)[end - 1] == UInt16(UInt8(ascii: "0")))
    }

    @Test func markdownHasOneRowPerResult() {
        let markdown = BenchReport.markdown([Self.sample(), Self.sample(transport: "grpc-h2")])
        let rows = markdown.split(separator: "\n").filter { $0.hasPrefix("|") }
        #expect(rows.count == 4)
        #expect(rows[3].contains("grpc-h2"))
    }
}

@Suite struct BenchReportGroupingTests {
    @Test func groupsRunsOfOneScenarioTogether() {
        func run(_ transport: String, _ scenario: String) -> LoadResult {
            var r = BenchReportTests.sample(transport: transport)
            r.notes["scenario"] = scenario
            return r
        }
        let results = [run("conton", "latency"), run("conton", "throughput"), run("inprocess", "latency"),
                       run("inprocess", "throughput"), run("grpc-h2", "latency")]
        let grouped = BenchReport.groupedByScenario(results).map { "\($0.transport)/\($0.notes["scenario"]!)" }
        #expect(grouped == ["conton/latency", "inprocess/latency", "grpc-h2/latency", "conton/throughput", "inprocess/throughput"])
    }
}
