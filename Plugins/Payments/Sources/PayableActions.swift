import ContonAPI
import ContonKit
import GRDB
import GRPCCore

/// Settling, reopening, cancelling and deleting payables, inside the caller's transaction, so a
/// bulk action runs each row in a savepoint and reports it (docs/PAYMENTS.md, "Settlement").
enum PayableActions {
    typealias Payable = Conton_Payments_V1_Payable

    struct Settlement: Sendable {
        var paymentDate: CivilDate
        /// 0: the whole balance − discount + interest.
        var amountPaidCents: Int64
        var discountCents: Int64
        var interestCents: Int64
        var method: Conton_Payments_V1_PaymentMethod
        var notes: String

        /// Checks what needs no database, every violation at once.
        init(_ r: Conton_Payments_V1_SettlePayableRequest, today: CivilDate) throws {
            var errors = FieldErrors()
            var date = today
            if !r.paymentDate.isEmpty {
                if let d = CivilDate(r.paymentDate) {
                    if d > today { errors.add("payment_date", "must not be after today (\(today)); plan it with expected_payment_date") }
                    date = d
                } else {
                    errors.add("payment_date", "\(r.paymentDate) is not a date (YYYY-MM-DD)")
                }
            }
            for (value, field) in [(r.amountPaidCents, "amount_paid_cents"), (r.discountCents, "discount_cents"), (r.interestCents, "interest_cents")] {
                if value < 0 { errors.add(field, "must not be negative") }
                if value > PayableMoney.maxCents { errors.add(field, "must be at most \(PayableMoney.formatted(PayableMoney.maxCents))") }
            }
            if case .unrecognized(let n) = r.method { errors.add("method", "\(n) is not a payment method") }
            let notes = TextRules.clean(r.notes, "notes", max: 1000, multiline: true, errors: &errors)
            try errors.check()
            self.paymentDate = date
            self.amountPaidCents = r.amountPaidCents
            self.discountCents = r.discountCents
            self.interestCents = r.interestCents
            self.method = r.method
            self.notes = notes
        }

        init(paymentDate: CivilDate, method: Conton_Payments_V1_PaymentMethod) {
            self.paymentDate = paymentDate
            self.amountPaidCents = 0
            self.discountCents = 0
            self.interestCents = 0
            self.method = method
            self.notes = ""
        }
    }

    private static func refuse(_ p: Payable, _ what: String, reason: String) -> ServiceError {
        ServiceError(.failedPrecondition, "payable \(p.id) \(what)", reason: reason,
                     resource: ErrorDetails.Resource(type: PayableStore.type, name: p.id))
    }

    /// Registers a payment; the payable is PAID when its balance reaches zero.
    static func settle(_ id: String, _ s: Settlement, today: CivilDate, in m: inout Mutation) throws -> (Payable, Conton_Payments_V1_PayablePayment) {
        let p = try PayableStore.require(id, today: today, in: m.db)
        switch p.status {
        case .cancelled: throw refuse(p, "is cancelled; reopen it first", reason: "PAYABLE_CANCELLED")
        case .paid: throw refuse(p, "is paid already (on \(p.paymentDate)); reopen it to pay again", reason: "PAYABLE_PAID")
        default: break
        }
        let balance = p.balanceCents
        let paid = s.amountPaidCents == 0 ? balance - s.discountCents + s.interestCents : s.amountPaidCents
        let principal = paid + s.discountCents - s.interestCents
        var errors = FieldErrors()
        if s.discountCents > balance {
            errors.add("discount_cents", "\(PayableMoney.formatted(s.discountCents)) is more than the balance of \(PayableMoney.formatted(balance))")
        } else if paid < 0 {
            errors.add("amount_paid_cents", "the discount leaves nothing to pay")
        } else if principal > balance {
            errors.add("amount_paid_cents", "\(PayableMoney.formatted(paid)) settles \(PayableMoney.formatted(principal)) (with discount and interest), more than the balance of \(PayableMoney.formatted(balance))")
        } else if principal <= 0 {
            errors.add("amount_paid_cents", "\(PayableMoney.formatted(paid)) settles nothing once the interest/fine of \(PayableMoney.formatted(s.interestCents)) is paid")
        }
        try errors.check()
        let method = s.method == .unspecified ? p.method : s.method
        let key = Int64(p.id)!
        try m.db.execute(sql: """
            INSERT INTO payments_payment (payable_id, payment_date, amount_paid_cents, discount_cents, interest_cents, principal_cents,
                                          method, notes, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [key, s.paymentDate.description, paid, s.discountCents, s.interestCents, principal, method.rawValue, s.notes, m.now])
        let paymentID = m.db.lastInsertedRowID
        let done = principal == balance
        try m.db.execute(sql: """
            UPDATE payments_payable SET settled_cents = settled_cents + ?, paid_cents = paid_cents + ?, discount_cents = discount_cents + ?,
              interest_cents = interest_cents + ?, payment_date = max(coalesce(payment_date, ''), ?), method = ?, status = ?,
              version = version + 1, updated_at_ms = ? WHERE id = ?
            """, arguments: [principal, paid, s.discountCents, s.interestCents, s.paymentDate.description, method.rawValue,
                             done ? PayableStore.paid : PayableStore.pending, m.now, key])
        try m.publish(PayableSettled(payableID: p.id, supplierID: p.supplierId, paymentID: String(paymentID), amountPaidCents: paid,
                                     balanceCents: balance - principal, paid: done))
        m.audit("payable", p.id, "registered a payment of \(PayableMoney.formatted(paid)) on \(s.paymentDate)" +
                (done ? "; paid" : "; balance \(PayableMoney.formatted(balance - principal))"))
        let payable = try PayableStore.detailed(p.id, today: today, in: m.db)
        return (payable, payable.payments.last!)
    }

    /// Back to PENDING with the whole amount due; payments kept, marked reversed.
    static func reopen(_ id: String, reason: String, today: CivilDate, in m: inout Mutation) throws -> Payable {
        let p = try PayableStore.require(id, today: today, in: m.db)
        guard p.status != .pending || p.settledCents > 0 else {
            throw refuse(p, "is pending with nothing paid: nothing to reopen", reason: "PAYABLE_PENDING")
        }
        let key = Int64(p.id)!
        try m.db.execute(sql: "UPDATE payments_payment SET reversed_at_ms = ? WHERE payable_id = ? AND reversed_at_ms IS NULL", arguments: [m.now, key])
        try m.db.execute(sql: """
            UPDATE payments_payable SET status = 1, settled_cents = 0, paid_cents = 0, discount_cents = 0, interest_cents = 0,
              payment_date = NULL, cancelled_at_ms = NULL, cancel_reason = '', overdue_notified_at_ms = NULL, due_soon_notified_at_ms = NULL,
              version = version + 1, updated_at_ms = ? WHERE id = ?
            """, arguments: [m.now, key])
        m.audit("payable", p.id, "reopened payable (was \(p.status == .cancelled ? "cancelled" : "paid \(PayableMoney.formatted(p.paidCents))")): \(reason)")
        return try PayableStore.detailed(p.id, today: today, in: m.db)
    }

    /// Cancels one pending payable (a partial payment stays recorded; the rest is waived).
    static func cancel(_ p: Payable, reason: String, today: CivilDate, in m: inout Mutation) throws -> Payable {
        switch p.status {
        case .cancelled: throw refuse(p, "is cancelled already", reason: "PAYABLE_CANCELLED")
        case .paid: throw refuse(p, "is paid; reopen it first", reason: "PAYABLE_PAID")
        default: break
        }
        try m.db.execute(sql: """
            UPDATE payments_payable SET status = 3, cancelled_at_ms = ?, cancel_reason = ?, version = version + 1, updated_at_ms = ? WHERE id = ?
            """, arguments: [m.now, reason, m.now, Int64(p.id)!])
        m.audit("payable", p.id, "cancelled payable: \(reason)")
        return try PayableStore.require(p.id, today: today, in: m.db)
    }

    /// Deletes one payable that has no payment (reversed ones included: reopening keeps them).
    static func delete(_ p: Payable, in m: inout Mutation) throws {
        let key = Int64(p.id)!
        let payments = try Int.fetchOne(m.db, sql: "SELECT count(*) FROM payments_payment WHERE payable_id = ? AND reversed_at_ms IS NULL", arguments: [key]) ?? 0
        if payments > 0 { throw refuse(p, "has payments; reopen it first, or cancel it", reason: "PAYABLE_HAS_PAYMENTS") }
        try m.db.execute(sql: "DELETE FROM payments_payable WHERE id = ?", arguments: [key])
        m.audit("payable", p.id, "deleted payable \(p.description) of \(PayableMoney.formatted(p.amountCents)) due \(p.dueDate)")
    }

    /// The payables an action on `p` with `scope` covers, in instalment order.
    static func scoped(_ p: Payable, _ scope: Conton_Payments_V1_InstalmentScope, today: CivilDate, in db: Database) throws -> [Payable] {
        guard let group = Int64(p.instalmentGroupId), scope == .following || scope == .all else { return [p] }
        var sql = PayableStore.select + " WHERE p.group_id = ?"
        if scope == .following { sql += " AND p.instalment_number >= \(p.instalmentNumber)" }
        return try Row.fetchAll(db, sql: sql + " ORDER BY p.instalment_number", arguments: [group]).map { PayableStore.payable($0, today: today) }
    }

    /// Runs `body` on each id in its own savepoint: a row that fails leaves nothing and is
    /// reported with the code the single call would have given.
    static func bulk(_ ids: [String], in m: inout Mutation, _ body: (String, inout Mutation) throws -> Payable?) throws -> Conton_Payments_V1_BulkResponse {
        var response = Conton_Payments_V1_BulkResponse()
        for id in ids {
            var result = Conton_Payments_V1_BulkResult()
            result.payableId = id
            do {
                if let payable = try inSavepoint(&m, { m in try body(id, &m) }) { result.payable = payable }
                response.succeeded += 1
            } catch {
                let (code, message) = Self.status(of: error)
                result.code = Int32(code.rawValue)
                result.message = message
                response.failed += 1
            }
            response.results.append(result)
        }
        return response
    }

    /// Runs `body` in a savepoint of `m`'s transaction: when it throws, its rows, events and
    /// audit entries are all undone and the transaction goes on.
    static func inSavepoint<T>(_ m: inout Mutation, _ body: (inout Mutation) throws -> T) throws -> T {
        var mutation = m
        var result: T?
        try m.db.inSavepoint {
            result = try body(&mutation)
            return .commit
        }
        m = mutation
        return result!
    }

    private static func status(of error: any Error) -> (RPCError.Code, String) {
        switch error {
        case let e as RPCError: (e.code, e.message)
        case let e as any RPCErrorConvertible: (e.rpcErrorCode, e.rpcErrorMessage)
        default: (.internalError, "internal error")
        }
    }
}
