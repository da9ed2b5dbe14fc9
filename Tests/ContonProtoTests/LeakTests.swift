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
        for _ in 0..<1_000 { try cycle() }  // warm up caches and allocator pools
        let before = heapInUse()
        for _ in 0..<99_000 { try cycle() }
        let growth = heapInUse() - before
        // Leaking one C string per cycle would add ~3 MB; a whole message ~100 MB.
        print("LeakTests: RSS growth \(growth) bytes")
        #expect(growth < 2 * 1024 * 1024, "resident memory grew by \(growth) bytes over 99,000 cycles")
    }

    @Test func failedDecodesDoNotLeak() {
        let bad: [UInt8] = [0x92, 0x01, 0x05, 0x0A, 0x03, 0x61]  // nested { name: truncated }
        let before = heapInUse()
        for _ in 0..<20_000 {
            #expect((try? Conton_Testing_V1_Kinds(serializedBytes: bad)) == nil)
        }
        #expect(heapInUse() - before < 1024 * 1024)
    }

    struct CycleMismatch: Error {}

    /// The resident set size in bytes, from /proc/self/statm (0 when unavailable).
    private func heapInUse() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
