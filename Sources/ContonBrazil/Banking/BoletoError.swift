/// Why a boleto (nosso número, campo livre, barcode) could not be made.
public enum BoletoError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A bank code this library has no rules for.
    case unsupportedBank(code: String)
    /// One of the office's bank settings is wrong: which one, and why.
    case invalidSetting(field: BankSettings.Field, reason: String)
    /// The sequence number is negative or does not fit the bank's nosso número field.
    case sequenceOutOfRange(sequence: Int64, maximum: Int64)
    /// The amount is negative or above R$ 99.999.999,99 (10 digits of centavos).
    case amountOutOfRange(cents: Int64)
    /// The due date has no factor: before 2000-07-03 (factor 1000 of the first cycle).
    case dueDateOutOfRange(date: BankDate)
    /// A due-date factor outside 1000…9999.
    case factorOutOfRange(factor: Int)
    /// A campo livre that is not 25 digits, a nosso número of the wrong shape, or similar.
    case invalidField(name: String, reason: String)

    /// A sentence a developer understands.
    public var description: String {
        switch self {
        case .unsupportedBank(let code):
            "bank code '\(code)' is not supported; use 001 (Banco do Brasil), 341 (Itaú) or 756 (Sicoob)"
        case .invalidSetting(let field, let reason):
            "bank setting '\(field.rawValue)': \(reason)"
        case .sequenceOutOfRange(let sequence, let maximum):
            "sequence number \(sequence) does not fit the nosso número: it must be 1…\(maximum)"
        case .amountOutOfRange(let cents):
            "amount \(cents) centavos is out of range: a boleto carries 0…9999999999 centavos"
        case .dueDateOutOfRange(let date):
            "due date \(date) has no due-date factor: factors start at 1000 on 2000-07-03"
        case .factorOutOfRange(let factor):
            "due-date factor \(factor) is out of range: it must be 1000…9999"
        case .invalidField(let name, let reason):
            "\(name): \(reason)"
        }
    }
}
