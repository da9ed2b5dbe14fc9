import Foundation

/// An e-mail address with an optional display name: `Maria Souza <maria@example.com.br>`.
///
/// The address is validated at construction (a dot-atom local part, `@`, a domain of letters,
/// digits and hyphens); internationalised addresses (SMTPUTF8) are refused. The display name may
/// hold any Unicode text: it is rendered as an RFC 2047 encoded-word when not plain ASCII.
public struct MailAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The bare address, `local@domain`, as given (no angle brackets).
    public let address: String
    /// The display name, if any (control characters and line breaks replaced by spaces).
    public let name: String?

    /// Validates `address` and keeps `name`; throws ``MailAddressError`` for a malformed address.
    public init(_ address: String, name: String? = nil) throws(MailAddressError) {
        let trimmed = address.trimmingCharacters(in: .whitespaces)
        try Self.validate(trimmed)
        self.address = trimmed
        let cleaned = name.map(Self.cleanName)
        self.name = (cleaned?.isEmpty ?? true) ? nil : cleaned
    }

    /// The part after the `@`, lowercased.
    public var domain: String {
        String(address[address.index(after: address.lastIndex(of: "@")!)...]).lowercased()
    }

    /// The RFC 5322 `mailbox` form for a header: `addr@x` or `Name <addr@x>`, with the name quoted
    /// or encoded as needed.
    public var rendered: String {
        guard let name else { return address }
        return "\(MIMEEncoding.phrase(name)) <\(address)>"
    }

    /// `Name <address>` (unencoded, for logs).
    public var description: String { name.map { "\($0) <\(address)>" } ?? address }

    private enum CodingKeys: String, CodingKey { case address, name }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let address = try container.decode(String.self, forKey: .address)
        let name = try container.decodeIfPresent(String.self, forKey: .name)
        do { try self.init(address, name: name) } catch {
            throw DecodingError.dataCorruptedError(forKey: .address, in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(address, forKey: .address)
        try container.encodeIfPresent(name, forKey: .name)
    }

    private static func cleanName(_ name: String) -> String {
        String(name.unicodeScalars.map { CharacterSet.controlCharacters.contains($0) || $0 == "\u{2028}" || $0 == "\u{2029}" ? " " : Character($0) })
            .trimmingCharacters(in: .whitespaces)
    }

    /// `atext` of RFC 5322 (letters, digits and ``!#$%&'*+-/=?^_`{|}~``).
    static func isAtext(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: Array("!#$%&'*+-/=?^_`{|}~".utf8).contains(b)
        }
    }

    private static func validate(_ address: String) throws(MailAddressError) {
        let bytes = Array(address.utf8)
        guard !bytes.isEmpty else { throw .empty }
        guard bytes.count <= 254 else { throw .tooLong(address) }
        guard bytes.allSatisfy({ $0 < 0x80 }) else { throw .nonASCII(address) }
        guard let at = bytes.lastIndex(of: UInt8(ascii: "@")), bytes.filter({ $0 == UInt8(ascii: "@") }).count == 1 else {
            throw .invalid(address, reason: "expected exactly one @")
        }
        let local = bytes[..<at], domain = bytes[(at + 1)...]
        guard !local.isEmpty, local.count <= 64 else { throw .invalid(address, reason: "the part before @ must have 1 to 64 characters") }
        let localAtoms = local.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard localAtoms.allSatisfy({ !$0.isEmpty && $0.allSatisfy(isAtext) }) else {
            throw .invalid(address, reason: "the part before @ has a character or dot that is not allowed")
        }
        guard !domain.isEmpty else { throw .invalid(address, reason: "missing domain") }
        let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        for label in labels {
            let ok = !label.isEmpty && label.count <= 63 && label.first != UInt8(ascii: "-") && label.last != UInt8(ascii: "-")
                && label.allSatisfy { b in
                    (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
                        || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "-")
                }
            guard ok else { throw .invalid(address, reason: "the domain is not a valid host name") }
        }
    }
}

/// Why a string is not a usable e-mail address.
public enum MailAddressError: Error, Sendable, Hashable, CustomStringConvertible {
    case empty
    case tooLong(String)
    /// Non-ASCII addresses need SMTPUTF8, which ContOn does not use.
    case nonASCII(String)
    case invalid(String, reason: String)

    public var description: String {
        switch self {
        case .empty: "empty e-mail address"
        case .tooLong(let a): "e-mail address longer than 254 characters: \(a.prefix(40))…"
        case .nonASCII(let a): "e-mail address with non-ASCII characters is not supported: \(a)"
        case .invalid(let a, let reason): "invalid e-mail address \(a): \(reason)"
        }
    }
}
