/// Why a message was not delivered, and whether trying again can help.
///
/// - `.permanent`: the server refused *this message* (a 5xx reply to `MAIL FROM`,
///   `RCPT TO` or `DATA`: unknown recipient, message rejected), or the message cannot be built
///   (bad address, unreadable outbox row). Retrying would give the same answer.
/// - `.transient`: everything else — connection refused or lost, timeouts, DNS,
///   any 4xx reply, TLS failures, refused credentials, STARTTLS missing where required. These
///   are server or configuration problems that an operator can fix, so the message is retried.
public struct MailDeliveryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Permanent (give up) or transient (retry later).
    public enum Kind: String, Sendable, Hashable {
        case permanent
        case transient
    }

    /// Whether a retry can help.
    public var kind: Kind
    /// The SMTP reply code that decided, when there was one (e.g. 550, 451).
    public var replyCode: Int?
    /// A one-line explanation: curl's error and the server's last reply. Never holds credentials.
    public var message: String

    /// An error of `kind` with a message and an optional SMTP reply code.
    public init(_ kind: Kind, replyCode: Int? = nil, message: String) {
        self.kind = kind
        self.replyCode = replyCode
        self.message = message
    }

    /// `true` when retrying cannot help.
    public var isPermanent: Bool { kind == .permanent }

    /// A permanent failure.
    public static func permanent(_ message: String, replyCode: Int? = nil) -> Self { .init(.permanent, replyCode: replyCode, message: message) }
    /// A transient failure.
    public static func transient(_ message: String, replyCode: Int? = nil) -> Self { .init(.transient, replyCode: replyCode, message: message) }

    public var description: String { "\(kind.rawValue) mail failure: \(message)" }
}
