import ContonMail
import Foundation
import Testing

@Suite("SMTP URL")
struct SMTPConfigurationTests {
    @Test("smtp:// without credentials: port 25, opportunistic STARTTLS")
    func plainDefaults() throws {
        let c = try SMTPConfiguration(url: "smtp://relay.example")
        #expect(c.host == "relay.example")
        #expect(c.port == 25)
        #expect(c.security == .opportunistic)
        #expect(c.username == nil && c.password == nil && c.caFile == nil)
        #expect(c.timeout == .seconds(60))
        #expect(c.connectTimeout == .seconds(15))
    }

    @Test("smtp:// with credentials requires STARTTLS; user and password are percent-decoded")
    func credentialsRequireStartTLS() throws {
        let c = try SMTPConfiguration(url: "smtp://contato%40escritorio.com.br:p%40ss%3Aw%20rd@smtp.example:587")
        #expect(c.security == .starttls)
        #expect(c.port == 587)
        #expect(c.username == "contato@escritorio.com.br")
        #expect(c.password == "p@ss:w rd")
        #expect(!c.description.contains("p@ss") && !c.description.contains("w%20rd") && c.description.contains("***"))
    }

    @Test("smtps:// is implicit TLS on port 465")
    func implicitTLS() throws {
        let c = try SMTPConfiguration(url: "smtps://u:p@[::1]/office.example?timeout=2.5&connect_timeout=1")
        #expect(c.security == .implicit)
        #expect(c.port == 465)
        #expect(c.host == "::1")
        #expect(c.ehloName == "office.example")
        #expect(c.timeout == .milliseconds(2500))
        #expect(c.connectTimeout == .seconds(1))
    }

    @Test("tls option", arguments: [
        ("smtp://h?tls=none", SMTPConfiguration.Security.none), ("smtp://h?tls=starttls", .starttls), ("smtp://h?tls=required", .starttls),
        ("smtp://h?tls=opportunistic", .opportunistic), ("smtp://u:p@h?tls=starttls", .starttls), ("smtps://h?tls=implicit", .implicit),
    ])
    func tlsOption(_ url: String, _ expected: SMTPConfiguration.Security) throws {
        #expect(try SMTPConfiguration(url: url).security == expected)
    }

    @Test("refused URLs say why", arguments: [
        ("smtp://u:p@h?tls=none", SMTPConfigurationError.credentialsWithoutTLS),
        ("smtp://u@h?tls=opportunistic", .credentialsWithoutTLS),
        ("http://h", .unsupportedScheme("http")),
        ("smtp://h?verify=no", .unknownOption("verify")),
        ("smtp://h:0", .invalidPort(0)),
        ("smtp://h:70000", .invalidPort(70000)),
        ("smtp:///nohost", .missingHost),
        ("smtp://h?cafile=/nonexistent/ca.pem", .caFileNotReadable("/nonexistent/ca.pem")),
    ])
    func refused(_ url: String, _ expected: SMTPConfigurationError) {
        #expect(throws: expected) { try SMTPConfiguration(url: url) }
    }

    @Test("bad option values are refused")
    func badValues() {
        #expect(throws: SMTPConfigurationError.self) { try SMTPConfiguration(url: "smtps://h?tls=none") }
        #expect(throws: SMTPConfigurationError.self) { try SMTPConfiguration(url: "smtp://h?tls=maybe") }
        #expect(throws: SMTPConfigurationError.self) { try SMTPConfiguration(url: "smtp://h?timeout=-1") }
        #expect(throws: SMTPConfigurationError.self) { try SMTPConfiguration(url: "not a url") }
    }

    @Test("flag wins over environment; empty counts as absent")
    func urlResolution() {
        #expect(MailTransportFactory.smtpURL(flag: "smtp://a", environment: ["CONTON_SMTP_URL": "smtp://b"]) == "smtp://a")
        #expect(MailTransportFactory.smtpURL(flag: nil, environment: ["CONTON_SMTP_URL": "smtp://b"]) == "smtp://b")
        #expect(MailTransportFactory.smtpURL(flag: "", environment: ["CONTON_SMTP_URL": ""]) == nil)
    }

    @Test("no URL means .eml files under <data-dir>/outbox")
    func factory() throws {
        let eml = try MailTransportFactory.transport(smtpURL: nil, dataDirectory: "/data")
        #expect((eml as? EMLFileMailTransport)?.directory == "/data/outbox")
        let smtp = try MailTransportFactory.transport(smtpURL: "smtps://u:p@mail.example", dataDirectory: "/data")
        #expect((smtp as? SMTPMailTransport)?.configuration.security == .implicit)
    }
}
