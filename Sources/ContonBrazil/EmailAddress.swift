/// An e-mail address checked with pragmatic rules (not the whole of RFC 5322).
///
/// - Leading and trailing blanks are trimmed; the rest must be printable ASCII with exactly one
///   `@` (no quoted local parts, comments, IP-literal domains or internationalised addresses —
///   the mail outbox speaks plain SMTP).
/// - Local part: 1–64 characters from RFC 5322's *atext* (`A-Z a-z 0-9 ! # $ % & ' * + / = ? ^
///   _ \` { | } ~ -`) and dots, no dot at either end and no two dots in a row. Its case is kept.
/// - Domain: at most 253 characters, at least two dot-separated labels of 1–63 letters, digits
///   and hyphens, no hyphen at either end of a label, a top-level label that is not all digits.
///   It is lower-cased.
/// - Whole address: at most 254 characters (RFC 5321's path limit less the angle brackets).
///
/// Equality and hashing use ``value`` (local part as typed); use ``normalized`` for uniqueness
/// of logins, since virtually every mail server treats the local part case-insensitively.
/// Encodes as ``value``.
public struct EmailAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The part before `@`, case kept.
    public let localPart: String
    /// The domain, lower case.
    public let domain: String

    /// Longest address accepted.
    public static let maxLength = 254
    /// Longest local part accepted.
    public static let maxLocalPartLength = 64
    /// Longest domain accepted.
    public static let maxDomainLength = 253

    static let atext = Set("!#$%&'*+/=?^_`{|}~-".unicodeScalars)

    /// Parses and validates an e-mail address.
    /// - Throws: ``BrazilValidationError`` with reason `EMPTY`, `CHARACTERS`, `LENGTH` or
    ///   `FORMAT` (subject `.email`).
    public init(_ input: String) throws(BrazilValidationError) {
        let text = input.trimmingWhitespace
        if text.isEmpty { throw BrazilValidationError(.email, .empty, "e-mail address is empty") }
        if let bad = text.unicodeScalars.first(where: { $0.value <= 0x20 || $0.value >= 0x7F }) {
            throw BrazilValidationError(.email, .characters,
                "e-mail address may contain only ASCII letters, digits and symbols, without blanks; found \(Characters.quoted(bad))")
        }
        if text.unicodeScalars.count > Self.maxLength {
            throw BrazilValidationError(.email, .length,
                "e-mail address must have at most \(Self.maxLength) characters, not \(text.unicodeScalars.count)")
        }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw BrazilValidationError(.email, .format,
                parts.count == 1 ? "e-mail address must contain '@'" : "e-mail address must contain exactly one '@'")
        }
        let local = String(parts[0]), domain = parts[1].lowercased()
        try Self.checkLocalPart(local)
        try Self.checkDomain(domain)
        localPart = local
        self.domain = domain
    }

    /// `local@domain`, domain lower case: `"Joao.Silva@exemplo.com.br"`.
    public var value: String { localPart + "@" + domain }

    /// The whole address in lower case, for uniqueness checks and look-ups.
    public var normalized: String { value.lowercased() }

    /// ``value``.
    public var description: String { value }

    static func checkLocalPart(_ local: String) throws(BrazilValidationError) {
        if local.isEmpty {
            throw BrazilValidationError(.email, .format, "e-mail address needs a name before '@'")
        }
        if local.unicodeScalars.count > maxLocalPartLength {
            throw BrazilValidationError(.email, .length,
                "the part of an e-mail address before '@' must have at most \(maxLocalPartLength) characters, not \(local.unicodeScalars.count)")
        }
        if let bad = local.unicodeScalars.first(where: {
            !(Characters.isDigit($0) || Characters.isUpper($0) || Characters.isLower($0) || $0 == "." || atext.contains($0))
        }) {
            throw BrazilValidationError(.email, .characters,
                "the part of an e-mail address before '@' may not contain \(Characters.quoted(bad))")
        }
        if local.hasPrefix(".") || local.hasSuffix(".") || local.contains("..") {
            throw BrazilValidationError(.email, .format,
                "the part of an e-mail address before '@' may not start or end with a dot, nor have two dots in a row")
        }
    }

    static func checkDomain(_ domain: String) throws(BrazilValidationError) {
        if domain.isEmpty {
            throw BrazilValidationError(.email, .format, "e-mail address needs a domain after '@'")
        }
        if domain.unicodeScalars.count > maxDomainLength {
            throw BrazilValidationError(.email, .length,
                "the domain of an e-mail address must have at most \(maxDomainLength) characters, not \(domain.unicodeScalars.count)")
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else {
            throw BrazilValidationError(.email, .format, "the domain of an e-mail address must contain a dot, as in exemplo.com.br")
        }
        for label in labels {
            if label.isEmpty {
                throw BrazilValidationError(.email, .format, "the domain of an e-mail address may not have an empty part (two dots in a row, or a dot at either end)")
            }
            if label.unicodeScalars.count > 63 {
                throw BrazilValidationError(.email, .length, "each part of an e-mail domain must have at most 63 characters")
            }
            if let bad = label.unicodeScalars.first(where: { !(Characters.isDigit($0) || Characters.isLower($0) || $0 == "-") }) {
                throw BrazilValidationError(.email, .characters,
                    "the domain of an e-mail address may contain only letters, digits, hyphens and dots; found \(Characters.quoted(bad))")
            }
            if label.hasPrefix("-") || label.hasSuffix("-") {
                throw BrazilValidationError(.email, .format, "a part of an e-mail domain may not start or end with a hyphen")
            }
        }
        if labels.last!.unicodeScalars.allSatisfy(Characters.isDigit) {
            throw BrazilValidationError(.email, .format, "the domain of an e-mail address must end in a name such as .br or .com, not a number")
        }
    }
}

extension EmailAddress: ValidatedString {
    public var encodedString: String { value }
}
