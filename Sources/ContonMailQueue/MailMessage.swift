import Foundation

/// One e-mail: recipients, subject, a plain-text body, optionally an HTML alternative, and files
/// attached (a boleto's PDF).
///
/// ``rendered(from:)`` produces the RFC 5322 bytes sent over SMTP or written to an `.eml` file:
/// CRLF line endings, 7-bit only (UTF-8 subjects and names as RFC 2047 encoded-words, bodies in
/// quoted-printable or base64), `Date`, `Message-ID`, `MIME-Version` and
/// `Auto-Submitted: auto-generated` headers.
public struct MailMessage: Sendable, Hashable, Codable {
    /// The recipients (`To`); each gets one SMTP `RCPT TO`. At least one is required to enqueue.
    public var to: [MailAddress]
    /// The subject, any Unicode text (line breaks become spaces).
    public var subject: String
    /// The plain-text body (any line endings; sent with CRLF).
    public var textBody: String
    /// An optional HTML alternative; the message becomes `multipart/alternative`.
    public var htmlBody: String?
    /// Where replies should go, when not to the sender.
    public var replyTo: MailAddress?
    /// The `Date` header; `nil` renders the current time. The outbox sets the time of enqueueing.
    public var date: Date?
    /// The `Message-ID` without angle brackets; `nil` renders a fresh one. The outbox sets a stable
    /// one per row, so a message delivered twice (at-least-once) carries the same id both times.
    public var messageID: String?
    /// Files sent with the message; with any, it becomes `multipart/mixed` (the body first). Nil
    /// or empty: none (messages queued before attachments existed decode as nil).
    public var attachments: [MailAttachment]?

    /// A message to `to` with a subject and a plain-text body.
    public init(to: [MailAddress], subject: String, textBody: String, htmlBody: String? = nil, replyTo: MailAddress? = nil,
                date: Date? = nil, messageID: String? = nil, attachments: [MailAttachment]? = nil) {
        self.to = to
        self.subject = subject
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.replyTo = replyTo
        self.date = date
        self.messageID = messageID
        self.attachments = attachments
    }

    /// The full message, headers and body, as sent: ASCII bytes with CRLF line endings.
    public func rendered(from: MailAddress) -> [UInt8] {
        let id = messageID ?? "\(UUID().uuidString.lowercased())@\(from.domain)"
        var head = ""
        head += "Date: \(MIMEEncoding.rfc5322Date(date ?? Date()))\r\n"
        head += MIMEEncoding.addressHeader("From", [from])
        head += MIMEEncoding.addressHeader("To", to)
        if let replyTo { head += MIMEEncoding.addressHeader("Reply-To", [replyTo]) }
        head += MIMEEncoding.header("Subject", words: MIMEEncoding.unstructured(subject))
        head += "Message-ID: <\(id)>\r\n"
        head += "MIME-Version: 1.0\r\n"
        head += "Auto-Submitted: auto-generated\r\n"
        // The text (or the text and its HTML alternative): headers then content.
        var content: String
        if let htmlBody {
            let boundary = "=_conton_" + Self.fnv1a(id)
            content = "Content-Type: multipart/alternative; boundary=\"\(boundary)\"\r\n"
                + "\r\nThis is a multi-part message in MIME format.\r\n"
                + "--\(boundary)\r\n" + Self.part(textBody, subtype: "plain")
                + "--\(boundary)\r\n" + Self.part(htmlBody, subtype: "html")
                + "--\(boundary)--\r\n"
        } else {
            content = Self.part(textBody, subtype: "plain")
        }
        if let attachments, !attachments.isEmpty {
            let boundary = "=_conton_mixed_" + Self.fnv1a(id)
            var mixed = "Content-Type: multipart/mixed; boundary=\"\(boundary)\"\r\n"
                + "\r\nThis is a multi-part message in MIME format.\r\n"
                + "--\(boundary)\r\n" + content
            for attachment in attachments {
                mixed += "--\(boundary)\r\n" + attachment.part()
            }
            content = mixed + "--\(boundary)--\r\n"
        }
        return Array((head + content).utf8)
    }

    /// `Content-Type` + `Content-Transfer-Encoding` headers, a blank line and the encoded text
    /// (ending in CRLF). Base64 when most of the text is not ASCII, quoted-printable otherwise.
    private static func part(_ text: String, subtype: String) -> String {
        let normalized = text.precomposedStringWithCanonicalMapping
        let utf8 = normalized.utf8
        let nonASCII = utf8.reduce(0) { $0 + ($1 >= 0x80 ? 1 : 0) }
        var out = "Content-Type: text/\(subtype); charset=utf-8\r\n"
        if nonASCII * 3 > utf8.count {
            let crlfText = MIMEEncoding.lines(normalized).joined(separator: "\r\n")
            out += "Content-Transfer-Encoding: base64\r\n\r\n" + MIMEEncoding.base64Lines(Data(crlfText.utf8)) + "\r\n"
        } else {
            out += "Content-Transfer-Encoding: quoted-printable\r\n\r\n" + MIMEEncoding.quotedPrintable(normalized) + "\r\n"
        }
        return out
    }

    /// A stable hex digest (FNV-1a, 64 bits) for the MIME boundary: same message, same bytes.
    private static func fnv1a(_ s: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
