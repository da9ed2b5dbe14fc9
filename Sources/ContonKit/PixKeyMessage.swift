import ContonAPI
import ContonBrazil

extension Conton_Office_V1_PixKey {
    /// Normalises the key for its type (ContonBrazil's ``ContonBrazil/PixKey`` rules: CPF and CNPJ
    /// bare, e-mail lower case, phone `+55…`, random key lower case). Violations go to
    /// `<path>.type` (no type chosen) or `<path>.value`. The office profile and the payments
    /// plugin's suppliers both carry this message.
    public mutating func normalize(at path: String, errors: inout FieldErrors) {
        value = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let kind = keyType else {
            errors.add(path + ".type", "choose the key's type (CPF, CNPJ, EMAIL, PHONE or RANDOM)")
            return
        }
        do {
            value = try PixKey(type: kind, value: value).value
        } catch {
            errors.add(path + ".value", error.description)
        }
    }

    /// The key's type in ContonBrazil's terms; nil when none is chosen.
    public var keyType: PixKey.KeyType? {
        switch type {
        case .cpf: .cpf
        case .cnpj: .cnpj
        case .email: .email
        case .phone: .phone
        case .random: .random
        default: nil
        }
    }

    /// The key, checked for its type; nil when no type is chosen or the value is not a key of it.
    public var validKey: PixKey? {
        keyType.flatMap { try? PixKey(type: $0, value: value) }
    }
}
