/// A Brazilian postal code (*Código de Endereçamento Postal*): 8 digits, written `01310-100`.
///
/// Parsed from `"01310-100"`, `"01310100"` or the old `"01.310-100"` ('.', '-', '/' and blanks
/// ignored). CEPs begin at `01000-000` (region 0 is Greater São Paulo, sub-region 0 is unused),
/// so anything lower is refused with `RANGE`. Whether a CEP exists is the Correios' business:
/// this type checks shape only. Encodes as its 8 bare digits.
public struct CEP: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The 8 digits: `"01310100"`.
    public let digits: String

    /// Parses and validates a CEP.
    /// - Throws: ``BrazilValidationError`` with reason `EMPTY`, `CHARACTERS`, `LENGTH` or `RANGE`
    ///   (subject `.cep`).
    public init(_ input: String) throws(BrazilValidationError) {
        let scalars = Characters.compact(input)
        if scalars.isEmpty { throw BrazilValidationError(.cep, .empty, "CEP is empty") }
        if let bad = scalars.first(where: { !Characters.isDigit($0) }) {
            throw BrazilValidationError(.cep, .characters,
                "CEP may contain only digits and the separator '-'; found \(Characters.quoted(bad))")
        }
        guard scalars.count == 8 else {
            throw BrazilValidationError(.cep, .length, "CEP must have 8 digits, not \(scalars.count)")
        }
        let digits = Characters.string(scalars)
        guard digits >= "01000000" else {
            throw BrazilValidationError(.cep, .range, "CEP must be 01000-000 or above; CEPs starting with 00 do not exist")
        }
        self.digits = digits
    }

    /// `"01310-100"`.
    public var formatted: String { String(digits.prefix(5)) + "-" + String(digits.suffix(3)) }

    /// The formatted CEP.
    public var description: String { formatted }

    /// Orders by the bare characters.
    public static func < (lhs: CEP, rhs: CEP) -> Bool { lhs.digits < rhs.digits }
}

extension CEP: ValidatedString {
    public var encodedString: String { digits }
}
