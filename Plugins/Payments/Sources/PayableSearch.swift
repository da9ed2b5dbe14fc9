import ContonAPI
import ContonBrazil
import ContonKit
import GRDB

/// The filter of `ListPayables` and `ExportPayables` as SQL over `payments_payable p`: status,
/// supplier (id or text), the date field with its period (the current month when none is
/// given), category, cost centre, instalment group, recurrence and words of text.
struct PayableSearch: Sendable {
    var conditions: [String] = []
    var arguments: StatementArguments = []
    let today: CivilDate
    /// `due_date` or `payment_date`.
    let dateColumn: String
    let period: Conton_Payments_V1_Period
    /// Only status and due-date conditions: the totals come from `payments_due_totals`.
    private(set) var summarized = true

    /// Every violation at once, fields under `prefix` (`filter.` for exports).
    init(_ r: Conton_Payments_V1_ListPayablesRequest, today: CivilDate, prefix: String = "") throws {
        self.today = today
        var errors = FieldErrors()
        func id(_ value: String, _ field: String) -> Int64? {
            guard !value.isEmpty else { return nil }
            guard let n = Int64(value) else {
                errors.add(prefix + field, "\(value) is not an id")
                return nil
            }
            return n
        }
        switch r.dateField {
        case .payment: dateColumn = "payment_date"
        case .unspecified, .due: dateColumn = "due_date"
        case .unrecognized(let n):
            errors.add(prefix + "date_field", "\(n) is not a date field")
            dateColumn = "due_date"
        }
        var period = r.period
        if period.from.isEmpty && period.to.isEmpty {
            let month = today.competence
            period.from = month.dueDate(day: 1, followingMonth: false).description
            period.to = month.dueDate(day: 31, followingMonth: false).description
        }
        for (value, field) in [(period.from, "period.from"), (period.to, "period.to")] where !value.isEmpty && CivilDate(value) == nil {
            errors.add(prefix + field, "\(value) is not a date (YYYY-MM-DD)")
        }
        if !period.from.isEmpty && !period.to.isEmpty && period.from > period.to {
            errors.add(prefix + "period.to", "is before period.from")
        }
        self.period = period
        switch r.status {
        case .unspecified, .all: break
        case .pending: conditions.append("p.status = 1")
        case .paid: conditions.append("p.status = 2")
        case .cancelled: conditions.append("p.status = 3")
        case .overdue:
            conditions.append("p.status = 1 AND p.due_date < ?")
            _ = arguments.append(contentsOf: [today.description])
        case .unrecognized(let n): errors.add(prefix + "status", "\(n) is not a status filter")
        }
        if !period.from.isEmpty { add("p.\(dateColumn) >= ?", period.from) }
        if !period.to.isEmpty { add("p.\(dateColumn) <= ?", period.to) }
        if dateColumn == "payment_date" {
            conditions.append("p.payment_date IS NOT NULL")
            summarized = false
        }
        let before = conditions.count
        if let s = id(r.supplierId, "supplier_id") { add("p.supplier_id = ?", s) }
        if let c = id(r.categoryId, "category_id") { add("p.category_id = ?", c) }
        if let c = id(r.costCenterId, "cost_center_id") { add("p.cost_center_id = ?", c) }
        if let g = id(r.instalmentGroupId, "instalment_group_id") { add("p.group_id = ?", g) }
        if let g = id(r.recurrenceId, "recurrence_id") { add("p.recurrence_id = ?", g) }
        try errors.check()
        if !r.supplier.trimmingCharacters(in: .whitespaces).isEmpty || !SearchKey.fold(r.text).isEmpty || conditions.count > before {
            summarized = false
        }
        if !r.supplier.trimmingCharacters(in: .whitespaces).isEmpty {
            let suppliers = SupplierFilter(query: r.supplier, document: "", email: "", status: .all)
            conditions.append("p.supplier_id IN (SELECT id FROM payments_supplier WHERE \(suppliers.sql))")
            _ = arguments.append(contentsOf: suppliers.arguments)
        }
        for word in SearchKey.fold(r.text).split(separator: " ") {
            add("instr(p.search_key, ?) > 0", String(word))
        }
    }

    private mutating func add(_ condition: String, _ value: some DatabaseValueConvertible) {
        conditions.append(condition)
        _ = arguments.append(contentsOf: [value])
    }

    var whereClause: String { conditions.isEmpty ? "1" : conditions.joined(separator: " AND ") }

    /// One page in date order, after the (date, id) cursor.
    func page(after cursor: (key: String, id: Int64)?, limit: Int, in db: Database) throws -> [Conton_Payments_V1_Payable] {
        var sql = PayableStore.select + " WHERE \(whereClause)"
        var args = arguments
        if let cursor {
            sql += " AND (p.\(dateColumn), p.id) > (?, ?)"
            _ = args.append(contentsOf: [cursor.key, cursor.id])
        }
        sql += " ORDER BY p.\(dateColumn), p.id LIMIT ?"
        _ = args.append(contentsOf: [limit])
        let today = self.today, formats = TaxIDFormats()
        return try Row.fetchAll(db, sql: sql, arguments: args).map { PayableStore.payable($0, today: today, formats: formats) }
    }

    /// The page key of a payable in this list's order.
    func cursorKey(_ p: Conton_Payments_V1_Payable) -> String {
        ListCursor.encode(dateColumn == "payment_date" ? p.paymentDate : p.dueDate, Int64(p.id)!)
    }

    /// The totals' sums over the payables themselves, or over their per-(due date, status) sums.
    static let rowSums = """
        count(*) AS n, sum(p.amount_cents) AS amount, sum(CASE WHEN p.status = 1 THEN p.amount_cents - p.settled_cents ELSE 0 END) AS balance,
        sum(p.paid_cents) AS paid FROM payments_payable p
        """
    static let summarySums = """
        sum(p.n) AS n, sum(p.amount) AS amount, sum(CASE WHEN p.status = 1 THEN p.amount - p.settled ELSE 0 END) AS balance,
        sum(p.paid) AS paid FROM payments_due_totals p
        """

    /// Count and sums over the whole filter, and per status (pending includes overdue).
    func totals(in db: Database) throws -> Conton_Payments_V1_PayableTotals {
        var args: StatementArguments = [today.description]
        _ = args.append(contentsOf: arguments)
        let rows = try Row.fetchAll(db, sql: """
            SELECT CASE WHEN p.status = 1 AND p.due_date < ? THEN 4 ELSE p.status END AS s, \(summarized ? Self.summarySums : Self.rowSums)
            WHERE \(whereClause) GROUP BY s
            """, arguments: args)
        // Every per-status total is sent, zeros included.
        var t = Conton_Payments_V1_PayableTotals()
        (t.pending, t.overdue, t.paid, t.cancelled) = (.init(), .init(), .init(), .init())
        func add(_ total: inout Conton_Payments_V1_Total, _ row: Row) {
            total.count += row["n"] as Int32
            total.sumCents += row["amount"] as Int64
            total.balanceCents += row["balance"] as Int64
            total.paidCents += row["paid"] as Int64
        }
        for row in rows {
            // sum() of integers is an integer in SQLite (an overflow is an error, never a float).
            switch row["s"] as Int {
            case 1: add(&t.pending, row)
            case 4: add(&t.pending, row); add(&t.overdue, row)
            case 2: add(&t.paid, row)
            default: add(&t.cancelled, row)
            }
            t.count += row["n"] as Int32
            t.sumCents += row["amount"] as Int64
            t.balanceCents += row["balance"] as Int64
            t.paidCents += row["paid"] as Int64
        }
        return t
    }
}
