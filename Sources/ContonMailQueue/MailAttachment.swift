import Foundation

/// A file sent with a ``MailMessage``: its name as the recipient sees it, its media type and its
/// bytes (base64 on the wire, `Content-Disposition: attachment`).
public struct MailAttachment: Sendable, Hashable, Codable {
    /// Any Unicode name ("boleto-2027-01.pdf"); path separators and line breaks are replaced.
    public var fileName: String
    /// `type/subtype`, e.g. `application/pdf`.
    public var contentType: String
    public var data: Data

    public init(fileName: String, contentType: String, data: Data) {
        self.fileName = fileName
        self.contentType = contentType
        self.data = data
    }

    /// The MIME part: headers, a blank line and the base64 lines (ending in CRLF). A name that is
    /// not plain ASCII goes as an RFC 2231 `filename*` (UTF-8, percent-encoded) followed by an
    /// ASCII `filename` fallback for readers that do not know it.
    func part() -> String {
        // Scalar by scalar: "\r\n" is one Character, and a lone "\n" must not slip through.
        var cleaned = ""
        for scalar in fileName.unicodeScalars {
            let unsafe = scalar.value < 0x20 || scalar.value == 0x7F || "/\\\"".unicodeScalars.contains(scalar)
            cleaned.unicodeScalars.append(unsafe ? "_" : scalar)
        }
        let name = cleaned.isEmpty ? "attachment" : cleaned
        let type = contentType.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "/.+-".contains($0)) } && contentType.contains("/")
            ? contentType : "application/octet-stream"
        var disposition = "attachment"
        if name.allSatisfy({ $0.isASCII && !$0.isNewline }) {
            disposition += "; filename=\"\(name)\""
        } else {
            let fallback = String(name.map { $0.isASCII ? $0 : "_" })
            let encoded = name.utf8.map { b -> String in
                let c = Character(Unicode.Scalar(b))
                return b < 0x80 && (c.isLetter || c.isNumber || "-._".contains(c)) ? String(c) : String(format: "%%%02X", b)
            }.joined()
            // filename* first: readers that know RFC 2231 take the first name they find.
            disposition += "; filename*=UTF-8''\(encoded); filename=\"\(fallback)\""
        }
        return "Content-Type: \(type)\r\n"
            + "Content-Transfer-Encoding: base64\r\n"
            + "Content-Disposition: \(disposition)\r\n\r\n"
            + MIMEEncoding.base64Lines(data) + "\r\n"
    }
}
