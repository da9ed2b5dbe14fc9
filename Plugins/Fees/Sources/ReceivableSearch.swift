import ContonAPI
import ContonBrazil
import ContonKit
import GRDB

/// The filter of `ListReceivables` as SQL over `fees_receivable`: client (the scope's, for a
/// client principal), statuses, due-date and payment-date ranges, and words that must all occur
/// in the search key (description, client name and document, folded).
struct ReceivableSearch: Sendable {
    var conditions: [String] = []
    var arguments: StatementArguments = []
    let today: CivilDate

    init(_ r: Conton_Fees_V1_ListReceivablesRequest, clientID: String, today: CivilDate) throws {
        self.today = today
        var errors = FieldErrors()
        for (field, value) in [("due_from", r.dueFrom), ("due_to", r.dueTo), ("paid_from", r.paidFrom), ("paid_to", r.paidTo)]
        where !value.isEmpty && CivilDate(value) == nil {
            errors.add(field, "must be a date YYYY-MM-DD")
        }
        try errors.check()
        if !clientID.isEmpty { add("client_id = ?", clientID) }
        let status = try StatusFilter(r.statuses, alias: "fees_receivable", today: today)
        if status.sql != "1" {
            conditions.append(status.sql)
            _ = arguments.append(contentsOf: status.arguments)
        }
        if !r.dueFrom.isEmpty { add("due_date >= ?", r.dueFrom) }
        if !r.dueTo.isEmpty { add("due_date <= ?", r.dueTo) }
        if !r.paidFrom.isEmpty { add("payment_date >= ?", r.paidFrom) }
        if !r.paidTo.isEmpty { add("payment_date <= ?", r.paidTo) }
        for word in SearchKey.fold(r.text).split(separator: " ") {
            add("instr(search_key, ?) > 0", String(word))
        }
    }

    private mutating func add(_ condition: String, _ value: String) {
        conditions.append(condition)
        _ = arguments.append(contentsOf: [value])
    }

    var whereClause: String { conditions.isEmpty ? "1" : conditions.joined(separator: " AND ") }

    /// One page in due-date order, after the (due date, id) cursor.
    func page(after cursor: (key: String, id: Int64)?, limit: Int, in db: Database) throws -> [Conton_Fees_V1_Receivable] {
        var sql = "SELECT \(ReceivableStore.columns) FROM fees_receivable WHERE \(whereClause)"
        var args = arguments
        if let cursor {
            sql += " AND (due_date, id) > (?, ?)"
            _ = args.append(contentsOf: [cursor.key, cursor.id])
        }
        sql += " ORDER BY due_date, id LIMIT ?"
        _ = args.append(contentsOf: [limit])
        let today = self.today
        return try Row.fetchAll(db, sql: sql, arguments: args).map { ReceivableStore.receivable($0, today: today) }
    }

    /// Count and sums per status over the whole filter: OPEN, OVERDUE, PAID, CANCELLED (zeros
    /// included), and the total of all.
    func totals(in db: Database) throws -> (byStatus: [Conton_Fees_V1_StatusTotal], total: Conton_Fees_V1_StatusTotal) {
        let order: [Conton_Fees_V1_ReceivableStatus] = [.open, .overdue, .paid, .cancelled]
        var byStatus = order.map { s -> Conton_Fees_V1_StatusTotal in
            var t = Conton_Fees_V1_StatusTotal()
            t.status = s
            return t
        }
        var args: StatementArguments = [today.description]
        _ = args.append(contentsOf: arguments)
        let rows = try Row.fetchAll(db, sql: """
            SELECT \(ReceivableStore.derivedStatusSQL) AS s, count(*) AS n, sum(amount_cents) AS amount,
                   sum(CASE WHEN status = 4 THEN 0 ELSE amount_cents - settled_cents END) AS balance, sum(received_cents) AS received
            FROM fees_receivable WHERE \(whereClause) GROUP BY s
            """, arguments: args)
        var total = Conton_Fees_V1_StatusTotal()
        for row in rows {
            let status = Conton_Fees_V1_ReceivableStatus(rawValue: row["s"])
            guard let i = order.firstIndex(of: status) else { continue }
            // sum() of integers is an integer in SQLite (an overflow is an error, never a float).
            byStatus[i].count = row["n"]
            byStatus[i].amountCents = row["amount"]
            byStatus[i].balanceCents = row["balance"]
            byStatus[i].receivedCents = row["received"]
        }
        for t in byStatus {
            total.count += t.count
            total.amountCents += t.amountCents
            total.balanceCents += t.balanceCents
            total.receivedCents += t.receivedCents
        }
        return (byStatus, total)
    }
}
