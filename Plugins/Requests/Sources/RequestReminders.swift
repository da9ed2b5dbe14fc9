import ClientsCapability
import ContonKit
import GRDB

/// The reminder sweep: an open documents request with pending items gets a reminder e-mail and
/// `request.reminded` every `reminder_every_days` days after it was opened (or last reminded), and
/// never twice the same day (office time zone) — flagged in the same transaction, 200 requests per
/// transaction. "Nada a enviar" answers an item, so a request with nothing pending is never
/// reminded.
enum RequestReminders {
    static func sweep(context: PluginContext, clients: any ClientRegistry) async throws -> Int {
        let every = try await context.read { db in try RequestStore.reminderEveryDays(in: db) }
        guard every > 0 else { return 0 }
        let now = context.clock.nowMilliseconds
        let today = CivilDate.today(context.clock)
        let due = now - Int64(every) * 86_400_000
        var total = 0
        var after: Int64 = 0
        while true {
            let start = after
            let (n, last) = try await context.write { m -> (Int, Int64?) in
                let rows = try Row.fetchAll(m.db, sql: """
                    SELECT \(RequestStore.columns) FROM requests_request
                    WHERE kind = 2 AND status = 1 AND id > ? AND coalesce(last_reminded_at_ms, opened_at_ms) <= ? ORDER BY id LIMIT 200
                    """, arguments: [start, due])
                let ids = rows.map { $0[RequestStore.Column.id.rawValue] as Int64 }
                let items = try RequestStore.items(of: ids, in: m.db)
                let found = try clients.clients(ids: rows.map { $0[RequestStore.Column.clientID.rawValue] }, in: m.db)
                var reminded = 0
                for (row, id) in zip(rows, ids) {
                    let last: Int64? = row[RequestStore.Column.lastRemindedAtMs.rawValue]
                    if let last, CivilDate(milliseconds: last) == today { continue }
                    let pending = (items[id] ?? []).filter { $0.status == .pending }
                    guard !pending.isEmpty else { continue }
                    let clientID: String = row[RequestStore.Column.clientID.rawValue]
                    let count: Int32 = row[RequestStore.Column.remindersSent.rawValue]
                    if let client = found[clientID],
                       let mail = RequestMail.reminder(number: row[RequestStore.Column.number.rawValue], subject: row[RequestStore.Column.subject.rawValue],
                                                       pending: pending, client: client) {
                        try m.mail(mail)
                    }
                    try m.db.execute(sql: "UPDATE requests_request SET reminders_sent = reminders_sent + 1, last_reminded_at_ms = ? WHERE id = ?",
                                     arguments: [m.now, id])
                    try m.publish(RequestReminded(requestID: String(id), clientID: clientID, pendingItems: pending.count, reminder: Int(count) + 1))
                    reminded += 1
                }
                if reminded > 0 { m.audit("request", "*", "reminded \(reminded) documents request(s)") }
                return (reminded, ids.last)
            }
            total += n
            guard let last else { return total }
            after = last
        }
    }
}
