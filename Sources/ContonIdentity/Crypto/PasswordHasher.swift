import CContonShim
import Dispatch
import Foundation

/// Passwords, hashed with scrypt (OpenSSL `EVP_PBE_scrypt`): memory-hard, a fresh 16-byte salt
/// per hash, verified in constant time.
///
/// Parameters (docs/SECURITY.md): N = 2^15, r = 8, p = 1, 32-byte key — 32 MiB and ~50–100 ms of
/// one core per hash here. Stored as `$scrypt$ln=15,r=8,p=1$<salt>$<key>` (base64url), so the
/// parameters can be raised later and old hashes still verify. Hashing runs on its own queue,
/// at most two at once, never on Swift's cooperative threads.
public struct PasswordHasher: Sendable {
    public var logN: UInt8
    public var r: UInt32
    public var p: UInt32

    /// The production parameters.
    public static let standard = PasswordHasher(logN: 15, r: 8, p: 1)

    public init(logN: UInt8, r: UInt32, p: UInt32) {
        self.logN = logN
        self.r = r
        self.p = p
    }

    /// Shortest password accepted.
    public static let minimumLength = 10
    /// Longest password accepted (bytes of UTF-8): scrypt takes any length, but a megabyte
    /// "password" is a denial-of-service attempt.
    public static let maximumLength = 1024

    private static let queue = DispatchQueue(label: "conton.password-hasher", attributes: .concurrent)
    private static let slots = DispatchSemaphore(value: 2)

    /// A new encoded hash of `password`.
    public func hash(_ password: String) async -> String {
        let salt = SecureRandom.bytes(16)
        let key = await Self.run { Self.scrypt(Array(password.utf8), salt: salt, logN: self.logN, r: self.r, p: self.p) }
        return "$scrypt$ln=\(logN),r=\(r),p=\(p)$\(Base64URL.encode(salt))$\(Base64URL.encode(key))"
    }

    /// Whether `password` matches `encoded` (false for a malformed hash).
    public static func verify(_ password: String, against encoded: String) async -> Bool {
        guard let parsed = parse(encoded) else { return false }
        let key = await run { scrypt(Array(password.utf8), salt: parsed.salt, logN: parsed.logN, r: parsed.r, p: parsed.p, length: parsed.key.count) }
        return Digest.constantTimeEqual(key, parsed.key)
    }

    /// Spends the same work as a verification, for unknown accounts (equal timing).
    public func burn(_ password: String) async {
        _ = await Self.run { Self.scrypt(Array(password.utf8), salt: [UInt8](repeating: 0, count: 16), logN: self.logN, r: self.r, p: self.p) }
    }

    static func parse(_ encoded: String) -> (logN: UInt8, r: UInt32, p: UInt32, salt: [UInt8], key: [UInt8])? {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0].isEmpty, parts[1] == "scrypt" else { return nil }
        var params: [String: UInt32] = [:]
        for item in parts[2].split(separator: ",") {
            let kv = item.split(separator: "=")
            guard kv.count == 2, let v = UInt32(kv[1]) else { return nil }
            params[String(kv[0])] = v
        }
        guard let ln = params["ln"], (1...22).contains(ln), let r = params["r"], let p = params["p"], r > 0, p > 0,
              let salt = Base64URL.decode(String(parts[3])), let key = Base64URL.decode(String(parts[4])),
              !salt.isEmpty, (16...64).contains(key.count) else { return nil }
        return (UInt8(ln), r, p, salt, key)
    }

    private static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async {
                slots.wait()
                defer { slots.signal() }
                continuation.resume(returning: work())
            }
        }
    }

    private static func scrypt(_ password: [UInt8], salt: [UInt8], logN: UInt8, r: UInt32, p: UInt32, length: Int = 32) -> [UInt8] {
        var key = [UInt8](repeating: 0, count: length)
        let n = UInt64(1) << UInt64(logN)
        // 128·r·N bytes for V plus 256·r·p for B, with headroom.
        let maxMemory = 128 * UInt64(r) * n + 256 * UInt64(r) * UInt64(p) + 1 << 20
        let passwordLength = password.count
        let passwordBuffer = password.isEmpty ? [CChar(0)] : password.map { CChar(bitPattern: $0) }
        let ok = passwordBuffer.withUnsafeBufferPointer { pw in
            salt.withUnsafeBufferPointer { s in
                key.withUnsafeMutableBufferPointer { k in
                    EVP_PBE_scrypt(pw.baseAddress, passwordLength, s.baseAddress, s.count, n, UInt64(r), UInt64(p), maxMemory, k.baseAddress, length)
                }
            }
        }
        precondition(ok == 1, "OpenSSL EVP_PBE_scrypt failed")
        return key
    }
}
