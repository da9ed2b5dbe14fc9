import ContonAPI
import ContonKit
import GRDB

/// The reminder sweep: an unseen (SENT) protocol whose first due date is within the office's
/// `reminder_days` (today included) gets one reminder e-mail (an evidence entry) and
/// `protocol.due_soon`; a protocol past its first due date and still SENT or VIEWED gets
/// `protocol.overdue`. Each at most once per protocol (flagged in the same transaction), in
/// transactions of at most 500 protocols.
enum ProtocolReminders {
    static func sweep(context: PluginContext, clients: ClientDirectory) async throws -> ProtocolsPlugin.SweepResult {
        let today = CivilDate.today(context.clock)
        var result = ProtocolsPlugin.SweepResult()
        let days = try await context.read { db in try ProtocolSettingsStore.reminderDays(in: db) }
        if days > 0 {
            let last = today.adding(days: Int(days)).description, first = today.description
            while true {
                let n = try await context.write { m -> Int in
                    let rows = try Row.fetchAll(m.db, sql: """
                        SELECT * FROM protocols_protocol WHERE status = 2 AND due_soon_notified_at_ms IS NULL
                          AND first_due_date >= ? AND first_due_date <= ? ORDER BY first_due_date, id LIMIT 500
                        """, arguments: [first, last])
                    for row in rows {
                        let id: Int64 = row["id"], clientID: String = row["client_id"], due: String = row["first_due_date"]
                        if let client = try clients.facts(clientID, in: m.db),
                           let mail = ProtocolMail.reminder(number: row["number"], title: row["title"], dueDate: due, client: client) {
                            try m.mail(mail)
                            try EvidenceChain.append([.init(action: .emailed, detail: "lembrete de vencimento para \(client.email)")], to: id, in: &m)
                        }
                        try m.publish(ProtocolDueSoon(protocolID: String(id), clientID: clientID, firstDueDate: due))
                        try m.db.execute(sql: "UPDATE protocols_protocol SET due_soon_notified_at_ms = ? WHERE id = ?", arguments: [m.now, id])
                    }
                    if !rows.isEmpty { m.audit("protocol", "*", "reminded \(rows.count) unseen protocol(s) due by \(last)") }
                    return rows.count
                }
                result.dueSoon += n
                if n < 500 { break }
            }
        }
        while true {
            let n = try await context.write { m -> Int in
                let rows = try Row.fetchAll(m.db, sql: """
                    SELECT id, client_id, first_due_date FROM protocols_protocol WHERE status IN (2, 3) AND overdue_notified_at_ms IS NULL
                      AND first_due_date <> '' AND first_due_date < ? ORDER BY first_due_date, id LIMIT 500
                    """, arguments: [today.description])
                for row in rows {
                    try m.publish(ProtocolOverdue(protocolID: String(row["id"] as Int64), clientID: row["client_id"], firstDueDate: row["first_due_date"]))
                    try m.db.execute(sql: "UPDATE protocols_protocol SET overdue_notified_at_ms = ? WHERE id = ?", arguments: [m.now, row["id"] as Int64])
                }
                if !rows.isEmpty { m.audit("protocol", "*", "published protocol.overdue for \(rows.count) protocol(s)") }
                return rows.count
            }
            result.overdue += n
            if n < 500 { break }
        }
        return result
    }
}
