/// A table as CSV the way Excel in pt-BR opens it: UTF-8 with a byte-order mark, `;` between
/// fields, CRLF between records, fields quoted (RFC 4180) when they hold `;`, `"`, CR or LF, and
/// amounts with a decimal comma (``DocumentFormat/csvMoney(cents:)``).
public struct CSVTable: Sendable, Hashable {
    public var header: [String]
    public var rows: [[String]]

    public init(header: [String], rows: [[String]] = []) {
        self.header = header
        self.rows = rows
    }

    /// The encoded file.
    public var bytes: [UInt8] {
        var out: [UInt8] = [0xEF, 0xBB, 0xBF]
        out.reserveCapacity(3 + (rows.count + 1) * header.count * 16)
        func record(_ fields: [String]) {
            for (i, field) in fields.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ";")) }
                if field.utf8.contains(where: { $0 == UInt8(ascii: ";") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }) {
                    out.append(UInt8(ascii: "\""))
                    for byte in field.utf8 {
                        if byte == UInt8(ascii: "\"") { out.append(byte) }
                        out.append(byte)
                    }
                    out.append(UInt8(ascii: "\""))
                } else {
                    out.append(contentsOf: field.utf8)
                }
            }
            out.append(contentsOf: [13, 10])
        }
        record(header)
        for row in rows { record(row) }
        return out
    }
}
