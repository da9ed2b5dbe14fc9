import ContonMailQueue
import DocumentsCapability

/// The e-mails of notifications: one per notification for the EMAIL and BOTH channels, and the
/// daily digest. Nil when the recipient has no valid address.
enum NotificationMail {
    static let footer = "\n\n—\nVocê recebe este e-mail pelas suas preferências de notificação do ContOn; altere-as no painel de notificações."

    static func single(_ notice: NotificationRules.Notice, to recipient: NotificationMaker.Recipient) -> MailMessage? {
        guard let to = try? MailAddress(recipient.email, name: recipient.name.isEmpty ? nil : recipient.name) else { return nil }
        let text = [notice.title, notice.body].filter { !$0.isEmpty }.joined(separator: "\n\n")
        return MailMessage(to: [to], subject: notice.title, textBody: text + footer)
    }

    /// The digest of `items` (title, body, created at), newest first.
    static func digest(_ items: [NotificationStore.Record], total: Int, to email: String, name: String) -> MailMessage? {
        guard !items.isEmpty, let to = try? MailAddress(email, name: name.isEmpty ? nil : name) else { return nil }
        var lines = ["Olá\(name.isEmpty ? "" : ", \(name)").", "", "Você tem \(total) notificação(ões) não lida(s):", ""]
        for n in items {
            lines.append("• \(DocumentFormat.dateTime(milliseconds: n.createdAtMs)) — \(n.title)")
            if !n.body.isEmpty { lines.append("  \(n.body)") }
        }
        if total > items.count { lines += ["", "… e mais \(total - items.count) no painel."] }
        return MailMessage(to: [to], subject: "ContOn: \(total) notificação(ões) não lida(s)", textBody: lines.joined(separator: "\n") + footer)
    }
}
