import ClientsCapability
import ContonAPI
import ContonBrazil
import ContonKit
import Foundation
import GRDB
import GRPCCore
import OfficeCapability

/// Settlement (*baixa*), its reversal, cancellation and the late-charge quote, inside the
/// caller's transaction (docs/FEES.md).
enum Settlement {
    typealias Payment = Conton_Fees_V1_Payment

    /// A validated SettleReceivable request.
    struct Input: Sendable {
        var receivableID: String
        var paymentDate: CivilDate
        var amountPaid: Int64
        var discount: Int64
        var interest: Int64
        var fine: Int64
        var method: Conton_Fees_V1_PaymentMethod
        var notes: String

        /// What the payment takes off the balance.
        var principal: Int64 { amountPaid - interest - fine + discount }

        init(_ r: Conton_Fees_V1_SettleReceivableRequest, today: CivilDate) throws {
            var errors = FieldErrors()
            if r.receivableId.isEmpty { errors.add("receivable_id", "is required") }
            let date = CivilDate(r.paymentDate)
            if r.paymentDate.isEmpty {
                errors.add("payment_date", "is required (YYYY-MM-DD)")
            } else if date == nil {
                errors.add("payment_date", "must be a date YYYY-MM-DD")
            } else if let date, today < date {
                errors.add("payment_date", "must not be after today (\(today))")
            }
            if r.amountPaidCents <= 0 { errors.add("amount_paid_cents", "must be greater than zero (cancel the receivable to write it off)") }
            for (field, value) in [("amount_paid_cents", r.amountPaidCents), ("discount_cents", r.discountCents),
                                   ("interest_cents", r.interestCents), ("fine_cents", r.fineCents)] {
                if value < 0 && field != "amount_paid_cents" { errors.add(field, "must not be negative") }
                if value > Money.maxCents { errors.add(field, "must be at most \(Money.formatted(Money.maxCents))") }
            }
            switch r.method {
            case .boleto, .pix, .transfer, .cash, .card: break
            default: errors.add("method", "is required: BOLETO, PIX, TRANSFER, CASH or CARD")
            }
            if r.notes.count > 1000 { errors.add("notes", "must be at most 1,000 characters") }
            if errors.isEmpty, r.amountPaidCents - r.interestCents - r.fineCents + r.discountCents <= 0 {
                errors.add("amount_paid_cents", "pays no part of the balance: amount paid − interest − fine + discount must be greater than zero")
            }
            try errors.check()
            receivableID = r.receivableId
            paymentDate = date!
            amountPaid = r.amountPaidCents
            discount = r.discountCents
            interest = r.interestCents
            fine = r.fineCents
            method = r.method
            notes = r.notes
        }
    }

    /// Registers a payment: the receipt number comes from the counter row in this transaction
    /// (writers are serialised, so numbers are gapless and never reused).
    static func settle(_ input: Input, today: CivilDate,
                       in m: inout Mutation) throws -> Conton_Fees_V1_SettleReceivableResponse {
        let recorded = try record(input, today: today, in: &m)
        var response = Conton_Fees_V1_SettleReceivableResponse()
        response.receivable = try detailed(recorded.receivableID, today: today, in: m.db)
        response.payment = response.receivable.payments.last!
        response.receipt = recorded.receipt
        return response
    }

    /// What ``record(_:today:in:)`` wrote.
    struct Recorded {
        var receivableID: String
        var paymentID: Int64
        var receipt: Conton_Fees_V1_Receipt
        var balanceCents: Int64
        var paidOff: Bool
    }

    /// ``settle(_:today:in:)`` without reading the receivable back for the answer (a bank file
    /// settles thousands in one transaction and needs only the receipt).
    static func record(_ input: Input, today: CivilDate, in m: inout Mutation) throws -> Recorded {
        let db = m.db
        let clients = try m.capabilities.clients, office = try m.capabilities.office
        let (receivable, stored) = try ReceivableStore.require(input.receivableID, today: today, in: db)
        switch stored {
        case ReceivableStore.paid:
            throw ServiceError(.failedPrecondition, "receivable \(receivable.id) is already paid", reason: "RECEIVABLE_PAID", resource: ErrorDetails.Resource(type: "conton.fees.v1.Receivable", name: receivable.id))
        case ReceivableStore.cancelled:
            throw ServiceError(.failedPrecondition, "receivable \(receivable.id) is cancelled; reopen it first", reason: "RECEIVABLE_CANCELLED",
                               resource: ErrorDetails.Resource(type: "conton.fees.v1.Receivable", name: receivable.id))
        default: break
        }
        guard input.principal <= receivable.balanceCents else {
            throw ServiceError(.failedPrecondition, """
                overpayment: receivable \(receivable.id) has a balance of \(Money.formatted(receivable.balanceCents)); \
                this payment would settle \(Money.formatted(input.principal)) (amount paid − interest − fine + discount)
                """, reason: "OVERPAYMENT", resource: ErrorDetails.Resource(type: "conton.fees.v1.Receivable", name: receivable.id))
        }
        guard let number = try Int64.fetchOne(try db.cachedStatement(sql: "UPDATE fees_counter SET value = value + 1 WHERE name = 'receipt' RETURNING value")) else {
            throw ServiceError(.internalError, "the receipt counter is missing")
        }
        let payer = try clients.client(id: receivable.clientId, in: db)
        let receipt = try Receipts.make(number: number, receivable: receivable, input: input,
                                        payerName: payer?.name ?? receivable.clientName,
                                        payerDocument: payer.map { TaxID.formatted($0.document) } ?? receivable.clientDocumentFormatted,
                                        office: try office.profile(in: db), now: m.now)
        let key = Int64(receivable.id)!
        // The payment's id is taken before its row is written (writers are serialised), so the
        // receipt that names it goes in with the row: one INSERT, no UPDATE after it. Cached
        // statements: a bank's retorno settles thousands in one transaction.
        let paymentID = (try Int64.fetchOne(try db.cachedStatement(sql: "SELECT max(id) FROM fees_payment")) ?? 0) + 1
        var stamped = receipt
        stamped.paymentId = String(paymentID)
        try db.cachedStatement(sql: """
            INSERT INTO fees_payment (id, receivable_id, client_id, payment_date, amount_paid_cents, discount_cents, interest_cents,
                                      fine_cents, principal_cents, method, notes, receipt_number, receipt, created_at_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [paymentID, key, receivable.clientId, input.paymentDate.description, input.amountPaid, input.discount,
                                     input.interest, input.fine, input.principal, input.method.rawValue, input.notes, number,
                                     Data(stamped.serializedBytes()), m.now])
        let paidOff = input.principal == receivable.balanceCents
        try db.cachedStatement(sql: """
            UPDATE fees_receivable SET settled_cents = settled_cents + ?, received_cents = received_cents + ?,
              discount_cents = discount_cents + ?, interest_cents = interest_cents + ?, fine_cents = fine_cents + ?,
              payment_date = ?, status = ?, updated_at_ms = ?
            WHERE id = ?
            """).execute(arguments: [input.principal, input.amountPaid, input.discount, input.interest, input.fine, input.paymentDate.description,
                             paidOff ? ReceivableStore.paid : ReceivableStore.open, m.now, key])
        let balance = receivable.balanceCents - input.principal
        m.audit("receivable", receivable.id, "settled \(Money.formatted(input.amountPaid)) on \(input.paymentDate) by \(methodName(input.method))" +
                " (receipt \(number)); balance \(Money.formatted(balance))")
        try m.publish(ReceivableSettled(receivableID: receivable.id, clientID: receivable.clientId, paymentID: String(paymentID),
                                        receiptNumber: number, amountPaidCents: input.amountPaid, balanceCents: balance, paid: paidOff))
        return Recorded(receivableID: receivable.id, paymentID: paymentID, receipt: stamped, balanceCents: balance, paidOff: paidOff)
    }

    /// Takes a paid (or partly paid) receivable back to open, reversing its payments (their
    /// receipts become void; their numbers stay used), or a cancelled one back to open.
    static func reopen(_ id: String, reason: String, today: CivilDate, in m: inout Mutation) throws -> Conton_Fees_V1_Receivable {
        let db = m.db
        let (receivable, stored) = try ReceivableStore.require(id, today: today, in: db)
        let key = Int64(receivable.id)!
        if stored == ReceivableStore.cancelled {
            if !receivable.feeId.isEmpty {
                // The same uniqueness as the partial unique indexes: one monthly fee per competence,
                // one 13th-fee instalment per (year, instalment).
                let clash = try Int64.fetchOne(db, sql: """
                    SELECT o.id FROM fees_fee o JOIN fees_fee f ON f.id = ?
                    WHERE o.client_id = f.client_id AND o.kind = f.kind AND o.cancelled_at_ms IS NULL AND o.id != f.id
                      AND (CASE f.kind WHEN 1 THEN o.competence = f.competence
                                       ELSE o.thirteenth_year = f.thirteenth_year AND o.instalment = f.instalment END)
                    """, arguments: [key])
                if let clash {
                    throw ServiceError(.failedPrecondition, "client \(receivable.clientId) already has fee \(clash) for \(receivable.competence); cancel it first",
                                       reason: "FEE_EXISTS_FOR_COMPETENCE", resource: ErrorDetails.Resource(type: "conton.fees.v1.Fee", name: String(clash)))
                }
                try db.execute(sql: "UPDATE fees_fee SET cancelled_at_ms = NULL, cancel_reason = '' WHERE id = ?", arguments: [key])
            }
            try db.execute(sql: """
                UPDATE fees_receivable SET status = 1, cancelled_at_ms = NULL, cancel_reason = '', updated_at_ms = ? WHERE id = ?
                """, arguments: [m.now, key])
            m.audit("receivable", receivable.id, "reopened cancelled receivable: \(reason)")
        } else if receivable.settledCents > 0 {
            let reversed = try Int.fetchOne(db, sql: "SELECT count(*) FROM fees_payment WHERE receivable_id = ? AND reversed_at_ms IS NULL",
                                            arguments: [key]) ?? 0
            try db.execute(sql: "UPDATE fees_payment SET reversed_at_ms = ?, reverse_reason = ? WHERE receivable_id = ? AND reversed_at_ms IS NULL",
                           arguments: [m.now, reason, key])
            try db.execute(sql: """
                UPDATE fees_receivable SET status = 1, settled_cents = 0, received_cents = 0, discount_cents = 0, interest_cents = 0,
                  fine_cents = 0, payment_date = NULL, updated_at_ms = ?
                WHERE id = ?
                """, arguments: [m.now, key])
            m.audit("receivable", receivable.id, "reopened: reversed \(reversed) payment(s), their receipts void: \(reason)")
        } else {
            throw ServiceError(.failedPrecondition, "receivable \(receivable.id) is open with no payments: nothing to reopen",
                               reason: "RECEIVABLE_OPEN", resource: ErrorDetails.Resource(type: "conton.fees.v1.Receivable", name: receivable.id))
        }
        return try detailed(receivable.id, today: today, in: db)
    }

    /// Cancels an open receivable without payments, and its fee; already cancelled: unchanged.
    @discardableResult
    static func cancel(receivableID key: Int64, reason: String, in m: inout Mutation, today: CivilDate) throws -> Conton_Fees_V1_Receivable {
        let db = m.db
        let (receivable, stored) = try ReceivableStore.require(String(key), today: today, in: db)
        if stored == ReceivableStore.cancelled { return receivable }
        if stored == ReceivableStore.paid {
            throw ServiceError(.failedPrecondition, "receivable \(receivable.id) is paid and cannot be cancelled; reopen it first",
                               reason: "RECEIVABLE_PAID", resource: ErrorDetails.Resource(type: "conton.fees.v1.Receivable", name: receivable.id))
        }
        if receivable.settledCents > 0 {
            throw ServiceError(.failedPrecondition, "receivable \(receivable.id) has payments (\(Money.formatted(receivable.settledCents))); reopen it first",
                               reason: "RECEIVABLE_HAS_PAYMENTS", resource: ErrorDetails.Resource(type: "conton.fees.v1.Receivable", name: receivable.id))
        }
        try db.execute(sql: "UPDATE fees_receivable SET status = 4, cancelled_at_ms = ?, cancel_reason = ?, updated_at_ms = ? WHERE id = ?",
                       arguments: [m.now, reason, m.now, key])
        try db.execute(sql: "UPDATE fees_fee SET cancelled_at_ms = ?, cancel_reason = ? WHERE id = ? AND cancelled_at_ms IS NULL",
                       arguments: [m.now, reason, key])
        m.audit(receivable.feeId.isEmpty ? "receivable" : "fee", receivable.id, "cancelled: \(reason)")
        try m.publish(ReceivableCancelled(receivableID: receivable.id, clientID: receivable.clientId, reason: reason))
        return try detailed(receivable.id, today: today, in: db)
    }

    /// The receivable with its payments.
    static func detailed(_ id: String, today: CivilDate, scope: ClientScope = .all, in db: Database) throws -> Conton_Fees_V1_Receivable {
        var (receivable, _) = try ReceivableStore.require(id, scope: scope, today: today, in: db)
        receivable.payments = try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM fees_payment WHERE receivable_id = ? ORDER BY id"),
                                               arguments: [Int64(id)!]).map(payment)
        return receivable
    }

    static func payment(_ row: Row) -> Payment {
        var p = Payment()
        p.id = String(row["id"] as Int64)
        p.receivableId = String(row["receivable_id"] as Int64)
        p.paymentDate = row["payment_date"]
        p.amountPaidCents = row["amount_paid_cents"]
        p.discountCents = row["discount_cents"]
        p.interestCents = row["interest_cents"]
        p.fineCents = row["fine_cents"]
        p.principalCents = row["principal_cents"]
        p.method = Conton_Fees_V1_PaymentMethod(rawValue: row["method"])
        p.notes = row["notes"]
        p.receiptNumber = row["receipt_number"]
        p.reversedAtMs = row["reversed_at_ms"] ?? 0
        p.createdAtMs = row["created_at_ms"]
        return p
    }

    /// The suggested settlement of `receivable` on `date`: its balance, plus — when paid after
    /// the due date — the fine (once) and interest pro rata die, at the office's rates.
    static func quote(_ receivable: Conton_Fees_V1_Receivable, on date: CivilDate, office: Conton_Office_V1_OfficeProfile?) -> Conton_Fees_V1_SettlementQuote {
        var q = Conton_Fees_V1_SettlementQuote()
        q.receivableId = receivable.id
        q.paymentDate = date.description
        q.dueDate = receivable.dueDate
        q.balanceCents = receivable.balanceCents
        q.fineBasisPoints = office?.boleto.fineBasisPoints ?? 0
        q.monthlyInterestBasisPoints = office?.boleto.monthlyInterestBasisPoints ?? 0
        if let due = CivilDate(receivable.dueDate), due < date, receivable.balanceCents > 0 {
            let days = date.dayNumber - due.dayNumber
            q.daysLate = Int32(days)
            q.fineCents = Money.fine(balance: receivable.balanceCents, fineBasisPoints: Int(q.fineBasisPoints))
            q.interestCents = Money.interest(balance: receivable.balanceCents, monthlyBasisPoints: Int(q.monthlyInterestBasisPoints),
                                             daysLate: days)
        }
        q.totalCents = q.balanceCents + q.fineCents + q.interestCents
        return q
    }

    static func methodName(_ method: Conton_Fees_V1_PaymentMethod) -> String {
        switch method {
        case .boleto: "boleto"
        case .pix: "Pix"
        case .transfer: "transferência"
        case .cash: "dinheiro"
        case .card: "cartão"
        default: "—"
        }
    }
}
