/// A valid CPF (*Cadastro de Pessoas Físicas*), the individual taxpayer number.
///
/// Parsed from `"123.456.789-09"`, `"12345678909"` or any mix of '.', '-', '/' and blanks around
/// exactly 11 ASCII digits; the last two are the Receita Federal's mod-11 check digits (weights
/// 10…2, then 11…2). Numbers whose 11 digits are all equal pass mod 11 but are never issued and
/// are refused. Short numbers are *not* padded with zeros (a spreadsheet that lost the leading
/// zero of `012.345.678-90` must be fixed at the source): see docs/BRAZIL.md.
///
/// Encodes as its 11 bare digits; decoding validates.
public struct CPF: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The 11 digits, no punctuation: `"12345678909"`.
    public let digits: String

    static let firstWeights = Array((2...10).reversed())
    static let secondWeights = Array((2...11).reversed())

    /// Parses and validates a CPF, formatted or bare.
    /// - Throws: ``BrazilValidationError`` with reason `EMPTY`, `CHARACTERS`, `LENGTH`,
    ///   `REPEATED_DIGITS` or `CHECK_DIGITS` (subject `.cpf`).
    public init(_ input: String) throws(BrazilValidationError) {
        let values = try Self.digitValues(input, expected: 11, what: "CPF")
        if Set(values).count == 1 {
            throw BrazilValidationError(.cpf, .repeatedDigits, "CPF cannot have all 11 digits equal")
        }
        let (d1, d2) = Mod11.digits(Array(values[0..<9]), first: Self.firstWeights, second: Self.secondWeights)
        guard values[9] == d1, values[10] == d2 else {
            throw BrazilValidationError(.cpf, .checkDigits, "CPF check digits do not match the first nine digits")
        }
        digits = values.map { String($0) }.joined()
    }

    /// The valid CPF whose first nine digits are `base` (formatted or bare): the check digits
    /// are computed. Fixtures and tests use it.
    /// - Throws: as ``init(_:)``; `REPEATED_DIGITS` when `base` is nine equal digits.
    public init(base: String) throws(BrazilValidationError) {
        try self.init(base + Self.checkDigits(for: base))
    }

    /// The two check digits of a nine-digit `base` (formatted or bare), e.g. `"09"` for
    /// `"123456789"`. Pure arithmetic: no all-equal rule.
    /// - Throws: ``BrazilValidationError`` (`EMPTY`, `CHARACTERS`, `LENGTH`) when `base` is not
    ///   nine digits.
    public static func checkDigits(for base: String) throws(BrazilValidationError) -> String {
        let values = try digitValues(base, expected: 9, what: "CPF base")
        let (d1, d2) = Mod11.digits(values, first: firstWeights, second: secondWeights)
        return "\(d1)\(d2)"
    }

    /// `"123.456.789-09"`.
    public var formatted: String {
        let d = Array(digits)
        return String(d[0..<3]) + "." + String(d[3..<6]) + "." + String(d[6..<9]) + "-" + String(d[9..<11])
    }

    /// The masked form used in public documents under the LGPD: `"***.456.789-**"`.
    public var masked: String {
        let d = Array(digits)
        return "***." + String(d[3..<6]) + "." + String(d[6..<9]) + "-**"
    }

    /// The formatted CPF.
    public var description: String { formatted }

    /// Orders by the bare characters.
    public static func < (lhs: CPF, rhs: CPF) -> Bool { lhs.digits < rhs.digits }

    /// The values of exactly `expected` ASCII digits, separators removed.
    static func digitValues(_ input: String, expected: Int, what: String) throws(BrazilValidationError) -> [Int] {
        let scalars = Characters.compact(input)
        if scalars.isEmpty { throw BrazilValidationError(.cpf, .empty, "\(what) is empty") }
        if let bad = scalars.first(where: { !Characters.isDigit($0) }) {
            throw BrazilValidationError(.cpf, .characters,
                "\(what) may contain only digits, '.' and '-'; found \(Characters.quoted(bad))")
        }
        guard scalars.count == expected else {
            throw BrazilValidationError(.cpf, .length, "\(what) must have \(expected) digits, not \(scalars.count)")
        }
        return scalars.map { Int($0.value) - 48 }
    }
}

extension CPF: ValidatedString {
    public var encodedString: String { digits }
}
