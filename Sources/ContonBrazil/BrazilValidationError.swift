/// Why a Brazilian identifier, code or amount was refused.
///
/// Every failure names *what* was being validated (``subject``), a stable machine ``reason`` and a
/// clear English ``description``, so a handler can turn it into a request field violation
/// (`FieldViolation(field: "client.cpf", description: error.description)`) and clients can branch
/// on ``Reason-swift.enum/rawValue`` (`"CHECK_DIGITS"`, `"LENGTH"`, …) without parsing text.
public struct BrazilValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was being validated.
    public enum Subject: String, Sendable, Hashable, Codable, CaseIterable {
        case cpf = "CPF"
        case cnpj = "CNPJ"
        /// A CPF or a CNPJ, before its length told which.
        case taxID = "TAX_ID"
        case cep = "CEP"
        case uf = "UF"
        case phone = "PHONE"
        case email = "EMAIL"
        case pixKey = "PIX_KEY"
        case amount = "AMOUNT"

        /// How descriptions name the subject: "CPF", "phone number", "Pix key", …
        public var label: String {
            switch self {
            case .cpf: "CPF"
            case .cnpj: "CNPJ"
            case .taxID: "CPF/CNPJ"
            case .cep: "CEP"
            case .uf: "state (UF)"
            case .phone: "phone number"
            case .email: "e-mail address"
            case .pixKey: "Pix key"
            case .amount: "amount"
            }
        }
    }

    /// A stable machine-readable reason; the raw values never change once released.
    public enum Reason: String, Sendable, Hashable, Codable, CaseIterable {
        /// Nothing but blanks and separators was given.
        case empty = "EMPTY"
        /// Too many or too few characters (digits) after separators are removed.
        case length = "LENGTH"
        /// A character that is not allowed (a letter in a CPF, a symbol, a non-ASCII digit, …).
        case characters = "CHARACTERS"
        /// All digits equal (`111.111.111-11`): such numbers pass mod 11 but are never issued.
        case repeatedDigits = "REPEATED_DIGITS"
        /// The check digits do not match the rest of the number.
        case checkDigits = "CHECK_DIGITS"
        /// A value out of range (a CEP below 01000-000, a negative amount).
        case range = "RANGE"
        /// Not one of a closed list (an unknown UF).
        case unknown = "UNKNOWN"
        /// The two-digit area code (DDD) is not one ANATEL assigned.
        case areaCode = "AREA_CODE"
        /// An international number that is not Brazilian (+55).
        case countryCode = "COUNTRY_CODE"
        /// The subscriber number starts with a digit its kind cannot start with.
        case firstDigit = "FIRST_DIGIT"
        /// A landline where only mobile numbers are allowed (Pix phone keys).
        case notMobile = "NOT_MOBILE"
        /// The overall shape is wrong (an e-mail without "@", a random Pix key that is no UUID, …).
        case format = "FORMAT"
    }

    /// What was being validated.
    public let subject: Subject
    /// The stable machine reason.
    public let reason: Reason
    /// A clear English sentence naming what is wrong, e.g. "CPF must have 11 digits, not 10".
    public let description: String

    /// Makes an error; `description` should be a full sentence naming the subject.
    public init(_ subject: Subject, _ reason: Reason, _ description: String) {
        self.subject = subject
        self.reason = reason
        self.description = description
    }

    /// The same failure reported under another subject (a CPF error inside a Pix key), with
    /// `prefix` before the description.
    func reported(as subject: Subject, prefix: String) -> BrazilValidationError {
        BrazilValidationError(subject, reason, prefix + description)
    }
}
