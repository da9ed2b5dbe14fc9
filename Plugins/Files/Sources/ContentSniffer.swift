/// Tells a file's content type from its first bytes (magic numbers), never from its name.
enum ContentSniffer {
    /// How many leading bytes ``sniff(_:)`` wants (enough to find the parts of an OOXML package).
    static let prefixLength = 64 * 1024

    static let pdf = "application/pdf"
    static let png = "image/png"
    static let jpeg = "image/jpeg"
    static let xml = "application/xml"
    static let zip = "application/zip"
    static let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    static let docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    static let utf8Text = "text/plain; charset=utf-8"
    static let latin1Text = "text/plain; charset=iso-8859-1"
    static let binary = "application/octet-stream"

    /// The content type of a file that starts with `prefix` (its first ``prefixLength`` bytes, or
    /// all of it when shorter); `complete` says whether `prefix` is the whole file.
    static func sniff(_ prefix: [UInt8], complete: Bool) -> String {
        if prefix.starts(with: Array("%PDF-".utf8)) { return pdf }
        if prefix.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return png }
        if prefix.starts(with: [0xFF, 0xD8, 0xFF]) { return jpeg }
        if prefix.starts(with: [0x50, 0x4B, 0x03, 0x04]) || prefix.starts(with: [0x50, 0x4B, 0x05, 0x06]) {
            return office(prefix) ?? zip
        }
        var body = prefix[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        if body.drop(while: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }).starts(with: Array("<?xml".utf8)),
           isText(body, complete: complete) != nil {
            return xml
        }
        if !prefix.isEmpty, let charset = isText(prefix[...], complete: complete) { return charset }
        return binary
    }

    /// XLSX or DOCX: a ZIP whose local file headers name `xl/…` or `word/…` parts.
    private static func office(_ bytes: [UInt8]) -> String? {
        var i = 0
        while i + 30 <= bytes.count {
            if bytes[i] == 0x50, bytes[i + 1] == 0x4B, bytes[i + 2] == 0x03, bytes[i + 3] == 0x04 {
                let nameLength = Int(bytes[i + 26]) | Int(bytes[i + 27]) << 8
                let start = i + 30
                if start + nameLength <= bytes.count {
                    let name = bytes[start..<(start + nameLength)]
                    if name.starts(with: Array("xl/".utf8)) { return xlsx }
                    if name.starts(with: Array("word/".utf8)) { return docx }
                }
                i = start
            } else {
                i += 1
            }
        }
        return nil
    }

    /// `text/plain` with its charset when the bytes are text: valid UTF-8 (a sequence cut by the
    /// end of an incomplete prefix is fine) or, failing that, ISO-8859-1 (what SPED files and many
    /// bank exports use) — in both cases without NUL or control characters other than tab, line
    /// feed, form feed and carriage return.
    private static func isText(_ bytes: ArraySlice<UInt8>, complete: Bool) -> String? {
        for b in bytes where (b < 0x20 && b != 0x09 && b != 0x0A && b != 0x0C && b != 0x0D) || b == 0x7F {
            return nil
        }
        var slice = bytes
        if !complete {
            // Drop a multi-byte sequence the prefix may have cut in two.
            var back = 0
            while back < 3, let last = slice.last, last & 0xC0 == 0x80 { slice = slice.dropLast(); back += 1 }
            if let last = slice.last, last >= 0xC0 { slice = slice.dropLast() } else if back > 0 { slice = bytes }
        }
        if String(validating: slice, as: UTF8.self) != nil { return utf8Text }
        if bytes.contains(where: { (0x80...0x9F).contains($0) }) { return nil }
        return latin1Text
    }
}
