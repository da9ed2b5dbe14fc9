import ContonKit
import GRDB

/// The daily digest: at the hour each user picked (office time zone, UTC−3), once a day, an
/// e-mail listing the in-app notifications made since the previous digest (or in the last 24 h)
/// that are still unread and open — none when there are none. Sent through the mail outbox in the
/// same transaction that records the day as done, so a crash neither loses nor repeats it.
enum NotificationDigest {
    /// Notifications a digest lists (the rest are counted).
    static let listed = 50

    /// The hour of the day now in the office's zone.
    static func hour(_ milliseconds: Int64, offsetMinutes: Int = -180) -> Int32 {
        let local = milliseconds + Int64(offsetMinutes) * 60_000
        return Int32((local % 86_400_000 + 86_400_000) % 86_400_000 / 3_600_000)
    }

    /// Sends the digests due now; returns how many e-mails were queued.
    @discardableResult
    static func sweep(context: PluginContext, staff: any StaffDirectory) async throws -> Int {
        try await context.write { m -> Int in
            let today = CivilDate(milliseconds: m.now).description
            let due = try Row.fetchAll(m.db, sql: """
                SELECT user_id, last_sent_at_ms FROM notifications_digest
                WHERE enabled = 1 AND hour <= ? AND (last_sent_date IS NULL OR last_sent_date < ?) ORDER BY user_id
                """, arguments: [hour(m.now), today])
            var sent = 0
            for row in due {
                let user: String = row[0]
                let since: Int64 = row[1] ?? (m.now - 86_400_000)
                try m.db.execute(sql: "UPDATE notifications_digest SET last_sent_date = ?, last_sent_at_ms = ? WHERE user_id = ?",
                                 arguments: [today, m.now, user])
                let address: (email: String, name: String)?
                if let s = try staff.staffUser(id: user, in: m.db) {
                    address = s.disabled ? nil : (s.email, s.displayName)
                } else if let login = try staff.portalLogin(id: user, in: m.db) {
                    address = login.disabled ? nil : (login.email, login.name)
                } else {
                    address = nil
                }
                guard let address else { continue }
                let filter = "recipient_id = ? AND in_app = 1 AND read_at_ms IS NULL AND resolved_at_ms IS NULL AND created_at_ms > ?"
                let total = try Int.fetchOne(m.db, sql: "SELECT count(*) FROM notifications_notification WHERE \(filter)", arguments: [user, since]) ?? 0
                let items = try Row.fetchAll(m.db, sql: """
                    SELECT \(NotificationStore.columns) FROM notifications_notification WHERE \(filter) ORDER BY id DESC LIMIT ?
                    """, arguments: [user, since, listed]).map(NotificationStore.record)
                if let mail = NotificationMail.digest(items, total: total, to: address.email, name: address.name) {
                    try m.mail(mail)
                    sent += 1
                }
            }
            if !due.isEmpty { m.audit("notification_digest", today, "digest run: \(due.count) user(s) due, \(sent) e-mail(s)") }
            return sent
        }
    }
}
