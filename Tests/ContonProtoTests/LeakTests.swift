import ContonAPI
import ContonProto
import Testing
import Foundation

/// Encoding and decoding allocate C memory on every call: none of it may stay behind. The suite
/// also runs under `-sanitize=address` (LeakSanitizer reports any leak at exit, failing the run);
/// without ASan the resident set size must stay flat.
@Suite(.serialized) struct LeakTests {
    @Test func hundredThousandPackUnpackCycles() throws {
        let message = KindsSample.message
        let bytes = message.serializedBytes()
        func cycle() throws {
            let decoded = try Conton_Testing_V1_Kinds(serializedBytes: bytes)
            let again = decoded.serializedBytes()
            guard again == bytes else { throw CycleMismatch() }
        }
        for _ in 0..<10_000 { try cycle() }  // warm up; let the other suites' allocations settle
        let before = heapInUse()
        for _ in 0..<90_000 { try cycle() }
        let growth = heapInUse() - before
        // RSS is a coarse gauge (LeakSanitizer is the precise one): leaking one small C allocation
            // per cycle adds ~3 MB here, a whole message ~100 MB.
        // Under AddressSanitizer freed memory sits in quarantine, so RSS grows; LeakSanitizer checks.
        if !Self.underAddressSanitizer {
            #expect(growth < 2 * 1024 * 1024, "resident memory grew by \(growth) bytes over 90,000 cycles")
        }
    }

    @Test func failedDecodesDoNotLeak() {
        let bad: [UInt8] = [0x92, 0x01, 0x05, 0x0A, 0x03, 0x61]  // nested { name: truncated }
        let before = heapInUse()
        for _ in 0..<20_000 {
            #expect((try? Conton_Testing_V1_Kinds(serializedBytes: bad)) == nil)
        }
        if !Self.underAddressSanitizer {
            #expect(heapInUse() - before < 1024 * 1024)
        }
    }

    struct CycleMismatch: Error {}

    /// Whether this process runs with the AddressSanitizer runtime.
    static let underAddressSanitizer = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "__asan_init") != nil

    /// The resident set size in bytes, from /proc/self/statm (0 when unavailable).
    private func heapInUse() -> Int {
        guard let bytes = TestSupport.readFile("/proc/self/statm") else { return 0 }
        let fields = String(decoding: bytes, as: UTF8.self).split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
