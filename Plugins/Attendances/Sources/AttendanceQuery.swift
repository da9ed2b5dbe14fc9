import ContonAPI
import ContonKit
import GRDB

/// ListAttendances as SQL: the page (newest first, keyset on id) and the counts per status of the
/// same filter without its statuses.
struct AttendanceQuery {
    var sql: String
    var arguments: StatementArguments
    var countsSQL: String
    var countsArguments: StatementArguments

    /// Active (OPEN, IN_PROGRESS, WAITING_CLIENT) with a deadline before today: the condition of
    /// the partial index `attendances_attendance_active`, spelled the same so SQLite can use it.
    static let overdue = "status IN (1, 2, 3) AND deadline <> '' AND deadline < ?"

    init(_ r: Conton_Attendances_V1_ListAttendancesRequest, scope: ClientScope, page: Pagination, today: String) throws {
        var errors = FieldErrors()
        var conditions: [String] = []
        var args: [(any DatabaseValueConvertible)?] = []
        // The conditions attendances_status_count can answer alone (department, channel), or nil
        // once any other filter is set.
        var counted: (conditions: [String], args: [(any DatabaseValueConvertible)?])? = ([], [])
        switch scope {
        case .all:
            if !r.clientId.isEmpty { conditions.append("client_id = ?"); args.append(r.clientId); counted = nil }
        case .only(let clientID):
            conditions.append("client_id = ? AND visible = 1"); args.append(clientID); counted = nil
        }
        if !r.responsibleUserId.isEmpty { conditions.append("responsible_user_id = ?"); args.append(r.responsibleUserId); counted = nil }
        switch r.department {
        case .unspecified: break
        case .unrecognized(let n): errors.add("department", "unknown department \(n)")
        default:
            conditions.append("department = ?"); args.append(r.department.rawValue)
            counted?.conditions.append("department = ?"); counted?.args.append(r.department.rawValue)
        }
        switch r.channel {
        case .unspecified: break
        case .unrecognized(let n): errors.add("channel", "unknown channel \(n)")
        default:
            conditions.append("channel = ?"); args.append(r.channel.rawValue)
            counted?.conditions.append("channel = ?"); counted?.args.append(r.channel.rawValue)
        }
        let from = r.deadline.from, to = r.deadline.to
        if !from.isEmpty && CivilDate(from) == nil { errors.add("deadline.from", "must be a date YYYY-MM-DD") }
        if !to.isEmpty && CivilDate(to) == nil { errors.add("deadline.to", "must be a date YYYY-MM-DD") }
        if !from.isEmpty || !to.isEmpty {
            conditions.append("deadline <> '' AND deadline >= ? AND deadline <= ?")
            args += [from.isEmpty ? "0000-01-01" : from, to.isEmpty ? "9999-12-31" : to]
            counted = nil
        }
        // Overdue alone (with or without statuses) reads the active index in id order and takes
        // its counts from attendances_open_by_deadline; with other filters their index leads.
        let overdueAlone = r.overdue && conditions.isEmpty
        if r.overdue { conditions.append(Self.overdue); args.append(today); counted = nil }
        var statuses: [Int32] = []
        for (i, s) in r.statuses.enumerated() {
            switch s {
            case .unspecified, .unrecognized: errors.add("statuses[\(i)]", "must be an attendance status")
            default: statuses.append(s.rawValue)
            }
        }
        try errors.check()
        let common = conditions
        let commonArgs = args
        if !statuses.isEmpty { conditions.append("status IN (\(statuses.map(String.init).joined(separator: ",")))") }
        if let after = page.after {
            guard let id = Int64(after) else { throw FieldErrors.single("page_token", "is not a token from a previous page") }
            conditions.append("id < ?"); args.append(id)
        }
        func clause(_ c: [String]) -> String { c.isEmpty ? "1" : c.joined(separator: " AND ") }
        let table = overdueAlone ? "attendances_attendance INDEXED BY attendances_attendance_active" : "attendances_attendance"
        sql = "SELECT \(AttendanceStore.columns()) FROM \(table) WHERE \(clause(conditions)) ORDER BY id DESC LIMIT \(page.size)"
        arguments = StatementArguments(args)
        if overdueAlone {
            countsSQL = "SELECT status, sum(n) FROM attendances_open_by_deadline WHERE deadline < ? GROUP BY status HAVING sum(n) > 0 ORDER BY status"
            countsArguments = [today]
        } else if let counted {
            countsSQL = "SELECT status, sum(n) FROM attendances_status_count WHERE \(clause(counted.conditions)) GROUP BY status HAVING sum(n) > 0 ORDER BY status"
            countsArguments = StatementArguments(counted.args)
        } else {
            countsSQL = "SELECT status, count(*) FROM attendances_attendance WHERE \(clause(common)) GROUP BY status ORDER BY status"
            countsArguments = StatementArguments(commonArgs)
        }
    }
}
