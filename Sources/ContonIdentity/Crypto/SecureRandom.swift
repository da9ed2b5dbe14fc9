import CContonShim

/// Cryptographically secure random bytes from OpenSSL's DRBG.
enum SecureRandom {
    /// `count` random bytes. OpenSSL's `RAND_bytes` fails only when it cannot seed, which makes
    /// every credential unsafe: that is a fatal condition, not a recoverable error.
    static func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let ok = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        precondition(ok == 1, "OpenSSL RAND_bytes failed: the random generator is not seeded")
        return out
    }
}
