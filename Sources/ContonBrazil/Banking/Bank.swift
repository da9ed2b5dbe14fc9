/// The banks whose billing rules this library knows, by their COMPE code (the raw value).
public enum Bank: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Banco do Brasil S.A. (001): boletos with a 7-digit convênio; CNAB 240.
    case bancoDoBrasil = "001"
    /// Itaú Unibanco S.A. (341): boletos only (no CNAB here).
    case itau = "341"
    /// Sicoob, Banco Cooperativo do Brasil (756, the former Bancoob): boletos and CNAB 240.
    case sicoob = "756"

    /// The bank of a 3-digit code.
    /// - Throws: ``BoletoError`` (`.unsupportedBank`) for any other code.
    public init(code: String) throws(BoletoError) {
        guard let bank = Bank(rawValue: code) else { throw .unsupportedBank(code: code) }
        self = bank
    }

    /// The 3-digit code, `"001"`.
    public var code: String { rawValue }

    /// The name CNAB headers carry (30 characters at most).
    public var name: String {
        switch self {
        case .bancoDoBrasil: "BANCO DO BRASIL S.A."
        case .itau: "BANCO ITAU SA"
        case .sicoob: "SICOOB"
        }
    }

    /// The code with its check digit as the ficha de compensação prints it: `"001-9"`, `"341-7"`,
    /// `"756-0"`.
    public var codeWithDigit: String {
        switch self {
        case .bancoDoBrasil: "001-9"
        case .itau: "341-7"
        case .sicoob: "756-0"
        }
    }

    /// The name printed on a boleto: "Banco do Brasil".
    public var printedName: String {
        switch self {
        case .bancoDoBrasil: "Banco do Brasil"
        case .itau: "Itaú"
        case .sicoob: "Sicoob"
        }
    }

    /// `"001 BANCO DO BRASIL S.A."`.
    public var description: String { "\(rawValue) \(name)" }
}
