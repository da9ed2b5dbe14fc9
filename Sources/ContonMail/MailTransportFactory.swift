import Logging

/// Chooses the transport from configuration: SMTP when a URL is given, `.eml` files otherwise.
public enum MailTransportFactory {
    /// The environment variable read when `--smtp-url` is absent.
    public static let environmentVariable = "CONTON_SMTP_URL"

    /// The SMTP URL to use: the flag's value, else `CONTON_SMTP_URL`, else `nil` (empty counts as absent).
    public static func smtpURL(flag: String?, environment: [String: String]) -> String? {
        if let flag, !flag.isEmpty { return flag }
        if let value = environment[environmentVariable], !value.isEmpty { return value }
        return nil
    }

    /// ``SMTPMailTransport`` for `smtpURL`, or ``EMLFileMailTransport`` writing into
    /// `<dataDirectory>/outbox` when it is `nil`. Throws ``SMTPConfigurationError`` for a bad URL.
    public static func transport(smtpURL: String?, dataDirectory: String, logger: Logger = Logger(label: "conton.mail")) throws(SMTPConfigurationError) -> any MailTransport {
        if let smtpURL {
            let configuration = try SMTPConfiguration(url: smtpURL)
            logger.info("mail goes out over SMTP", metadata: ["smtp": .string(configuration.description)])
            return SMTPMailTransport(configuration: configuration)
        }
        let directory = dataDirectory + "/outbox"
        logger.notice("no SMTP server configured: mail is written as .eml files", metadata: ["directory": .string(directory)])
        return EMLFileMailTransport(directory: directory, logger: logger)
    }
}
