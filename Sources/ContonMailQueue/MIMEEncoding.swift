import Foundation

/// RFC 2045/2047/5322 encoders used to render messages: quoted-printable bodies, encoded-word
/// headers, header folding, dates. All output is 7-bit ASCII with CRLF line breaks.
enum MIMEEncoding {
    static let crlf = "\r\n"

    // MARK: Bodies

    /// Splits text into lines on CRLF, CR or LF.
    static func lines(_ text: String) -> [Substring] {
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// Quoted-printable (RFC 2045 §6.7) of UTF-8 text: lines of at most 76 characters, CRLF hard
    /// breaks, `=` soft breaks. A `.` or the `F` of `From ` at the start of a line is encoded too,
    /// so no line ever needs SMTP dot-stuffing or mbox escaping.
    static func quotedPrintable(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count + text.utf8.count / 4)
        let hex = Array("0123456789ABCDEF".utf8)
        for (index, line) in lines(text).enumerated() {
            if index > 0 { out += crlf }
            let bytes = Array(line.utf8)
            var column = 0
            for (i, b) in bytes.enumerated() {
                let last = i == bytes.count - 1
                let startsLine = column == 0
                let literal: Bool
                switch b {
                case UInt8(ascii: " "), UInt8(ascii: "\t"): literal = !last
                case UInt8(ascii: "="): literal = false
                case UInt8(ascii: "."): literal = !startsLine
                case UInt8(ascii: "F"):
                    literal = !(startsLine && bytes[i...].starts(with: Array("From ".utf8)))
                case 33...126: literal = true
                default: literal = false
                }
                let token: [UInt8] = literal ? [b] : [UInt8(ascii: "="), hex[Int(b >> 4)], hex[Int(b & 0xF)]]
                // Keep room for the soft-break "=" unless this token ends the line.
                let limit = last ? 76 : 75
                if column + token.count > limit {
                    out += "=" + crlf
                    column = 0
                    if b == UInt8(ascii: ".") || (b == UInt8(ascii: "F") && bytes[i...].starts(with: Array("From ".utf8))) {
                        out += "=" + String(decoding: [hex[Int(b >> 4)], hex[Int(b & 0xF)]], as: UTF8.self)
                        column = 3
                        continue
                    }
                }
                out += String(decoding: token, as: UTF8.self)
                column += token.count
            }
        }
        return out
    }

    /// Base64 in lines of 76 characters joined by CRLF.
    static func base64Lines(_ data: Data) -> String {
        let encoded = Array(data.base64EncodedString().utf8)
        return stride(from: 0, to: encoded.count, by: 76)
            .map { String(decoding: encoded[$0..<min($0 + 76, encoded.count)], as: UTF8.self) }
            .joined(separator: crlf)
    }

    // MARK: Headers

    /// Whether `text` can go into a header unencoded: printable ASCII and space only, no "=?".
    static func isPlainHeaderText(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 32 && $0 < 127 } && !text.contains("=?")
    }

    /// RFC 2047 "B" encoded-words for `text`, each at most 64 characters and holding whole
    /// characters only (never a split UTF-8 sequence), separated by folding whitespace.
    static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        func flush() {
            guard !chunk.isEmpty else { return }
            words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
            chunk.removeAll()
        }
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 39 { flush() }  // 39 bytes → 52 base64 chars → 64 per word
            chunk += bytes
        }
        flush()
        return words
    }

    /// An unstructured header value (`Subject`): plain when printable ASCII, encoded-words otherwise.
    static func unstructured(_ text: String) -> [String] {
        let cleaned = cleanHeaderText(text).trimmingCharacters(in: .whitespaces)
        if isPlainHeaderText(cleaned) {
            return cleaned.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        }
        return encodedWords(cleaned)
    }

    /// A display name as an RFC 5322 phrase: atoms, a quoted-string, or encoded-words.
    static func phrase(_ name: String) -> String {
        let cleaned = cleanHeaderText(name)
        if isPlainHeaderText(cleaned) {
            let atoms = cleaned.split(separator: " ")
            if !atoms.isEmpty, atoms.allSatisfy({ $0.utf8.allSatisfy(MailAddress.isAtext) }) {
                return atoms.joined(separator: " ")
            }
            return "\"" + cleaned.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return encodedWords(cleaned).joined(separator: " ")
    }

    /// Line breaks and other control characters become spaces: a header can never be split.
    static func cleanHeaderText(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 32 || $0.value == 127 || $0 == "\u{2028}" || $0 == "\u{2029}" ? " " : $0 }))
            .precomposedStringWithCanonicalMapping
    }

    /// `Name: word word …`, folded with CRLF + space so lines stay within 78 characters where
    /// the words allow (a single word is never split). `separator` follows every word but the last
    /// ("," for address lists).
    static func header(_ name: String, words: [String], separator: String = "") -> String {
        var out = name + ":"
        var column = out.utf8.count
        for (i, word) in words.enumerated() {
            let item = word + (i == words.count - 1 ? "" : separator)
            if i > 0, column + 1 + item.utf8.count > 78 {
                out += crlf
                column = 0
            }
            out += " " + item
            column += 1 + item.utf8.count
        }
        return out + crlf
    }

    /// An address-list header (`To`, `Reply-To`), folded after commas.
    static func addressHeader(_ name: String, _ addresses: [MailAddress]) -> String {
        header(name, words: addresses.map(\.rendered), separator: ",")
    }

    // MARK: Dates

    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// RFC 5322 date-time in UTC: `Tue, 03 Mar 2026 14:05:09 +0000`.
    static func rfc5322Date(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.weekday, .day, .month, .year, .hour, .minute, .second], from: date)
        func two(_ v: Int?) -> String { let v = v ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        return "\(weekdays[(c.weekday ?? 1) - 1]), \(two(c.day)) \(months[(c.month ?? 1) - 1]) \(c.year ?? 1970) \(two(c.hour)):\(two(c.minute)):\(two(c.second)) +0000"
    }
}
