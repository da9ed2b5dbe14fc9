import ClientsCapability
import ContonAPI
import ContonKit
import ContonMailQueue
import DocumentsCapability

/// The e-mails a documents request sends its client (queued in the caller's transaction); nil
/// when the client has no (valid) address.
enum RequestMail {
    static func items(_ items: [Conton_Requests_V1_ChecklistItem]) -> [String] {
        items.map { item in
            "• \(item.description)" + (item.dueDate.isEmpty ? "" : " — até \(DocumentFormat.date(iso: item.dueDate))")
        }
    }

    /// "The office asks you for these documents."
    static func requested(number: Int64, subject: String, items: [Conton_Requests_V1_ChecklistItem], client: ClientSummary) -> MailMessage? {
        guard !client.email.isEmpty, let to = try? MailAddress(client.email, name: client.name) else { return nil }
        let lines = ["Olá, \(client.name).", "", "O escritório solicita os documentos abaixo (solicitação nº \(number)):", ""] + Self.items(items)
            + ["", "Envie-os pela área do cliente, item por item; se não houver nada a enviar, responda \"nada a enviar\"."]
        return MailMessage(to: [to], subject: "Solicitação nº \(number): \(subject)", textBody: lines.joined(separator: "\n"))
    }

    /// A reminder of what is still pending.
    static func reminder(number: Int64, subject: String, pending: [Conton_Requests_V1_ChecklistItem], client: ClientSummary) -> MailMessage? {
        guard !client.email.isEmpty, let to = try? MailAddress(client.email, name: client.name) else { return nil }
        let lines = ["Olá, \(client.name).", "", "Ainda aguardamos estes documentos da solicitação nº \(number) (\(subject)):", ""]
            + Self.items(pending)
            + ["", "Envie-os pela área do cliente, ou responda \"nada a enviar\" para que paremos de lembrar."]
        return MailMessage(to: [to], subject: "Lembrete: solicitação nº \(number) aguarda documentos", textBody: lines.joined(separator: "\n"))
    }
}
