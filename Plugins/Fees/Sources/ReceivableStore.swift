import ClientsCapability
import ContonAPI
import ContonBrazil
import ContonKit
import GRDB
import GRPCCore

/// Reads and writes `fees_receivable` and `fees_fee` rows, inside the caller's transaction.
enum ReceivableStore {
    typealias Receivable = Conton_Fees_V1_Receivable
    typealias Status = Conton_Fees_V1_ReceivableStatus

    /// Stored status values (overdue is derived, never stored).
    static let open: Int = 1, paid: Int = 3, cancelled: Int = 4

    static let columns = """
        id, client_id, client_name, client_document, fee_id, competence, description, amount_cents, due_date, status,
        settled_cents, received_cents, discount_cents, interest_cents, fine_cents, payment_date, notes, created_at_ms,
        cancelled_at_ms, cancel_reason
        """

    /// The derived status as SQL, given today as the first bound argument.
    static let derivedStatusSQL = "(CASE WHEN status = 1 AND due_date < ? THEN 2 ELSE status END)"

    /// The status shown: OVERDUE for an open receivable due before `today`.
    static func status(stored: Int, dueDate: String, today: String) -> Status {
        switch stored {
        case paid: .paid
        case cancelled: .cancelled
        default: dueDate < today ? .overdue : .open
        }
    }

    /// The receivable of a row selected with ``columns`` (read by position: a list page or a bank
    /// file reads thousands, and a lookup by name compares every column's name).
    static func receivable(_ row: Row, today: CivilDate) -> Receivable {
        var r = Receivable()
        r.id = String(row[0] as Int64)
        r.clientId = row[1]
        r.clientName = row[2]
        r.clientDocumentFormatted = TaxID.formatted(row[3])
        r.feeId = (row[4] as Int64?).map(String.init) ?? ""
        r.competence = row[5]
        r.description = row[6]
        r.amountCents = row[7]
        r.dueDate = row[8]
        let stored: Int = row[9]
        r.status = status(stored: stored, dueDate: r.dueDate, today: today.description)
        r.settledCents = row[10]
        r.balanceCents = stored == cancelled ? 0 : r.amountCents - r.settledCents
        r.receivedCents = row[11]
        r.discountCents = row[12]
        r.interestCents = row[13]
        r.fineCents = row[14]
        r.paymentDate = row[15] ?? ""
        r.notes = row[16]
        r.createdAtMs = row[17]
        r.cancelledAtMs = row[18] ?? 0
        r.cancelReason = row[19]
        if r.status == .overdue, let due = CivilDate(r.dueDate) {
            r.daysOverdue = Int32(today.dayNumber - due.dayNumber)
        }
        return r
    }

    /// The receivable `id` (a decimal string) with its row's stored status, or NOT_FOUND —
    /// also for another client's receivable when `scope` is one client's.
    static func require(_ id: String, scope: ClientScope = .all, today: CivilDate, in db: Database) throws -> (Receivable, stored: Int) {
        guard !id.isEmpty else { throw FieldErrors.single("receivable_id", "is required") }
        guard let key = Int64(id), let row = try Row.fetchOne(try db.cachedStatement(sql: "SELECT \(columns) FROM fees_receivable WHERE id = ?"), arguments: [key]),
              scope.contains(row[1]) else {
            throw ServiceError.notFound("receivable", id, type: "conton.fees.v1.Receivable")
        }
        return (receivable(row, today: today), row[9])
    }

    /// The search key of a receivable: description, client name and document, folded.
    static func searchKey(description: String, clientKey: String) -> String {
        clientKey + " \u{2022} " + SearchKey.fold(description)
    }

    /// The client part of the search key (computed once per client in a generation).
    static func clientKey(name: String, document: String) -> String {
        SearchKey.fold(name) + " " + document.lowercased()
    }

    static let insertSQL = """
        INSERT INTO fees_receivable (id, client_id, client_name, client_document, fee_id, competence, description, amount_cents,
                                     due_date, status, notes, search_key, created_at_ms, updated_at_ms)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)
        """

    /// Inserts an open receivable; returns its id.
    static func insert(client: ClientSummary, description: String, amountCents: Int64, dueDate: String, competence: String,
                       notes: String, now: Int64, in db: Database) throws -> Int64 {
        let key = searchKey(description: description, clientKey: clientKey(name: client.name, document: client.document))
        try db.execute(sql: insertSQL, arguments: [nil, client.id, client.name, client.document, nil, competence, description,
                                                     amountCents, dueDate, notes, key, now, now])
        return db.lastInsertedRowID
    }

    /// The fee of receivable `id`'s row, if any, with the receivable's status.
    static func fee(_ row: Row, status: Status) -> Conton_Fees_V1_Fee {
        var f = Conton_Fees_V1_Fee()
        f.id = String(row["id"] as Int64)
        f.clientId = row["client_id"]
        f.clientName = row["client_name"]
        f.competence = row["competence"]
        f.amountCents = row["amount_cents"]
        f.dueDate = row["due_date"]
        f.description = row["description"]
        f.status = status
        f.receivableId = f.id
        f.generationId = String(row["generation_id"] as Int64)
        f.createdAtMs = row["created_at_ms"]
        f.cancelledAtMs = row["cancelled_at_ms"] ?? 0
        f.cancelReason = row["cancel_reason"]
        f.kind = (row["kind"] as Int) == 2 ? .thirteenth : .monthly
        f.thirteenthYear = row["thirteenth_year"]
        f.instalment = row["instalment"]
        f.instalments = row["instalments"]
        return f
    }

    /// Fee columns joined with their receivable's name and status, for ``fee(_:status:)``.
    static let feeSelect = """
        SELECT f.id, f.client_id, r.client_name, f.competence, f.amount_cents, f.due_date, f.description, f.generation_id,
               f.created_at_ms, f.cancelled_at_ms, f.cancel_reason, f.kind, f.thirteenth_year, f.instalment, f.instalments,
               r.status AS stored_status
        FROM fees_fee f JOIN fees_receivable r ON r.id = f.id
        """

    static func fee(_ row: Row, today: CivilDate) -> Conton_Fees_V1_Fee {
        fee(row, status: status(stored: row["stored_status"], dueDate: row["due_date"], today: today.description))
    }
}

