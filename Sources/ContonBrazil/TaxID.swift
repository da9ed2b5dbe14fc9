/// A CPF or a CNPJ: a client's or supplier's tax number, told apart by its length.
///
/// After '.', '-', '/' and blanks are removed, 11 characters are read as a CPF and 14 as a
/// CNPJ (alphanumeric allowed); anything else fails with `LENGTH`. Encodes as its bare
/// characters (11 or 14); decoding tells the kind by length again.
public enum TaxID: Sendable, Hashable, Codable, CustomStringConvertible {
    /// An individual (*pessoa física*).
    case cpf(CPF)
    /// A legal entity (*pessoa jurídica*).
    case cnpj(CNPJ)

    /// Parses a CPF or a CNPJ from any input, formatted or bare.
    /// - Throws: ``BrazilValidationError``: subject `.taxID` with `EMPTY` or `LENGTH` when the
    ///   length fits neither; otherwise the CPF's or CNPJ's own error.
    public init(_ input: String) throws(BrazilValidationError) {
        let count = Characters.compact(input).count
        switch count {
        case 0: throw BrazilValidationError(.taxID, .empty, "CPF/CNPJ is empty")
        case 11: self = .cpf(try CPF(input))
        case 14: self = .cnpj(try CNPJ(input))
        default:
            throw BrazilValidationError(.taxID, .length,
                "CPF/CNPJ must have 11 digits (CPF) or 14 characters (CNPJ), not \(count)")
        }
    }

    /// The bare digits/characters: 11 for a CPF, 14 for a CNPJ.
    public var value: String {
        switch self {
        case .cpf(let cpf): cpf.digits
        case .cnpj(let cnpj): cnpj.value
        }
    }

    /// `"123.456.789-09"` or `"12.ABC.345/01DE-35"`.
    public var formatted: String {
        switch self {
        case .cpf(let cpf): cpf.formatted
        case .cnpj(let cnpj): cnpj.formatted
        }
    }

    /// `value` formatted when it is a valid CPF or CNPJ (stored documents are), else `value` as
    /// given: for showing a stored document without failing on a legacy one.
    public static func formatted(_ value: String) -> String {
        (try? TaxID(value))?.formatted ?? value
    }

    /// Whether this is a CPF (a natural person).
    public var isCPF: Bool { if case .cpf = self { true } else { false } }

    /// The formatted number.
    public var description: String { formatted }
}

extension TaxID: ValidatedString {
    public var encodedString: String { value }
}
