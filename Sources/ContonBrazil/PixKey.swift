/// A Pix key (*chave Pix*) as the Banco Central's DICT stores it.
///
/// ``init(type:value:)`` validates the value for its type and normalises it to the DICT form:
///
/// | type | DICT form | accepted input |
/// |---|---|---|
/// | ``KeyType/cpf`` | 11 digits | a valid ``CPF``, formatted or bare |
/// | ``KeyType/cnpj`` | 14 characters | a valid ``CNPJ``, alphanumeric included |
/// | ``KeyType/email`` | lower case, ≤ 77 characters | a valid ``EmailAddress`` whose local part avoids `%` |
/// | ``KeyType/phone`` | `+55` + DDD + 9 digits | a Brazilian *mobile* number (``BrazilianPhone``) |
/// | ``KeyType/random`` | UUID, lower case, hyphenated | a UUID in any case (the EVP the bank generated) |
///
/// Encodes as `{"type": "CPF", "value": "12345678909"}`; decoding validates.
public struct PixKey: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The DICT key types; raw values are the DICT's names.
    public enum KeyType: String, Sendable, Hashable, Codable, CaseIterable {
        case cpf = "CPF"
        case cnpj = "CNPJ"
        case email = "EMAIL"
        case phone = "PHONE"
        /// A random key (*chave aleatória*, EVP): a UUID the holder's bank generated.
        case random = "EVP"
    }

    /// The key's type.
    public let type: KeyType
    /// The normalised key, as registered in the DICT.
    public let value: String

    /// The DICT's maximum length of an e-mail key.
    public static let maxEmailLength = 77

    /// Validates `value` as a key of `type` and normalises it.
    /// - Throws: ``BrazilValidationError`` with subject `.pixKey`: the CPF's, CNPJ's, e-mail's or
    ///   phone's own reason, `LENGTH` for an e-mail over 77 characters, `NOT_MOBILE` for a
    ///   landline, `CHARACTERS` for `%` in an e-mail, `FORMAT` for a random key that is no UUID.
    public init(type: KeyType, value: String) throws(BrazilValidationError) {
        self.type = type
        do throws(BrazilValidationError) {
            switch type {
            case .cpf: self.value = try CPF(value).digits
            case .cnpj: self.value = try CNPJ(value).value
            case .email: self.value = try Self.emailKey(value)
            case .phone:
                let phone = try BrazilianPhone(value)
                guard phone.kind == .mobile else {
                    throw BrazilValidationError(.phone, .notMobile,
                        "only mobile numbers (9 digits starting with 9) can be Pix keys; \(phone.formatted) is a landline")
                }
                self.value = phone.e164
            case .random: self.value = try Self.randomKey(value)
            }
        } catch {
            throw error.subject == .pixKey ? error : error.reported(as: .pixKey, prefix: "Pix key: ")
        }
    }

    /// Tells the type from the value itself, the way banking apps do: `@` → e-mail; a leading
    /// `+` → phone; a UUID → random; 11 digits → CPF if its check digits are right, else a
    /// mobile number without `+55`; 14 characters → CNPJ; 10 or 12–13 digits → phone.
    /// An 11-digit value valid both as a CPF and as a mobile number is read as a CPF: pass the
    /// type to ``init(type:value:)`` when it is known.
    /// - Throws: ``BrazilValidationError`` (subject `.pixKey`) from the inferred type, or
    ///   `EMPTY`/`FORMAT` when no type fits.
    public init(inferring input: String) throws(BrazilValidationError) {
        let text = input.trimmingWhitespace
        if text.isEmpty { throw BrazilValidationError(.pixKey, .empty, "Pix key is empty") }
        if text.contains("@") {
            self = try PixKey(type: .email, value: text)
        } else if text.hasPrefix("+") {
            self = try PixKey(type: .phone, value: text)
        } else if Self.isUUID(text.lowercased()) {
            self = try PixKey(type: .random, value: text)
        } else {
            let compact = Characters.compact(text).filter { $0 != "(" && $0 != ")" }
            let allDigits = compact.allSatisfy(Characters.isDigit)
            if compact.count == 14 {
                self = try PixKey(type: .cnpj, value: text)
            } else if allDigits && compact.count == 11 {
                if let cpf = try? PixKey(type: .cpf, value: text) {
                    self = cpf
                } else if let phone = try? PixKey(type: .phone, value: text) {
                    self = phone
                } else {
                    self = try PixKey(type: .cpf, value: text)
                }
            } else if allDigits && [10, 12, 13].contains(compact.count) {
                self = try PixKey(type: .phone, value: text)
            } else {
                throw BrazilValidationError(.pixKey, .format,
                    "Pix key must be a CPF, a CNPJ, an e-mail address, a +55 mobile number or a random key (UUID)")
            }
        }
    }

    /// `"CPF 12345678909"`.
    public var description: String { "\(type.rawValue) \(value)" }

    private enum CodingKeys: String, CodingKey { case type, value }

    /// Decodes `{"type", "value"}` and validates it as ``init(type:value:)`` does.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(KeyType.self, forKey: .type)
        let value = try container.decode(String.self, forKey: .value)
        do throws(BrazilValidationError) { try self.init(type: type, value: value) } catch {
            throw DecodingError.dataCorruptedError(forKey: .value, in: container, debugDescription: error.description)
        }
    }

    /// Encodes `{"type", "value"}` with the normalised value.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encode(value, forKey: .value)
    }

    static func emailKey(_ input: String) throws(BrazilValidationError) -> String {
        let email = try EmailAddress(input)
        if email.localPart.contains("%") {
            throw BrazilValidationError(.pixKey, .characters, "Pix key: an e-mail key may not contain '%'")
        }
        let key = email.normalized
        guard key.unicodeScalars.count <= maxEmailLength else {
            throw BrazilValidationError(.pixKey, .length,
                "Pix key: an e-mail key must have at most \(maxEmailLength) characters, not \(key.unicodeScalars.count)")
        }
        return key
    }

    static func randomKey(_ input: String) throws(BrazilValidationError) -> String {
        let key = input.trimmingWhitespace.lowercased()
        guard isUUID(key) else {
            throw BrazilValidationError(.pixKey, .format,
                "Pix key: a random key must be a UUID such as 123e4567-e89b-12d3-a456-426614174000")
        }
        return key
    }

    /// 8-4-4-4-12 lower-case hex digits.
    static func isUUID(_ s: String) -> Bool {
        let scalars = Array(s.unicodeScalars)
        guard scalars.count == 36 else { return false }
        for (i, c) in scalars.enumerated() {
            if [8, 13, 18, 23].contains(i) {
                if c != "-" { return false }
            } else if !(Characters.isDigit(c) || ("a"..."f").contains(c)) {
                return false
            }
        }
        return true
    }
}
