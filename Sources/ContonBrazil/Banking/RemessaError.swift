/// Why a CNAB remessa (or a simulated retorno) could not be written.
public enum RemessaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The office's bank settings are wrong (the error names the setting).
    case settings(BoletoError)
    /// CNAB 240 is implemented for Banco do Brasil and Sicoob only.
    case unsupportedBank(Bank)
    /// The file has no boleto.
    case noRegistrations
    /// A value does not fit its field: which field, the value, its width.
    case fieldOverflow(field: String, value: String, width: Int)
    /// Registration number `index` (0-based) is wrong: which field and why.
    case invalidRegistration(index: Int, field: String, reason: String)

    /// A sentence a developer understands.
    public var description: String {
        switch self {
        case .settings(let error): error.description
        case .unsupportedBank(let bank): "CNAB 240 is not implemented for \(bank); only 001 and 756 are"
        case .noRegistrations: "a remessa needs at least one boleto"
        case .fieldOverflow(let field, let value, let width): "\(field) '\(value)' does not fit its \(width) positions"
        case .invalidRegistration(let index, let field, let reason): "boleto \(index + 1): \(field): \(reason)"
        }
    }
}
