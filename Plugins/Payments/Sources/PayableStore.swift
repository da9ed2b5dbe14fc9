import ContonAPI
import ContonBrazil
import ContonKit
import GRDB

/// Reads and writes `payments_payable` rows inside the caller's transaction.
enum PayableStore {
    typealias Payable = Conton_Payments_V1_Payable
    static let type = "conton.payments.v1.Payable"

    /// Stored status values (overdue is derived, never stored).
    static let pending = 1, paid = 2, cancelled = 3

    /// The columns a payable is read from, in this order (read by index: a lookup by name
    /// lower-cases it on every access, which cost a tenth of a list call's time).
    static let columns = [
        "id", "supplier_id", "supplier_name", "supplier_document", "payee_document", "description", "category_id", "cost_center_id",
        "amount_cents", "competence", "due_date", "expected_payment_date", "status", "payment_date", "paid_cents", "discount_cents",
        "interest_cents", "settled_cents", "method", "document_number", "boleto_line", "attachments", "notes", "instalment_number",
        "instalment_count", "group_id", "recurrence_id", "version", "created_at_ms", "updated_at_ms", "cancelled_at_ms", "cancel_reason",
    ]

    /// Every payable column with its category's and cost centre's names (the last two).
    static let select = "SELECT " + columns.map { "p." + $0 }.joined(separator: ", ") + """
        , cat.name, cc.name FROM payments_payable p
        LEFT JOIN payments_classifier cat ON cat.id = p.category_id
        LEFT JOIN payments_classifier cc ON cc.id = p.cost_center_id
        """

    /// A payable from a row of ``select``; `formats` remembers the documents formatted (a page
    /// names the same suppliers many times, and formatting validates the check digits first).
    static func payable(_ row: Row, today: CivilDate, formats: TaxIDFormats = TaxIDFormats()) -> Payable {
        var p = Payable()
        p.id = String(row[0] as Int64)
        p.supplierId = String(row[1] as Int64)
        p.supplierName = row[2]
        p.supplierDocumentFormatted = formats(row[3])
        p.payeeDocumentFormatted = formats(row[4])
        p.description = row[5]
        p.categoryId = (row[6] as Int64?).map(String.init) ?? ""
        p.costCenterId = (row[7] as Int64?).map(String.init) ?? ""
        p.amountCents = row[8]
        p.competence = row[9]
        p.dueDate = row[10]
        p.expectedPaymentDate = row[11]
        let stored: Int = row[12]
        p.status = Conton_Payments_V1_PayableStatus(rawValue: Int32(stored))
        if stored == pending && p.dueDate < today.description, let due = CivilDate(p.dueDate) {
            p.overdue = true
            p.daysOverdue = Int32(today.dayNumber - due.dayNumber)
        }
        p.paymentDate = row[13] ?? ""
        p.paidCents = row[14]
        p.discountCents = row[15]
        p.interestCents = row[16]
        p.settledCents = row[17]
        p.balanceCents = stored == pending ? p.amountCents - p.settledCents : 0
        p.method = Conton_Payments_V1_PaymentMethod(rawValue: row[18])
        p.documentNumber = row[19]
        p.boletoLine = row[20]
        let attachments: String = row[21]
        p.attachmentFileIds = attachments.isEmpty ? [] : attachments.split(separator: ",").map(String.init)
        p.notes = row[22]
        p.instalmentNumber = row[23]
        p.instalmentCount = row[24]
        p.instalmentGroupId = (row[25] as Int64?).map(String.init) ?? ""
        p.recurrenceId = (row[26] as Int64?).map(String.init) ?? ""
        p.version = row[27]
        p.createdAtMs = row[28]
        p.updatedAtMs = row[29]
        p.cancelledAtMs = row[30] ?? 0
        p.cancelReason = row[31]
        p.categoryName = row[32] ?? ""
        p.costCenterName = row[33] ?? ""
        return p
    }

    /// The payable `id` with its stored status, or NOT_FOUND (INVALID_ARGUMENT when empty).
    static func require(_ id: String, today: CivilDate, field: String = "payable_id", in db: Database) throws -> Payable {
        guard !id.isEmpty else { throw FieldErrors.single(field, "is required") }
        guard let key = Int64(id), let row = try Row.fetchOne(db, sql: select + " WHERE p.id = ?", arguments: [key]) else {
            throw ServiceError.notFound("payable", id, type: type)
        }
        return payable(row, today: today)
    }

    /// The payable with its payments (GetPayable, and the answers of single-payable actions).
    static func detailed(_ id: String, today: CivilDate, in db: Database) throws -> Payable {
        var p = try require(id, today: today, in: db)
        p.payments = try Row.fetchAll(db, sql: "SELECT * FROM payments_payment WHERE payable_id = ? ORDER BY id", arguments: [Int64(id)!]).map(payment)
        return p
    }

    static func payment(_ row: Row) -> Conton_Payments_V1_PayablePayment {
        var p = Conton_Payments_V1_PayablePayment()
        p.id = String(row["id"] as Int64)
        p.paymentDate = row["payment_date"]
        p.amountPaidCents = row["amount_paid_cents"]
        p.discountCents = row["discount_cents"]
        p.interestCents = row["interest_cents"]
        p.principalCents = row["principal_cents"]
        p.method = Conton_Payments_V1_PaymentMethod(rawValue: row["method"])
        p.notes = row["notes"]
        p.createdAtMs = row["created_at_ms"]
        p.reversedAtMs = row["reversed_at_ms"] ?? 0
        return p
    }

    /// What `text` searches: description, document number, notes, supplier name and document.
    static func searchKey(description: String, documentNumber: String, notes: String, supplierKey: String) -> String {
        SearchKey.fold(description + " " + documentNumber + " " + notes) + " \u{2022} " + supplierKey
    }

    static let insertSQL = """
        INSERT INTO payments_payable (supplier_id, supplier_name, supplier_document, payee_document, description, category_id,
          cost_center_id, amount_cents, competence, due_date, expected_payment_date, status, method, document_number, boleto_line,
          attachments, notes, instalment_number, instalment_count, group_id, recurrence_id, search_key, created_at_ms, updated_at_ms)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// Inserts validated drafts (one statement, prepared once); returns their ids in order. A
    /// group of instalments shares the first one's id as `group_id`. Their sums go to `totals`,
    /// written to `payments_due_totals` when it is flushed — at the end of this call when none
    /// is given.
    static func insert(_ drafts: [PayableDraft], supplier: Conton_Payments_V1_Supplier, now: Int64, totals: DueTotals? = nil,
                       in db: Database) throws -> [Int64] {
        let sums = totals ?? DueTotals()
        let statement = try db.cachedStatement(sql: insertSQL)
        let key = SupplierStore.searchKey(supplier)
        let payee = SupplierStore.payeeDocument(supplier)
        var ids: [Int64] = []
        ids.reserveCapacity(drafts.count)
        let grouped = drafts.count > 1
        // Instalments share their texts: fold them once (folding is most of an insert's cost).
        var folded: (text: [String], key: String) = ([], "")
        for (i, d) in drafts.enumerated() {
            let texts = [d.description, d.documentNumber, d.notes]
            if texts != folded.text {
                folded = (texts, searchKey(description: d.description, documentNumber: d.documentNumber, notes: d.notes, supplierKey: key))
            }
            try statement.execute(arguments: [
                Int64(supplier.id)!, supplier.name, supplier.document, payee, d.description, d.categoryID, d.costCenterID,
                d.amountCents, d.competence, d.dueDate, d.expectedPaymentDate, d.method.rawValue, d.documentNumber, d.boletoLine,
                d.attachments.joined(separator: ","), d.notes, grouped ? i + 1 : 0, grouped ? drafts.count : 0,
                grouped ? ids.first : nil, d.recurrenceID,
                folded.key, now, now,
            ])
            ids.append(db.lastInsertedRowID)
            sums.add(d.dueDate, d.amountCents)
        }
        if totals == nil { try sums.flush(in: db) }
        if grouped, let first = ids.first {
            try db.cachedStatement(sql: "UPDATE payments_payable SET group_id = ? WHERE id = ?").execute(arguments: [first, first])
        }
        return ids
    }

    /// The payables of `ids`, in that order.
    static func fetch(_ ids: [Int64], today: CivilDate, in db: Database) throws -> [Payable] {
        guard let first = ids.first, let last = ids.last else { return [] }
        if ids.count > 1 && last - first == Int64(ids.count - 1) {
            // Inserted together: one range.
            return try Row.fetchAll(db, sql: select + " WHERE p.id BETWEEN ? AND ? ORDER BY p.id", arguments: [first, last]).map { payable($0, today: today) }
        }
        return try ids.map { id in try require(String(id), today: today, in: db) }
    }

    /// After a supplier's update: its payables show its current name, document and payee.
    static func refreshSupplier(_ s: Conton_Payments_V1_Supplier, in db: Database) throws {
        let key = SupplierStore.searchKey(s)
        let rows = try Row.fetchAll(db, sql: "SELECT id, description, document_number, notes FROM payments_payable WHERE supplier_id = ?",
                                    arguments: [Int64(s.id)!])
        let statement = try db.cachedStatement(sql: """
            UPDATE payments_payable SET supplier_name = ?, supplier_document = ?, payee_document = ?, search_key = ? WHERE id = ?
            """)
        for row in rows {
            try statement.execute(arguments: [s.name, s.document, SupplierStore.payeeDocument(s),
                                              searchKey(description: row["description"], documentNumber: row["document_number"],
                                                        notes: row["notes"], supplierKey: key), row["id"] as Int64])
        }
    }
}

/// New pending payables' count and amount per due date, added to `payments_due_totals` in one
/// upsert per date (a batch of 12,000 payables spans a few hundred dates).
final class DueTotals {
    private var sums: [String: (count: Int64, amount: Int64)] = [:]

    func add(_ dueDate: String, _ amount: Int64) {
        sums[dueDate, default: (0, 0)].count += 1
        sums[dueDate, default: (0, 0)].amount += amount
    }

    func flush(in db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO payments_due_totals VALUES (?, 1, ?, ?, 0, 0)
            ON CONFLICT (due_date, status) DO UPDATE SET n = n + excluded.n, amount = amount + excluded.amount
            """)
        for (date, sum) in sums { try statement.execute(arguments: [date, sum.count, sum.amount]) }
        sums = [:]
    }
}

/// ``ContonBrazil/TaxID/formatted(_:)`` of the documents one read meets, each computed once.
final class TaxIDFormats {
    private var known: [String: String] = [:]

    func callAsFunction(_ document: String) -> String {
        if let f = known[document] { return f }
        let f = TaxID.formatted(document)
        known[document] = f
        return f
    }
}
