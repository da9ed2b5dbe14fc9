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

    /// The one reminder before the first due date: nil when the client has no (valid) address.
    static func reminder(number: Int64, title: String, dueDate: String, client: ClientFacts) -> MailMessage? {
        guard !client.email.isEmpty, let to = try? MailAddress(client.email, name: client.name) else { return nil }
        let lines = ["Olá, \(client.name).", "",
                     "Os documentos do protocolo nº \(number) (\(title)) vencem em \(DocumentFormat.date(iso: dueDate)) e ainda não foram abertos.",
                     "", "Acesse a área do cliente para vê-los e confirmar o recebimento (\"Li e recebi\")."]
        return MailMessage(to: [to], subject: "Lembrete: protocolo nº \(number) vence em \(DocumentFormat.date(iso: dueDate))",
                           textBody: lines.joined(separator: "\n"))
    }
}
