/// Verification codes: 10 characters of Crockford's base32 (digits and capital letters without
/// I, L, O and U, so nothing reads as something else), printed in two groups, `K7QX2-M9PZ4`:
/// 50 bits, about 10¹⁵ codes. Typed codes are read leniently: case, spaces and hyphens do not
/// matter, `O` is `0`, `I` and `L` are `1`.
public enum VerificationCode {
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    /// A new random code (the system's CSPRNG).
    public static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        let symbols = (0..<10).map { _ in alphabet[Int(generator.next(upperBound: UInt8(32)))] }
        return String(symbols[0..<5]) + "-" + String(symbols[5...])
    }

    /// The code as printed, from what someone typed; nil when it cannot be one.
    public static func normalized(_ typed: String) -> String? {
        var symbols: [Character] = []
        for ch in typed.uppercased() {
            switch ch {
            case " ", "-", "\t": continue
            case "O": symbols.append("0")
            case "I", "L": symbols.append("1")
            default:
                guard alphabet.contains(ch) else { return nil }
                symbols.append(ch)
            }
        }
        guard symbols.count == 10 else { return nil }
        return String(symbols[0..<5]) + "-" + String(symbols[5...])
    }
}
