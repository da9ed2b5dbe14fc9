import ContonMail
import ContonStore
import Foundation
import Testing

@Suite("Addresses and rendering")
struct MailRenderingTests {
    @Test("valid addresses are kept", arguments: [
        "ana@example.com", "joao.silva+contabil@escritorio.com.br", "o'brien@x-y.example", "a@localhost", "UPPER@Example.COM",
    ])
    func validAddresses(_ text: String) throws {
        #expect(try MailAddress(text).address == text)
    }

    @Test("malformed addresses are refused", arguments: [
        "", "ana", "ana@", "@example.com", "ana@@example.com", "ana@exa mple.com", "ana.@example.com", ".ana@example.com",
        "an..a@example.com", "ana@-example.com", "ana@example..com", "joão@example.com", "ana@exámple.com", "ana <ana@x.com>",
        "ana@example.com\r\nBcc: evil@x.com", String(repeating: "a", count: 65) + "@example.com",
    ])
    func invalidAddresses(_ text: String) {
        #expect(throws: MailAddressError.self) { try MailAddress(text) }
    }

    @Test("a message with accents survives Python's email parser intact")
    func renderedMessageParses() async throws {
        let longSubject = "Ação necessária: confirmação do cadastro de honorários de março — Escritório São João"
        let body = [
            "Olá, João!",
            "",
            "Seu pagamento de R$ 1.234,56 foi confirmado. Atenção às instruções abaixo:",
            ".esta linha começa com ponto",
            "From here on, a line that mbox would mangle.",
            "= sinal de igual e espaços no fim   ",
            "\ttabulação no início e no fim\t",
            String(repeating: "Linha muito longa com acentuação — ", count: 8) + "fim.",
            String(repeating: "x", count: 75) + ".y",  // the dot lands at the start of a soft-broken line
            "..",
            ".",
        ].joined(separator: "\n")
        let message = MailMessage(
            to: [try MailAddress("joao@cliente.example", name: "João da Silva"), try MailAddress("ana@cliente.example", name: "Ana \"Contábil\"")],
            subject: longSubject, textBody: body, replyTo: try MailAddress("atendimento@contabil.example"),
            date: Date(timeIntervalSince1970: 1_780_000_000), messageID: "abc123@contabil.example")
        let bytes = message.rendered(from: sender)
        let decoded = try await decodeWithPython(bytes)

        #expect(decoded.subject == longSubject)
        #expect(decoded.text == body + "\n")
        #expect(decoded.to.count == 2 && decoded.to[0].hasSuffix("<joao@cliente.example>") && decoded.to[1].hasSuffix("<ana@cliente.example>"))
        #expect(decoded.to_names == ["João da Silva", "Ana \"Contábil\""])
        #expect(decoded.from == "Escritório Contábil <escritorio@contabil.example>")
        #expect(decoded.reply_to == "atendimento@contabil.example")
        #expect(decoded.message_id == "<abc123@contabil.example>")
        #expect(decoded.date == "Thu, 28 May 2026 20:26:40 +0000")
        #expect(decoded.content_type == "text/plain")
        #expect(decoded.defects.isEmpty)
        // 7-bit, CRLF only, lines within RFC 5322's 78-character recommendation.
        #expect(!decoded.eight_bit)
        #expect(!decoded.bare_lf)
        #expect(decoded.max_line_length <= 78)
        // No line of the wire form starts with a dot: dot-stuffing cannot change it.
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(!text.split(separator: "\r\n").contains { $0.hasPrefix(".") })
        #expect(text.contains("Auto-Submitted: auto-generated\r\n"))
        #expect(text.contains("MIME-Version: 1.0\r\n"))
    }

    @Test("an HTML alternative makes a multipart/alternative message")
    func multipartAlternative() async throws {
        let message = MailMessage(to: [try MailAddress("ana@cliente.example")], subject: "Relatório", textBody: "Olá, Ana.",
                                  htmlBody: "<p>Olá, <b>Ana</b>.</p>")
        let decoded = try await decodeWithPython(message.rendered(from: sender))
        #expect(decoded.content_type == "multipart/alternative")
        // The CRLF before a boundary belongs to the boundary.
        #expect(decoded.text == "Olá, Ana.")
        #expect(decoded.html == "<p>Olá, <b>Ana</b>.</p>")
        #expect(decoded.defects.isEmpty)
    }

    @Test("attachments make a multipart/mixed message whose files decode byte for byte")
    func attachments() async throws {
        // Every byte value, and a size that is not a multiple of 3 (base64 padding).
        let pdf = Data((0..<70_001).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 256) })
        let csv = Data("cliente;valor\r\nAna;1.500,00\r\n".utf8)
        let message = MailMessage(to: [try MailAddress("ana@cliente.example")], subject: "Seu boleto", textBody: "Olá, Ana. Segue o boleto.",
                                  htmlBody: "<p>Olá, Ana.</p>",
                                  attachments: [MailAttachment(fileName: "boleto-2027-01.pdf", contentType: "application/pdf", data: pdf),
                                                MailAttachment(fileName: "relação de honorários.csv", contentType: "text/csv", data: csv),
                                                MailAttachment(fileName: "a/b\r\nX-Injected: 1\nY: 2", contentType: "bad type\r\n", data: Data([1]))])
        let bytes = message.rendered(from: sender)
        let decoded = try await decodeWithPython(bytes)
        #expect(decoded.content_type == "multipart/mixed")
        #expect(decoded.text == "Olá, Ana. Segue o boleto." && decoded.html == "<p>Olá, Ana.</p>")
        #expect(decoded.attachments == [
            DecodedAttachment(filename: "boleto-2027-01.pdf", content_type: "application/pdf", size: pdf.count, sha256: SHA256.hex([UInt8](pdf))),
            DecodedAttachment(filename: "relação de honorários.csv", content_type: "text/csv", size: csv.count, sha256: SHA256.hex([UInt8](csv))),
            DecodedAttachment(filename: "a_b__X-Injected: 1_Y: 2", content_type: "application/octet-stream", size: 1, sha256: SHA256.hex([UInt8(1)])),
        ])
        #expect(decoded.defects.isEmpty && !decoded.bare_lf && !decoded.eight_bit)
        #expect(!String(decoding: bytes, as: UTF8.self).contains("\r\nX-Injected") && !String(decoding: bytes, as: UTF8.self).contains("\nY: 2"))
        // The outbox keeps messages as JSON: the attachment survives the round trip, and a
        // message stored before attachments existed still decodes.
        let stored = try JSONDecoder().decode(MailMessage.self, from: try JSONEncoder().encode(message))
        #expect(stored == message)
        let old = try JSONDecoder().decode(MailMessage.self, from: Data(#"{"to":[],"subject":"s","textBody":"t"}"#.utf8))
        #expect(old.attachments == nil)
    }

    @Test("mostly non-Latin text goes out in base64 and decodes intact")
    func base64Body() async throws {
        let body = String(repeating: "会計事務所からのお知らせです。", count: 10)
        let message = MailMessage(to: [try MailAddress("ana@cliente.example")], subject: "お知らせ", textBody: body)
        let bytes = message.rendered(from: sender)
        #expect(String(decoding: bytes, as: UTF8.self).contains("Content-Transfer-Encoding: base64"))
        let decoded = try await decodeWithPython(bytes)
        #expect(decoded.text == body)
        #expect(decoded.subject == "お知らせ")
        #expect(decoded.max_line_length <= 78)
    }

    @Test("line breaks in a subject or name cannot add headers")
    func headerInjection() async throws {
        let message = MailMessage(to: [try MailAddress("ana@cliente.example", name: "Ana\r\nBcc: evil@x.example")],
                                  subject: "Oi\r\nBcc: evil@x.example", textBody: "corpo")
        let text = String(decoding: message.rendered(from: sender), as: UTF8.self)
        #expect(!text.contains("\r\nBcc:"))
        let decoded = try await decodeWithPython(message.rendered(from: sender))
        #expect(decoded.subject == "Oi  Bcc: evil@x.example")
    }
}
