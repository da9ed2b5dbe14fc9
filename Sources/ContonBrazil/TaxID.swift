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
        quickFormatted(value) ?? (try? TaxID(value))?.formatted ?? value
    }

    /// ``formatted(_:)`` of a bare, valid document (how every stored one is) straight from its
    /// bytes — the same rules as ``CPF`` and ``CNPJ``, without their Strings: a list page or a
    /// bank file formats thousands. Nil for anything else, which takes the full parse.
    static func quickFormatted(_ value: String) -> String? {
        value.utf8.withContiguousStorageIfAvailable { b -> String? in
            let isDigit = { (c: UInt8) in c >= 48 && c <= 57 }
            let values: [Int]
            let first: [Int], second: [Int], mask: [Int]
            if b.count == 11, b.allSatisfy(isDigit) {
                values = b.map { Int($0) - 48 }
                (first, second) = (CPF.firstWeights, CPF.secondWeights)
                mask = [3, 6, 9]
            } else if b.count == 14, b[..<12].allSatisfy({ isDigit($0) || ($0 >= 65 && $0 <= 90) }), isDigit(b[12]), isDigit(b[13]) {
                values = b.map { Int($0) - 48 }
                (first, second) = (CNPJ.firstWeights, CNPJ.secondWeights)
                mask = [2, 5, 8, 12]
            } else {
                return nil
            }
            guard values.contains(where: { $0 != values[0] }) else { return nil }
            let n = values.count - 2
            let (d1, d2) = Mod11.digits(Array(values[0..<n]), first: first, second: second)
            guard values[n] == d1, values[n + 1] == d2 else { return nil }
            let separators: [UInt8] = n == 9 ? [46, 46, 45] : [46, 46, 47, 45]   // . . -  or  . . / -
            return String(unsafeUninitializedCapacity: b.count + separators.count) { out in
                var j = 0, k = 0
                for (i, c) in b.enumerated() {
                    if k < mask.count && mask[k] == i { out[j] = separators[k]; j += 1; k += 1 }
                    out[j] = c
                    j += 1
                }
                return j
            }
        } ?? nil
    }

    /// Whether this is a CPF (a natural person).
    public var isCPF: Bool { if case .cpf = self { true } else { false } }

    /// The formatted number.
    public var description: String { formatted }
}

extension TaxID: ValidatedString {
    public var encodedString: String { value }
}
