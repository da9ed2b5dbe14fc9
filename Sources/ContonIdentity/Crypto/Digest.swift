import CContonShim
import ContonStore

/// Credential hashing and constant-time comparison through OpenSSL.
enum Digest {
    /// Lower-case hex SHA-256 of a string's UTF-8 bytes: how tokens, keys and codes are stored.
    static func sha256Hex(_ string: String) -> String {
        SHA256.hex(Array(string.utf8))
    }

    /// Equal contents, compared in time independent of where they differ.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, a.count) == 0 }
        }
    }
}
