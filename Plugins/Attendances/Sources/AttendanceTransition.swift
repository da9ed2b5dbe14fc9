import ContonAPI
import ContonKit
import GRDB

/// The status changes of an attendance and what each does to the service clock, inside the
/// caller's transaction:
///
/// - OPEN, IN_PROGRESS and WAITING_CLIENT move freely among themselves; entering WAITING_CLIENT
///   pauses the office's clock, leaving it resumes it;
/// - any of them → CLOSED or CANCELLED stops the clock;
/// - CLOSED/CANCELLED → OPEN (reopen) only: the time it stayed closed never counts.
enum AttendanceTransition {
    typealias Status = Conton_Attendances_V1_AttendanceStatus

    static func apply(from: Status, to: Status, id: Int64, in m: inout Mutation) throws {
        let closed: Set<Status> = [.closed, .cancelled]
        if closed.contains(from) && to != .open {
            throw AttendanceStore.failedPrecondition(id, "attendance \(id) is \(from == .closed ? "closed" : "cancelled"); reopen it (OPEN) first",
                                                     reason: "ATTENDANCE_CLOSED")
        }
        var sets = ["status = ?", "version = version + 1"]
        var args: [(any DatabaseValueConvertible)?] = [to.rawValue]
        if from == .waitingClient {
            sets.append("waiting_total_ms = waiting_total_ms + max(0, ? - waiting_since_ms)")
            sets.append("waiting_since_ms = NULL")
            args.append(m.now)
        }
        if to == .waitingClient {
            sets.append("waiting_since_ms = ?")
            args.append(m.now)
        }
        if closed.contains(to) {
            sets.append("closed_at_ms = ?")
            args.append(m.now)
        }
        if closed.contains(from) {
            sets.append("closed_total_ms = closed_total_ms + max(0, ? - closed_at_ms)")
            sets.append("closed_at_ms = NULL")
            sets.append("overdue_notified_at_ms = NULL")
            args.append(m.now)
        }
        args.append(id)
        try m.db.execute(sql: "UPDATE attendances_attendance SET \(sets.joined(separator: ", ")) WHERE id = ?", arguments: StatementArguments(args))
    }
}
