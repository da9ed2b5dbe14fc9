/// A valid CNPJ (*Cadastro Nacional da Pessoa Jurídica*), numeric or alphanumeric.
///
/// Since July 2026 the Receita Federal issues **alphanumeric CNPJs** to new registrations: the
/// first 12 positions (8 of *raiz*, 4 of *ordem*) may be `0`–`9` or `A`–`Z`, the last 2 are
/// numeric check digits. Every character's value is its ASCII code − 48 (`0`…`9` keep their
/// value, `A` = 17 … `Z` = 42) and the mod-11 weights are unchanged (5,4,3,2,9,8,7,6,5,4,3,2 for
/// the first digit, 6,5,4,3,2,9,8,7,6,5,4,3,2 for the second), so every numeric CNPJ keeps its
/// check digits. Official example: `12.ABC.345/01DE-35`.
///
/// Parsed from formatted (`"12.ABC.345/01DE-35"`) or bare input, lower-case letters normalised
/// to upper case, '.', '-', '/' and blanks ignored anywhere. Encodes as its 14 bare characters.
public struct CNPJ: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The 14 characters, upper case, no punctuation: `"12ABC34501DE35"`.
    public let value: String

    static let firstWeights = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]
    static let secondWeights = [6] + firstWeights

    /// Parses and validates a CNPJ, formatted or bare, numeric or alphanumeric.
    /// - Throws: ``BrazilValidationError`` with reason `EMPTY`, `CHARACTERS` (also for a letter
    ///   in the check digits), `LENGTH`, `REPEATED_DIGITS` or `CHECK_DIGITS` (subject `.cnpj`).
    public init(_ input: String) throws(BrazilValidationError) {
        let scalars = try Self.characters(input, expected: 14, what: "CNPJ")
        if let bad = scalars[12...].first(where: { !Characters.isDigit($0) }) {
            throw BrazilValidationError(.cnpj, .characters,
                "CNPJ check digits must be digits (the last two characters); found \(Characters.quoted(bad))")
        }
        if Set(scalars).count == 1 {
            throw BrazilValidationError(.cnpj, .repeatedDigits, "CNPJ cannot have all 14 digits equal")
        }
        let values = scalars.map { Int($0.value) - 48 }
        let (d1, d2) = Mod11.digits(Array(values[0..<12]), first: Self.firstWeights, second: Self.secondWeights)
        guard values[12] == d1, values[13] == d2 else {
            throw BrazilValidationError(.cnpj, .checkDigits, "CNPJ check digits do not match the first twelve characters")
        }
        value = Characters.string(scalars)
    }

    /// The valid CNPJ whose first twelve characters are `base` (formatted or bare, letters
    /// allowed): the check digits are computed.
    /// - Throws: as ``init(_:)``; `REPEATED_DIGITS` for the base `000000000000`.
    public init(base: String) throws(BrazilValidationError) {
        try self.init(base + Self.checkDigits(for: base))
    }

    /// The two check digits of a twelve-character `base` (formatted or bare; `0`–`9`, `A`–`Z`,
    /// lower case accepted), e.g. `"35"` for `"12ABC34501DE"`. Pure arithmetic: no all-equal rule.
    /// - Throws: ``BrazilValidationError`` (`EMPTY`, `CHARACTERS`, `LENGTH`).
    public static func checkDigits(for base: String) throws(BrazilValidationError) -> String {
        let values = try characters(base, expected: 12, what: "CNPJ base").map { Int($0.value) - 48 }
        let (d1, d2) = Mod11.digits(values, first: firstWeights, second: secondWeights)
        return "\(d1)\(d2)"
    }

    /// `"12.ABC.345/01DE-35"`.
    public var formatted: String {
        let c = Array(value)
        return String(c[0..<2]) + "." + String(c[2..<5]) + "." + String(c[5..<8]) + "/"
            + String(c[8..<12]) + "-" + String(c[12..<14])
    }

    /// Whether any of the first twelve characters is a letter (a CNPJ issued from July 2026 on).
    public var isAlphanumeric: Bool { value.unicodeScalars.contains(where: Characters.isUpper) }

    /// The *raiz*, the first 8 characters: the same for a company's head office and branches.
    public var root: String { String(value.prefix(8)) }

    /// The *ordem*, characters 9–12: `"0001"` is the head office (*matriz*), others branches.
    public var branch: String { String(value.dropFirst(8).prefix(4)) }

    /// Whether this is the head office (*matriz*, branch `0001`).
    public var isHeadOffice: Bool { branch == "0001" }

    /// The formatted CNPJ.
    public var description: String { formatted }

    /// Orders by the bare characters.
    public static func < (lhs: CNPJ, rhs: CNPJ) -> Bool { lhs.value < rhs.value }

    /// Exactly `expected` characters `0`–`9`/`A`–`Z` (lower case upper-cased), separators removed.
    static func characters(_ input: String, expected: Int, what: String) throws(BrazilValidationError) -> [Unicode.Scalar] {
        let scalars = Characters.compact(input).map { s in
            Characters.isLower(s) ? Unicode.Scalar(UInt8(s.value) - 32) : s
        }
        if scalars.isEmpty { throw BrazilValidationError(.cnpj, .empty, "\(what) is empty") }
        if let bad = scalars.first(where: { !Characters.isDigit($0) && !Characters.isUpper($0) }) {
            throw BrazilValidationError(.cnpj, .characters,
                "\(what) may contain only digits, letters A-Z, '.', '/' and '-'; found \(Characters.quoted(bad))")
        }
        guard scalars.count == expected else {
            throw BrazilValidationError(.cnpj, .length, "\(what) must have \(expected) characters, not \(scalars.count)")
        }
        return scalars
    }
}

extension CNPJ: ValidatedString {
    public var encodedString: String { value }
}
