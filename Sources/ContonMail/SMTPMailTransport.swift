import ContonStore

/// Delivers over SMTP with libcurl: one easy handle per message, run on a thread of its own (never
/// on Swift concurrency's cooperative pool), TLS per ``SMTPConfiguration`` with peer verification.
///
/// Envelope: `MAIL FROM` is `from`, one `RCPT TO` per address in `message.to`; any refused
/// recipient fails the whole message (permanent for 5xx, transient for 4xx). libcurl dot-stuffs
/// the data and adds the final `CRLF.CRLF`; the rendered message never starts a line with a dot
/// anyway (quoted-printable encodes it).
public struct SMTPMailTransport: MailTransport {
    /// Server, security, credentials, timeouts.
    public let configuration: SMTPConfiguration

    /// A transport for a parsed configuration.
    public init(configuration: SMTPConfiguration) {
        self.configuration = configuration
    }

    /// A transport for an `smtp://` or `smtps://` URL (see ``SMTPConfiguration``).
    public init(url: String) throws(SMTPConfigurationError) {
        self.configuration = try SMTPConfiguration(url: url)
    }

    /// Sends one message; throws ``MailDeliveryError`` (permanent or transient).
    public func send(_ message: MailMessage, from: MailAddress) async throws {
        guard !message.to.isEmpty else { throw MailDeliveryError.permanent("the message has no recipients") }
        let payload = message.rendered(from: from)
        let configuration = self.configuration, sender = from.address, recipients = message.to.map(\.address)
        try await BlockingWork.run(name: "conton-smtp") {
            try CurlSMTPSession.perform(configuration: configuration, from: sender, recipients: recipients, payload: payload)
        }
    }
}
