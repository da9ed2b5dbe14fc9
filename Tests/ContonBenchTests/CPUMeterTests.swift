import ContonBench
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct CPUMeterTests {
    @Test func parsesProcStatAfterTheCommandName() {
        // A command name with spaces and a parenthesis; utime 150 and stime 50 ticks.
        let line = "4242 (conton (x) y) S 1 4242 4242 0 -1 4194304 100 0 0 0 150 50 0 0 20 0 9 0 1234 0 0"
        #expect(CPUMeter.parseProcStat(line, ticksPerSecond: 100) == .seconds(2))
        #expect(CPUMeter.parseProcStat("garbage", ticksPerSecond: 100) == nil)
        #expect(CPUMeter.parseProcStat("1 (x) S 1 2", ticksPerSecond: 100) == nil)
    }

    @Test func readsThisProcessBothWays() async throws {
        let before = try #require(CPUMeter.selfCPUTime())
        let stat = try #require(CPUMeter.procStatCPUTime(pid: getpid()))
        // Burn some CPU so getrusage (µs resolution) must move; on a thread of its own, not on
        // the cooperative pool the load tests beside it need.
        let x = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var x: UInt64 = 1
                for i in 0..<20_000_000 { x = x &* 6364136223846793005 &+ UInt64(i) }
                continuation.resume(returning: x)
            }
        }
        #expect(x != 0)
        let after = try #require(CPUMeter.selfCPUTime())
        #expect(after > before)
        #expect(stat >= .zero)
        #expect(CPUMeter.process(getpid()).read() != nil)
        #expect(CPUMeter.process(-1).read() == nil)
    }
}
