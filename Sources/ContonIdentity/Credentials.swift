/// The secrets the identity layer hands out. Each is random from OpenSSL and stored only as its
/// SHA-256, so a copy of the database gives no usable credential.
enum Credentials {
    /// A session token: `cts_` + 256 random bits, base64url (47 characters).
    static func sessionToken() -> String { "cts_" + Base64URL.encode(SecureRandom.bytes(32)) }

    /// A service account's API key: `ctk_` + 256 random bits, base64url.
    static func apiKey() -> String { "ctk_" + Base64URL.encode(SecureRandom.bytes(32)) }

    /// Crockford's base32: no I, L, O, U, so a code read aloud or retyped survives.
    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    /// A single-use code for an e-mail (activation, password reset): 20 base32 characters
    /// (100 bits) in groups of four, `7K3M-…`.
    static func oneTimeCode() -> String {
        let bytes = SecureRandom.bytes(20)
        let chars = bytes.map { alphabet[Int($0 & 31)] }
        return stride(from: 0, to: 20, by: 4).map { String(chars[$0..<$0 + 4]) }.joined(separator: "-")
    }

    /// A one-time code as typed by a person: case, spaces and dashes ignored, O read as 0 and
    /// I/L as 1. Nil when it cannot be a code.
    static func normalizeCode(_ typed: String) -> String? {
        var out = ""
        for c in typed.uppercased() {
            switch c {
            case "-", " ", "\t": continue
            case "O": out.append("0")
            case "I", "L": out.append("1")
            default:
                guard alphabet.contains(c) else { return nil }
                out.append(c)
            }
        }
        return out.count == 20 ? out : nil
    }

    /// A generated password (first owner, `conton admin reset-owner`): 20 base32 characters.
    static func generatedPassword() -> String {
        oneTimeCode()
    }

    /// How a credential is stored: lower-case hex SHA-256.
    static func storedHash(_ secret: String) -> String { Digest.sha256Hex(secret) }
}
