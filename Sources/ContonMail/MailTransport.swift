/// Something that delivers one message: SMTP (``SMTPMailTransport``) or `.eml` files
/// (``EMLFileMailTransport``).
///
/// `send` returns once the message is accepted (by the SMTP server, or safely on disk); it throws
/// ``MailDeliveryError`` otherwise, saying whether a retry can help. Any other error thrown is
/// treated as transient by ``MailDeliveryWorker``.
public protocol MailTransport: Sendable {
    /// Delivers `message` with `from` as sender (header `From` and SMTP envelope `MAIL FROM`).
    func send(_ message: MailMessage, from: MailAddress) async throws
}
