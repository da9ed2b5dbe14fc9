import ContonKit
import GRDB

/// Keeps the table from growing for ever: notifications older than the retention that are read,
/// resolved or were e-mail only are deleted (unread, open ones are kept however old); the highest
/// sequence deleted is remembered, so a subscriber whose cursor is older is told its cursor is
/// stale instead of silently missing a change.
enum NotificationJanitor {
    @discardableResult
    static func prune(context: PluginContext, retentionDays: Int) async throws -> Int {
        try await context.write { m -> Int in
            let before = m.now - Int64(retentionDays) * 86_400_000
            let filter = "created_at_ms < ? AND (read_at_ms IS NOT NULL OR resolved_at_ms IS NOT NULL OR in_app = 0)"
            guard let top = try Int64.fetchOne(m.db, sql: "SELECT max(seq) FROM notifications_notification WHERE \(filter)", arguments: [before]) else {
                return 0
            }
            try m.db.execute(sql: "DELETE FROM notifications_notification WHERE \(filter)", arguments: [before])
            let deleted = m.db.changesCount
            try m.db.execute(sql: "UPDATE notifications_state SET pruned_seq = max(pruned_seq, ?) WHERE id = 1", arguments: [top])
            m.audit("notification", "*", "pruned \(deleted) notification(s) older than \(retentionDays) days")
            return deleted
        }
    }
}
