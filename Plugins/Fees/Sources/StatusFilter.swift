import ContonAPI
import ContonKit
import GRDB

/// A list's status filter as SQL over a `fees_receivable` alias: OPEN (stored open, not yet
/// due), OVERDUE (stored open, due before today), PAID, CANCELLED; several are ORed.
///
/// The date comparisons are written `+due_date` so SQLite does not pick the due-date index for
/// them: "overdue" covers most rows, and walking the index to count them all is slower than the
/// table scan the totals need anyway (docs/FEES.md; an explicit due-date range still uses it).
struct StatusFilter {
    var sql: String
    var arguments: StatementArguments

    init(_ statuses: [Conton_Fees_V1_ReceivableStatus], alias r: String, today: CivilDate, field: String = "statuses") throws {
        var parts: [String] = []
        var args: StatementArguments = []
        for (i, s) in statuses.enumerated() {
            switch s {
            case .open:
                parts.append("(\(r).status = 1 AND +\(r).due_date >= ?)")
                _ = args.append(contentsOf: [today.description])
            case .overdue:
                parts.append("(\(r).status = 1 AND +\(r).due_date < ?)")
                _ = args.append(contentsOf: [today.description])
            case .paid: parts.append("\(r).status = 3")
            case .cancelled: parts.append("\(r).status = 4")
            default: throw FieldErrors.single("\(field)[\(i)]", "must be OPEN, OVERDUE, PAID or CANCELLED")
            }
        }
        sql = parts.isEmpty ? "1" : "(" + parts.joined(separator: " OR ") + ")"
        arguments = args
    }
}
