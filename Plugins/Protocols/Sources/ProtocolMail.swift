import ContonAPI
import ContonKit
import ContonMailQueue
import DocumentsCapability

/// The e-mails a protocol sends its client (queued in the caller's transaction).
enum ProtocolMail {
    /// "Documents await you": nil when the client has no (valid) e-mail address.
    static func sent(number: Int64, title: String, message: String, items: [Conton_Protocols_V1_ProtocolItem], client: ClientFacts) -> MailMessage? {
        guard !client.email.isEmpty, let to = try? MailAddress(client.email, name: client.name) else { return nil }
        var lines = ["Olá, \(client.name).", "", "O escritório enviou documentos para você (protocolo nº \(number)):", ""]
        for item in items {
            var line = "• \(item.description)"
            if !item.dueDate.isEmpty { line += " — vence em \(DocumentFormat.date(iso: item.dueDate))" }
            if item.amountCents > 0 { line += " — \(DocumentFormat.money(cents: item.amountCents))" }
            lines.append(line)
        }
        if !message.isEmpty { lines += ["", message] }
        lines += ["", "Acesse a área do cliente para ver e baixar os documentos e confirmar o recebimento (\"Li e recebi\")."]
        return MailMessage(to: [to], subject: "Protocolo nº \(number): \(title)", textBody: lines.joined(separator: "\n"))
    }
}
