import ContonAPI
import ContonKit
import GRDB

/// Recurring payables: monthly templates that keep the current month and the next two
/// generated (docs/PAYMENTS.md, "Recurring payables"). Generation is idempotent: at most one
/// payable per (recurrence, competence), a unique index, and `generated_through` remembers how
/// far a template went, so a generated payable the office deleted is not made again.
enum Recurrences {
    typealias Recurrence = Conton_Payments_V1_Recurrence

    /// Months generated ahead: the current one and the next `horizon - 1`.
    static let horizon = 3

    static let outputOnly: Set<String> = ["id", "supplier_name", "generated_through", "version", "created_at_ms", "updated_at_ms", "start_month"]

    /// The last month generation covers when today is `today`.
    static func through(_ today: CivilDate) -> Competence { today.competence.adding(months: horizon - 1)! }

    static func recurrence(_ row: Row) -> Recurrence {
        var r = Recurrence()
        r.id = String(row["id"] as Int64)
        r.supplierId = String(row["supplier_id"] as Int64)
        r.supplierName = row["supplier_name"] ?? ""
        r.description = row["description"]
        r.categoryId = (row["category_id"] as Int64?).map(String.init) ?? ""
        r.costCenterId = (row["cost_center_id"] as Int64?).map(String.init) ?? ""
        r.amountCents = row["amount_cents"]
        r.dueDay = row["due_day"]
        r.startMonth = row["start_month"]
        r.endMonth = row["end_month"]
        r.method = Conton_Payments_V1_PaymentMethod(rawValue: row["method"])
        r.notes = row["notes"]
        r.generatedThrough = row["generated_through"]
        r.version = row["version"]
        r.createdAtMs = row["created_at_ms"]
        r.updatedAtMs = row["updated_at_ms"]
        return r
    }

    static func require(_ id: String, field: String = "recurrence_id", in db: Database) throws -> Recurrence {
        guard !id.isEmpty else { throw FieldErrors.single(field, "is required") }
        guard let key = Int64(id), let row = try Row.fetchOne(db, sql: "SELECT * FROM payments_recurrence WHERE id = ?", arguments: [key]) else {
            throw ServiceError.notFound("recurring payable", id, type: "conton.payments.v1.Recurrence")
        }
        var r = recurrence(row)
        r.supplierName = try SupplierStore.find(r.supplierId, in: db)?.name ?? ""
        return r
    }

    static func list(in db: Database) throws -> [Recurrence] {
        let names = Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT * FROM payments_supplier WHERE id IN (SELECT supplier_id FROM payments_recurrence)")
            .map { (String($0["id"] as Int64), try SupplierStore.supplier($0).name) })
        return try Row.fetchAll(db, sql: "SELECT * FROM payments_recurrence ORDER BY id").map { row in
            var r = recurrence(row)
            r.supplierName = names[r.supplierId] ?? ""
            return r
        }
    }

    /// Checks a recurrence's fields (no database), every violation at once under `recurrence.`.
    static func validated(_ input: Recurrence, today: CivilDate) throws -> Recurrence {
        var r = input
        var errors = FieldErrors()
        if r.supplierId.isEmpty { errors.add("recurrence.supplier_id", "is required") }
        r.description = TextRules.clean(r.description, "recurrence.description", required: true, errors: &errors)
        r.notes = TextRules.clean(r.notes, "recurrence.notes", max: 4000, multiline: true, errors: &errors)
        PayableMoney.check(r.amountCents, "recurrence.amount_cents", errors: &errors)
        if !(1...31).contains(r.dueDay) { errors.add("recurrence.due_day", "must be a day 1 to 31") }
        if r.startMonth.isEmpty { r.startMonth = today.competence.description }
        let start = Competence(r.startMonth)
        if start == nil { errors.add("recurrence.start_month", "\(r.startMonth) is not a month (YYYY-MM)") }
        if !r.endMonth.isEmpty {
            if let end = Competence(r.endMonth) {
                if let start, end < start { errors.add("recurrence.end_month", "is before start_month \(start)") }
            } else {
                errors.add("recurrence.end_month", "\(r.endMonth) is not a month (YYYY-MM)")
            }
        }
        if case .unrecognized(let n) = r.method { errors.add("recurrence.method", "\(n) is not a payment method") }
        try errors.check()
        return r
    }

    /// Supplier (active), category (default: the supplier's) and cost centre as row ids.
    static func references(_ r: Recurrence, in db: Database) throws -> (supplier: Conton_Payments_V1_Supplier, category: Int64?, costCenter: Int64?) {
        var errors = FieldErrors()
        let supplier = try SupplierStore.find(r.supplierId, in: db)
        if let supplier, supplier.status == .archived {
            errors.add("recurrence.supplier_id", "supplier \(supplier.id) (\(supplier.name)) is archived; restore it first")
        } else if supplier == nil {
            errors.add("recurrence.supplier_id", "no supplier has id \(r.supplierId)")
        }
        let categoryText = r.categoryId.isEmpty ? (supplier?.defaultCategoryId ?? "") : r.categoryId
        let category = try ClassifierStore.reference(categoryText, kind: .category, field: "recurrence.category_id",
                                                     allowArchived: r.categoryId.isEmpty, errors: &errors, in: db)
        let costCenter = try ClassifierStore.reference(r.costCenterId, kind: .costCenter, field: "recurrence.cost_center_id", errors: &errors, in: db)
        try errors.check()
        return (supplier!, category, costCenter)
    }

    /// The payable of `r` for `month`.
    static func draft(_ r: Recurrence, month: Competence, category: Int64?, costCenter: Int64?) -> PayableDraft {
        PayableDraft(description: r.description, categoryID: category, costCenterID: costCenter, amountCents: r.amountCents,
                     competence: month.description, dueDate: month.dueDate(day: Int(r.dueDay), followingMonth: false).description,
                     expectedPaymentDate: "", method: r.method, documentNumber: "", boletoLine: "", attachments: [], notes: r.notes,
                     recurrenceID: Int64(r.id))
    }

    /// Creates the missing payables of recurrence `r` through `through`; returns their ids.
    /// Months already generated (`generated_through`) are never made again; an archived
    /// supplier's template waits (nothing generated, nothing marked).
    static func generate(_ r: Recurrence, through: Competence, in m: inout Mutation) throws -> [Int64] {
        guard let start = Competence(r.startMonth) else { return [] }
        var from = start
        if let done = Competence(r.generatedThrough), let next = done.adding(months: 1), next > from { from = next }
        var last = through
        if let end = Competence(r.endMonth), end < last { last = end }
        guard from <= last else { return [] }
        guard let supplier = try SupplierStore.find(r.supplierId, in: m.db), supplier.status == .active else { return [] }
        let category = Int64(r.categoryId) ?? Int64(supplier.defaultCategoryId)
        var ids: [Int64] = []
        var month = from
        while month <= last {
            let exists = try Bool.fetchOne(m.db, sql: "SELECT 1 FROM payments_payable WHERE recurrence_id = ? AND competence = ?",
                                           arguments: [Int64(r.id)!, month.description]) ?? false
            if !exists {
                let d = draft(r, month: month, category: category, costCenter: Int64(r.costCenterId))
                let id = try PayableStore.insert([d], supplier: supplier, now: m.now, in: m.db)[0]
                ids.append(id)
                try m.publish(PayableCreated(payableIDs: [String(id)], supplierID: supplier.id, description: d.description,
                                             totalCents: d.amountCents, firstDueDate: d.dueDate))
            }
            month = month.adding(months: 1)!
        }
        try m.db.execute(sql: "UPDATE payments_recurrence SET generated_through = ? WHERE id = ?", arguments: [last.description, Int64(r.id)!])
        m.audit("recurrence", r.id, ids.isEmpty ? "generated through \(last): nothing new" : "generated \(ids.count) payable(s) through \(last)")
        return ids
    }

    /// Every template's missing payables through the horizon; returns how many were created.
    static func generateAll(today: CivilDate, in m: inout Mutation) throws -> Int {
        let through = through(today)
        var created = 0
        for row in try Row.fetchAll(m.db, sql: "SELECT * FROM payments_recurrence WHERE generated_through < ? AND (end_month = '' OR generated_through < end_month)",
                                    arguments: [through.description]) {
            created += try generate(recurrence(row), through: through, in: &m).count
        }
        return created
    }
}
