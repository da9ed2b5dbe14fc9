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

    /// What a failure says about the other queued messages.
    public enum Scope: String, Sendable, Hashable {
        /// Only this message: a reply to its `MAIL FROM`, `RCPT TO` or `DATA`.
        case message
        /// The server or the configuration (unreachable, TLS, authentication, a full disk): the
        /// other messages would fail the same way, so ``MailDeliveryWorker`` pauses.
        case server
    }

    /// Whether a retry can help.
    public var kind: Kind
    /// Whether the failure concerns only this message or every message.
    public var scope: Scope
    /// The SMTP reply code that decided, when there was one (e.g. 550, 451).
    public var replyCode: Int?
    /// A one-line explanation: curl's error and the server's last reply. Never holds credentials.
    public var message: String

    /// An error of `kind` and `scope` with a message and an optional SMTP reply code.
    public init(_ kind: Kind, replyCode: Int? = nil, scope: Scope = .message, message: String) {
        self.kind = kind
        self.replyCode = replyCode
        self.scope = scope
        self.message = message
    }

    /// `true` when retrying cannot help.
    public var isPermanent: Bool { kind == .permanent }

    /// A permanent failure.
    public static func permanent(_ message: String, replyCode: Int? = nil) -> Self { .init(.permanent, replyCode: replyCode, message: message) }
    /// A transient failure.
    public static func transient(_ message: String, replyCode: Int? = nil, scope: Scope = .message) -> Self {
        .init(.transient, replyCode: replyCode, scope: scope, message: message)
    }

    public var description: String { "\(kind.rawValue) mail failure: \(message)" }
}
