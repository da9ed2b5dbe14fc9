/// A BR Code payload read back into its TLV fields, its CRC checked.
///
/// Templates are read into their sub-fields: the merchant account templates `26`…`51`, the
/// additional data template `62` and the unreserved templates `80`…`99`.
public struct PixBRCode: Sendable, Hashable {
    /// One TLV field.
    public struct Field: Sendable, Hashable {
        /// The 2-digit id, `"26"`.
        public let id: String
        /// The raw value (for a template, its sub-fields' text).
        public let value: String
        /// The sub-fields of a template; empty for others.
        public let children: [Field]
        /// 1-based position of the id's first character in the payload.
        public let position: Int

        /// The sub-field `id`, if present.
        public subscript(id: String) -> Field? { children.first { $0.id == id } }
    }

    /// The top-level fields in payload order (field 63, the CRC, included).
    public let fields: [Field]

    /// Parses and checks `payload`.
    /// - Throws: ``PixError/malformed(position:expected:)`` for a broken TLV structure, a
    ///   payload not starting with `000201` or not ending with field 63 of 4 hex digits;
    ///   ``PixError/crcMismatch(found:computed:)`` when the CRC is wrong.
    public init(parsing payload: String) throws(PixError) {
        let chars = Array(payload.unicodeScalars)
        if let bad = chars.firstIndex(where: { !(0x20...0x7E).contains($0.value) }) {
            throw .malformed(position: bad + 1, expected: "printable ASCII characters")
        }
        let fields = try Self.parse(chars, from: 0, to: chars.count, nested: false)
        guard let first = fields.first, first.id == "00", first.value == "01" else {
            throw .malformed(position: 1, expected: "field 00 (payload format indicator) = \"01\" first")
        }
        guard let last = fields.last, last.id == "63" else {
            throw .malformed(position: chars.count, expected: "field 63 (CRC16) last")
        }
        let hexDigits = last.value.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || ("A"..."F").contains($0) || ("a"..."f").contains($0) }
        guard last.value.count == 4, hexDigits else {
            throw .malformed(position: last.position + 4, expected: "4 hex digits of CRC16 in field 63")
        }
        let covered = String(String.UnicodeScalarView(chars[0 ..< chars.count - 4]))
        let computed = CRC16.hex(covered)
        guard computed == last.value.uppercased() else { throw .crcMismatch(found: last.value, computed: computed) }
        self.fields = fields
    }

    /// The top-level field `id`, if present.
    public subscript(id: String) -> Field? { fields.first { $0.id == id } }

    /// Field 26-01, the Pix key (nil when field 26 is not a `br.gov.bcb.pix` account).
    public var key: String? {
        guard let account = self["26"], account["00"]?.value.lowercased() == PixPayload.gui else { return nil }
        return account["01"]?.value
    }

    /// Field 54 in centavos (0 when absent; nil when present but not a decimal amount).
    public var amountCents: Int64? {
        guard let text = self["54"]?.value else { return 0 }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let reais = Int64(parts[0]), reais >= 0 else { return nil }
        if parts.count == 1 { return reais * 100 }
        let frac = String(parts[1])
        guard (1...2).contains(frac.count), let f = Int64(frac), frac.allSatisfy(\.isNumber) else { return nil }
        return reais * 100 + (frac.count == 1 ? f * 10 : f)
    }

    /// Field 59, the merchant name.
    public var merchantName: String? { self["59"]?.value }
    /// Field 60, the merchant city.
    public var merchantCity: String? { self["60"]?.value }
    /// Field 62-05, the txid.
    public var txid: String? { self["62"]?["05"]?.value }

    static func isTemplate(_ id: Int) -> Bool { (26...51).contains(id) || id == 62 || (80...99).contains(id) }

    private static func parse(_ c: [Unicode.Scalar], from start: Int, to end: Int, nested: Bool) throws(PixError) -> [Field] {
        var fields: [Field] = []
        var i = start
        while i < end {
            guard i + 4 <= end else {
                throw .malformed(position: i + 1, expected: "a 2-digit id and a 2-digit length (4 characters), found \(end - i)")
            }
            let digits = c[i ..< i + 4]
            if let bad = digits.firstIndex(where: { !("0"..."9").contains($0) }) {
                throw .malformed(position: bad + 1, expected: bad < i + 2 ? "a digit of a field id" : "a digit of a field length")
            }
            let v = digits.map { Int($0.value) - 48 }
            let id = v[0] * 10 + v[1], length = v[2] * 10 + v[3]
            guard i + 4 + length <= end else {
                throw .malformed(position: i + 3, expected: "a length of at most \(end - i - 4) for field \(v[0])\(v[1]) (it says \(length))")
            }
            let idText = String(String.UnicodeScalarView(c[i ..< i + 2]))
            let value = String(String.UnicodeScalarView(c[i + 4 ..< i + 4 + length]))
            let children = (!nested && isTemplate(id)) ? try parse(c, from: i + 4, to: i + 4 + length, nested: true) : []
            fields.append(Field(id: idText, value: value, children: children, position: i + 1))
            i += 4 + length
        }
        return fields
    }
}
