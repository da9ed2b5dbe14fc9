import ContonKit
import GRDB

/// The overdue sweep: an attendance past its deadline ("providenciar até", office time zone)
/// and not CLOSED/CANCELLED gets `attendance.overdue` once per deadline (flagged in the same
/// transaction; a new deadline or a reopen clears the flag), 500 per transaction.
enum AttendanceOverdueSweep {
    static func sweep(context: PluginContext) async throws -> Int {
        let today = CivilDate.today(context.clock).description
        var total = 0
        while true {
            let n = try await context.write { m -> Int in
                let rows = try Row.fetchAll(m.db, sql: """
                    SELECT id, client_id, deadline, responsible_user_id FROM attendances_attendance
                    WHERE \(AttendanceQuery.overdue) AND overdue_notified_at_ms IS NULL
                    ORDER BY deadline, id LIMIT 500
                    """, arguments: [today])
                for row in rows {
                    try m.publish(AttendanceOverdue(attendanceID: String(row[0] as Int64), clientID: row[1], deadline: row[2], responsibleUserID: row[3]))
                    try m.db.execute(sql: "UPDATE attendances_attendance SET overdue_notified_at_ms = ? WHERE id = ?", arguments: [m.now, row[0] as Int64])
                }
                if !rows.isEmpty { m.audit("attendance", "*", "published attendance.overdue for \(rows.count) attendance(s)") }
                return rows.count
            }
            total += n
            if n < 500 { return total }
        }
    }
}
