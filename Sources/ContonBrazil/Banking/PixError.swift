/// Why a Pix BR Code could not be built or read.
public enum PixError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The key is not valid for its type (the ``PixKey`` validation's own error).
    case invalidKey(BrazilValidationError)
    /// A key type name that is not one of the DICT's (`CPF`, `CNPJ`, `EMAIL`, `PHONE`, `EVP`).
    case unknownKeyType(String)
    /// The merchant name or city is empty once folded to ASCII.
    case emptyField(name: String)
    /// A field's value is longer than the BR Code allows.
    case fieldTooLong(id: String, length: Int, maximum: Int)
    /// The txid has characters other than A–Z, a–z, 0–9, or more than 25 of them.
    case invalidTxid(String)
    /// A negative amount, or one too long for field 54.
    case invalidAmount(cents: Int64)
    /// The payload text is malformed at `position` (1-based character offset): what was expected.
    case malformed(position: Int, expected: String)
    /// The CRC field 63 does not match the payload.
    case crcMismatch(found: String, computed: String)

    /// A sentence a developer understands.
    public var description: String {
        switch self {
        case .invalidKey(let error): error.description
        case .unknownKeyType(let t): "'\(t)' is not a Pix key type; use CPF, CNPJ, EMAIL, PHONE or EVP"
        case .emptyField(let name): "\(name) is empty once folded to ASCII"
        case .fieldTooLong(let id, let length, let maximum):
            "BR Code field \(id) would be \(length) characters long; at most \(maximum) are allowed"
        case .invalidTxid(let t): "txid '\(t)' must be 1 to 25 letters A-Z, a-z or digits, or '***'"
        case .invalidAmount(let cents): "amount \(cents) centavos cannot be written in a BR Code"
        case .malformed(let position, let expected): "BR Code malformed at character \(position): expected \(expected)"
        case .crcMismatch(let found, let computed): "BR Code CRC is \(found); the payload's CRC16 is \(computed)"
        }
    }
}
