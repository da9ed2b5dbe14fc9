import ContonBench
import Testing

/// What every clean run must satisfy, whatever the transport.
func expectConsistent(_ result: LoadResult, sourceLocation: SourceLocation = #_sourceLocation) {
    let l = result.latency
    #expect(result.calls > 0, "no call completed", sourceLocation: sourceLocation)
    #expect(l.min > 0, sourceLocation: sourceLocation)
    #expect(l.min <= l.p50 && l.p50 <= l.p90 && l.p90 <= l.p99 && l.p99 <= l.p999 && l.p999 <= l.max,
            "percentiles out of order: \(l)", sourceLocation: sourceLocation)
    #expect(l.min <= l.mean && l.mean <= l.max, sourceLocation: sourceLocation)
    if let calls = result.options.calls {
        #expect(result.calls + result.errorCount == calls, sourceLocation: sourceLocation)
        #expect(result.elapsedSeconds > 0, sourceLocation: sourceLocation)
    } else {
        #expect(result.elapsedSeconds == result.options.duration.components.seconds.double + Double(result.options.duration.components.attoseconds) / 1e18,
                sourceLocation: sourceLocation)
    }
    #expect(abs(result.callsPerSecond - Double(result.calls) / result.elapsedSeconds) < 1e-9, sourceLocation: sourceLocation)
    #expect(abs(result.messagesPerSecond - Double(result.messages) / result.elapsedSeconds) < 1e-9, sourceLocation: sourceLocation)
}

extension Int64 {
    var double: Double { Double(self) }
}
