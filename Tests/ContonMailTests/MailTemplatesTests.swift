import ContonMail
import Foundation
import Testing

@Suite("pt-BR templates")
struct MailTemplatesTests {
    /// 2026-03-10 15:30 UTC = 12:30 in São Paulo (UTC−3).
    let expiry = Date(timeIntervalSince1970: 1_773_156_600)
    let recipient = try! MailAddress("joao@cliente.example", name: "João Souza")

    /// Anything that looks like a password handed over in the message.
    func looksLikePassword(_ text: String) -> Bool {
        text.range(of: #"(senha|password|pass)\s*(provis[oó]ria|tempor[aá]ria)?\s*[:=]"#, options: [.regularExpression, .caseInsensitive]) != nil
    }

    @Test("account activation: code, expiry in São Paulo time, no password")
    func activation() async throws {
        let m = MailTemplates.accountActivation(recipient: recipient, name: "João", officeName: "Contábil Ação",
                                                code: "483920", expiresAt: expiry, portalURL: "https://portal.contabil.example")
        #expect(m.to == [recipient])
        #expect(m.subject == "Seu acesso ao portal Contábil Ação")
        for body in [m.textBody, try #require(m.htmlBody)] {
            #expect(body.contains("483920"))
            #expect(body.contains("10/03/2026 12:30"))
            #expect(body.contains("horário de Brasília"))
            #expect(!looksLikePassword(body))
        }
        #expect(m.textBody.hasPrefix("Olá, João!"))
        #expect(m.textBody.contains("https://portal.contabil.example"))
        #expect(m.textBody.contains("Código de ativação: 483920"))
        #expect(m.textBody.contains("nunca envia senhas por e-mail"))
        #expect(!m.textBody.contains("(horário de Brasília)\n\n\n"))

        let decoded = try await decodeWithPython(m.rendered(from: sender))
        #expect(decoded.subject == m.subject)
        #expect(decoded.text == m.textBody)
        #expect(decoded.defects.isEmpty)
        #expect(decoded.html?.contains("<strong style=\"font-size:22px;letter-spacing:3px;font-family:monospace\">483920</strong>") == true)
    }

    @Test("password reset: code and expiry, no password")
    func reset() throws {
        let m = MailTemplates.passwordReset(recipient: recipient, name: "João", officeName: "Contábil Ação", code: "XK2-99Q", expiresAt: expiry)
        #expect(m.subject == "Redefinição de senha do portal Contábil Ação")
        for body in [m.textBody, try #require(m.htmlBody)] {
            #expect(body.contains("XK2-99Q"))
            #expect(body.contains("10/03/2026 12:30"))
            #expect(!looksLikePassword(body))
        }
        #expect(m.textBody.contains("Código de redefinição: XK2-99Q"))
        #expect(m.textBody.contains("a sua senha atual continua valendo"))
    }

    @Test("the password detector catches what it must")
    func detectorWorks() {
        #expect(looksLikePassword("Sua senha: abc123"))
        #expect(looksLikePassword("Senha provisória: abc123"))
        #expect(looksLikePassword("password=abc"))
        #expect(!looksLikePassword("defina a sua senha no portal"))
    }

    @Test("names and office names are escaped in HTML")
    func htmlEscaping() throws {
        let m = MailTemplates.passwordReset(recipient: recipient, name: "<script>x</script>", officeName: "A & B", code: "1", expiresAt: expiry)
        let html = try #require(m.htmlBody)
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;"))
        #expect(html.contains("A &amp; B"))
    }

    @Test("expiry follows the time zone given")
    func timeZone() {
        #expect(MailTemplates.formatted(expiry) == "10/03/2026 12:30")
        #expect(MailTemplates.formatted(expiry, timeZone: TimeZone(identifier: "America/Manaus")!) == "10/03/2026 11:30")
        #expect(MailTemplates.formatted(expiry, timeZone: TimeZone(identifier: "UTC")!) == "10/03/2026 15:30")
        let manaus = MailTemplates.passwordReset(recipient: recipient, name: "Ana", officeName: "X", code: "1", expiresAt: expiry,
                                                 timeZone: TimeZone(identifier: "America/Manaus")!)
        #expect(manaus.textBody.contains("vale até 10/03/2026 11:30 (fuso America/Manaus)"))
        #expect(!manaus.textBody.contains("Brasília"))
    }
}
