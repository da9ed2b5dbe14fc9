/// A Brazilian phone number: a two-digit area code (DDD) and a landline or mobile number.
///
/// - The DDD must be one of the 67 ANATEL assigned (11–19, 21, 22, 24, 27, 28, 31–35, 37, 38,
///   41–49, 51, 53–55, 61–69, 71, 73–75, 77, 79, 81–89, 91–99); see ``UF/areaCodes``.
/// - A landline number has 8 digits starting with 2, 3, 4 or 5; a mobile number has 9 digits
///   starting with 9 (the "nono dígito", nationwide since 2016).
///
/// Accepted input: digits with blanks, '(', ')', '-', '.', '/' anywhere; an optional `+55` or
/// `55` country code (`+` only at the start, and then it must be 55); an optional national
/// trunk `0` before the DDD (`011 98765-4321`). Carrier-selection codes (`0 21 11 …`) and
/// non-geographic numbers (0800, 4004) are refused.
///
/// Encodes as E.164 (`"+5511987654321"`); decoding accepts what ``init(_:)`` accepts.
public struct BrazilianPhone: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Landline or mobile, told by the number's length.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// 8 digits starting with 2–5.
        case landline
        /// 9 digits starting with 9.
        case mobile
    }

    /// The area code (DDD), `"11"`.
    public let areaCode: String
    /// The subscriber number without the DDD: 8 or 9 digits, `"987654321"`.
    public let number: String

    /// Every area code ANATEL assigned (67 codes).
    public static let validAreaCodes: Set<Int> = Set(UF.allCases.flatMap(\.areaCodes))

    /// Parses and validates a Brazilian phone number.
    /// - Throws: ``BrazilValidationError`` with reason `EMPTY`, `CHARACTERS`, `COUNTRY_CODE`,
    ///   `LENGTH`, `AREA_CODE` or `FIRST_DIGIT` (subject `.phone`).
    public init(_ input: String) throws(BrazilValidationError) {
        var digits: [Unicode.Scalar] = []
        var plus = false
        for s in input.unicodeScalars {
            if Characters.isDigit(s) {
                digits.append(s)
            } else if s == "+" && digits.isEmpty && !plus {
                plus = true
            } else if !(s.properties.isWhitespace || "()-./".unicodeScalars.contains(s)) {
                throw BrazilValidationError(.phone, .characters,
                    "phone number may contain only digits, a leading '+', blanks and ( ) - . /; found \(Characters.quoted(s))")
            }
        }
        if digits.isEmpty { throw BrazilValidationError(.phone, .empty, "phone number is empty") }
        var national = digits[...]
        if plus {
            guard digits.starts(with: ["5", "5"]) else {
                throw BrazilValidationError(.phone, .countryCode,
                    "only Brazilian phone numbers (+55) are accepted; this one starts with +\(Characters.string(digits.prefix(3)))")
            }
            national = national.dropFirst(2)
        } else if (digits.count == 12 || digits.count == 13) && digits.starts(with: ["5", "5"]) {
            national = national.dropFirst(2)
        } else if (digits.count == 11 || digits.count == 12) && digits.first == "0" {
            national = national.dropFirst(1)
        }
        guard national.count == 10 || national.count == 11 else {
            throw BrazilValidationError(.phone, .length,
                "phone number must have a 2-digit area code (DDD) and 8 (landline) or 9 (mobile) digits; found \(national.count) digits")
        }
        let ddd = Characters.string(national.prefix(2))
        guard let dddValue = Int(ddd), Self.validAreaCodes.contains(dddValue) else {
            throw BrazilValidationError(.phone, .areaCode, "\(ddd) is not a Brazilian area code (DDD)")
        }
        let number = national.dropFirst(2)
        let first = number.first!
        if number.count == 9 {
            guard first == "9" else {
                throw BrazilValidationError(.phone, .firstDigit, "a 9-digit mobile number must start with 9")
            }
        } else {
            guard ("2"..."5").contains(first) else {
                throw BrazilValidationError(.phone, .firstDigit,
                    "an 8-digit landline number must start with 2, 3, 4 or 5 (mobile numbers have 9 digits starting with 9)")
            }
        }
        areaCode = ddd
        self.number = Characters.string(number)
    }

    /// Landline or mobile.
    public var kind: Kind { number.count == 9 ? .mobile : .landline }

    /// The state of the area code (DF for 61).
    public var state: UF { UF(areaCode: Int(areaCode)!)! }

    /// E.164: `"+5511987654321"`.
    public var e164: String { "+55" + areaCode + number }

    /// `"(11) 98765-4321"` or `"(11) 2345-6789"`.
    public var formatted: String { "(\(areaCode)) \(number.dropLast(4))-\(number.suffix(4))" }

    /// The formatted number.
    public var description: String { formatted }
}

extension BrazilianPhone: ValidatedString {
    public var encodedString: String { e164 }
}
