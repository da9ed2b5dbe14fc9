import ContonAPI
import ContonBrazil
import ContonKit
import ContonStore
import DocumentsCapability
import FilesCapability
import Foundation
import GRDB
import GRPCCore

/// `conton.payments.v1.Payables`: payables, instalments, settlement, bulk actions, recurring
/// payables, the boleto line decoder and the printed list. Staff and service accounts only.
struct PayablesService: Conton_Payments_V1_Payables.SimpleServiceProtocol {
    typealias Payable = Conton_Payments_V1_Payable

    let context: PluginContext

    var today: CivilDate { CivilDate.today(context.clock) }

    /// The files plugin's office area, when that plugin runs.
    var files: (any OfficeFileLookup)? { context.capabilities.optional((any OfficeFileLookup).self) }

    static func reason(_ text: String, field: String = "reason") throws -> String {
        var errors = FieldErrors()
        let reason = TextRules.clean(text, field, max: 500, required: true, errors: &errors)
        try errors.check()
        return reason
    }

    // MARK: Create

    /// Creates one entry's payables in the caller's transaction; publishes payable.created once.
    static func create(_ request: PayableRequest, today: CivilDate, files: (any OfficeFileLookup)?, errors: inout FieldErrors,
                       in m: inout Mutation) throws -> [Payable]? {
        guard let ids = try insert(request, files: files, errors: &errors, in: &m) else { return nil }
        return try PayableStore.fetch(ids, today: today, in: m.db)
    }

    /// ``create(_:today:files:errors:in:)`` without reading the rows back: their ids.
    static func insert(_ request: PayableRequest, files: (any OfficeFileLookup)?, suppliers: SupplierCache = SupplierCache(),
                       totals: DueTotals? = nil, errors: inout FieldErrors, in m: inout Mutation) throws -> [Int64]? {
        var request = request
        guard let supplier = try request.resolve(in: m.db, files: files, suppliers: suppliers, errors: &errors) else { return nil }
        let ids = try PayableStore.insert(request.drafts, supplier: supplier, now: m.now, totals: totals, in: m.db)
        let first = request.drafts[0]
        let total = request.drafts.reduce(Int64(0)) { $0 + $1.amountCents }
        try m.publish(PayableCreated(payableIDs: ids.map(String.init), supplierID: supplier.id, description: first.description,
                                     totalCents: total, firstDueDate: first.dueDate))
        m.audit("payable", String(ids[0]), ids.count == 1
                ? "created payable of \(PayableMoney.formatted(total)) due \(first.dueDate) to supplier \(supplier.id)"
                : "created \(ids.count) instalments totalling \(PayableMoney.formatted(total)) from \(first.dueDate) to supplier \(supplier.id)")
        return ids
    }

    func createPayables(request: Conton_Payments_V1_CreatePayablesRequest, context: ServerContext) async throws -> Conton_Payments_V1_CreatePayablesResponse {
        let today = self.today
        var errors = FieldErrors()
        if request.idempotencyKey.count > 200 { errors.add("idempotency_key", "must be at most 200 characters") }
        let validated = PayableRequest(request, today: today, errors: &errors)
        try errors.check()
        guard let validated else { throw FieldErrors.single("payable", "is not valid") }
        var canonical = request
        canonical.idempotencyKey = ""
        let fingerprint = SHA256.hex(canonical.serializedBytes())
        let key = request.idempotencyKey, files = self.files
        return try await self.context.write { m in
            if !key.isEmpty, let row = try Row.fetchOne(m.db, sql: "SELECT request_hash, response FROM payments_request WHERE idempotency_key = ?", arguments: [key]) {
                guard (row["request_hash"] as String) == fingerprint else {
                    throw FieldErrors.single("idempotency_key", "was already used for a different CreatePayables request")
                }
                var replay = try Conton_Payments_V1_CreatePayablesResponse(serializedBytes: row["response"] as Data)
                replay.replayed = true
                return replay
            }
            var errors = FieldErrors()
            let payables = try Self.create(validated, today: today, files: files, errors: &errors, in: &m)
            try errors.check()
            var response = Conton_Payments_V1_CreatePayablesResponse()
            response.payables = payables ?? []
            if !key.isEmpty {
                try m.db.execute(sql: "INSERT INTO payments_request (idempotency_key, request_hash, response, created_at_ms) VALUES (?, ?, ?, ?)",
                                 arguments: [key, fingerprint, Data(response.serializedBytes()), m.now])
            }
            return response
        }
    }

    func batchCreatePayables(request: Conton_Payments_V1_BatchCreatePayablesRequest, context: ServerContext) async throws -> Conton_Payments_V1_BatchCreatePayablesResponse {
        let today = self.today
        var errors = FieldErrors()
        if request.entries.isEmpty { errors.add("entries", "give 1 to 5,000 entries") }
        if request.entries.count > 5000 { errors.add("entries", "at most 5,000 entries in one call") }
        var validated: [PayableRequest] = []
        for (i, entry) in request.entries.enumerated() {
            if !entry.idempotencyKey.isEmpty { errors.add("entries[\(i)].idempotency_key", "is for CreatePayables; a batch is one transaction") }
            if let v = PayableRequest(entry, prefix: "entries[\(i)].", today: today, errors: &errors) { validated.append(v) }
        }
        try errors.check()
        let entries = validated, files = self.files
        return try await self.context.write { m in
            var errors = FieldErrors()
            var response = Conton_Payments_V1_BatchCreatePayablesResponse()
            let suppliers = SupplierCache(), totals = DueTotals()
            for entry in entries {
                var result = Conton_Payments_V1_BatchEntryResult()
                result.payableIds = (try Self.insert(entry, files: files, suppliers: suppliers, totals: totals, errors: &errors, in: &m) ?? [])
                    .map(String.init)
                response.created += Int32(result.payableIds.count)
                response.totalCents += entry.drafts.reduce(0) { $0 + $1.amountCents }
                response.results.append(result)
            }
            try totals.flush(in: m.db)
            try errors.check()
            return response
        }
    }

    // MARK: Read and edit

    func getPayable(request: Conton_Payments_V1_GetPayableRequest, context: ServerContext) async throws -> Conton_Payments_V1_GetPayableResponse {
        let today = self.today
        var response = Conton_Payments_V1_GetPayableResponse()
        response.payable = try await self.context.read { db in
            try PayableStore.detailed(request.payableId, today: today, in: db)
        }
        return response
    }

    static let writable: Set<String> = ["supplier_id", "description", "category_id", "cost_center_id", "amount_cents", "competence", "due_date",
                                        "expected_payment_date", "method", "document_number", "boleto_line", "attachment_file_ids", "notes"]

    func updatePayable(request: Conton_Payments_V1_UpdatePayableRequest, context: ServerContext) async throws -> Conton_Payments_V1_UpdatePayableResponse {
        let update = request.payable
        var errors = FieldErrors()
        if update.id.isEmpty { errors.add("payable.id", "is required") }
        if update.version <= 0 { errors.add("payable.version", "is required: the version you read (GetPayable)") }
        try errors.check()
        let mask = request.updateMask.paths
        let outputOnly = Set(Payable.protoDescriptor.fields.map(\.name)).subtracting(Self.writable)
        let today = self.today, files = self.files
        var response = Conton_Payments_V1_UpdatePayableResponse()
        response.payable = try await self.context.write { m in
            let current = try PayableStore.require(update.id, today: today, field: "payable.id", in: m.db)
            guard current.version == update.version else {
                throw ServiceError(.aborted, "payable \(update.id) changed since version \(update.version) (now \(current.version)); read it again and retry",
                                   reason: "VERSION_MISMATCH", resource: ErrorDetails.Resource(type: PayableStore.type, name: update.id))
            }
            if current.status == .cancelled {
                throw ServiceError(.failedPrecondition, "payable \(current.id) is cancelled; reopen it first", reason: "PAYABLE_CANCELLED",
                                   resource: ErrorDetails.Resource(type: PayableStore.type, name: current.id))
            }
            var base = current
            base.payments = []
            let merged = try FieldMaskUpdate.apply(mask, from: update, to: base, outputOnly: outputOnly)
            // The merged payable is checked as CreatePayables checks one payable.
            var single = Conton_Payments_V1_CreatePayablesRequest()
            single.payable = merged
            var errors = FieldErrors()
            var validated = PayableRequest(single, today: today, errors: &errors)
            if merged.amountCents < current.settledCents {
                errors.add("payable.amount_cents", "must not be below what is settled already (\(PayableMoney.formatted(current.settledCents)))")
            }
            if merged.competence.isEmpty { errors.add("payable.competence", "is required") }
            // An archived supplier may stay on its payables; it can't be chosen anew.
            let supplier = try validated?.resolve(in: m.db, files: files, allowArchivedSupplier: merged.supplierId == current.supplierId,
                                                  errors: &errors)
            try errors.check()
            guard let draft = validated?.drafts.first, let supplier else { throw FieldErrors.single("payable", "is not valid") }
            let key = Int64(current.id)!
            let status = draft.amountCents == current.settledCents ? PayableStore.paid : PayableStore.pending
            try m.db.execute(sql: """
                UPDATE payments_payable SET supplier_id = ?, supplier_name = ?, supplier_document = ?, payee_document = ?, description = ?,
                  category_id = ?, cost_center_id = ?, amount_cents = ?, competence = ?, due_date = ?, expected_payment_date = ?, method = ?,
                  document_number = ?, boleto_line = ?, attachments = ?, notes = ?, search_key = ?, status = ?, version = version + 1,
                  updated_at_ms = ?, overdue_notified_at_ms = CASE WHEN due_date = ? THEN overdue_notified_at_ms END,
                  due_soon_notified_at_ms = CASE WHEN due_date = ? THEN due_soon_notified_at_ms END
                WHERE id = ?
                """, arguments: [Int64(supplier.id)!, supplier.name, supplier.document, SupplierStore.payeeDocument(supplier), draft.description,
                                 draft.categoryID, draft.costCenterID, draft.amountCents, draft.competence, draft.dueDate, draft.expectedPaymentDate,
                                 draft.method.rawValue, draft.documentNumber, draft.boletoLine, draft.attachments.joined(separator: ","), draft.notes,
                                 PayableStore.searchKey(description: draft.description, documentNumber: draft.documentNumber, notes: draft.notes,
                                                        supplierKey: SupplierStore.searchKey(supplier)),
                                 status, m.now, draft.dueDate, draft.dueDate, key])
            let fields = mask.isEmpty ? FieldMaskUpdate.populated(update, excluding: outputOnly) : Array(mask)
            m.audit("payable", current.id, "updated payable: \(fields.joined(separator: ", "))")
            return try PayableStore.detailed(current.id, today: today, in: m.db)
        }
        return response
    }

    func listPayables(request: Conton_Payments_V1_ListPayablesRequest, context: ServerContext) async throws -> Conton_Payments_V1_ListPayablesResponse {
        let pagination = try Pagination(size: request.pageSize, token: request.pageToken, defaultSize: 100, maximum: 1000)
        let cursor = try ListCursor.decode(pagination.after)
        let search = try PayableSearch(request, today: today)
        let size = pagination.size
        let (rows, totals) = try await self.context.read { db in
            (try search.page(after: cursor, limit: size, in: db), try search.totals(in: db))
        }
        var response = Conton_Payments_V1_ListPayablesResponse()
        response.payables = rows
        response.totals = totals
        response.period = search.period
        response.nextPageToken = pagination.nextToken(lastKey: rows.last.map(search.cursorKey), returned: rows.count)
        return response
    }

    // MARK: Settle, reopen, cancel, delete

    func settlePayable(request: Conton_Payments_V1_SettlePayableRequest, context: ServerContext) async throws -> Conton_Payments_V1_SettlePayableResponse {
        let today = self.today
        let settlement = try PayableActions.Settlement(request, today: today)
        return try await self.context.write { m in
            let (payable, payment) = try PayableActions.settle(request.payableId, settlement, today: today, in: &m)
            var response = Conton_Payments_V1_SettlePayableResponse()
            response.payable = payable
            response.payment = payment
            return response
        }
    }

    func reopenPayable(request: Conton_Payments_V1_ReopenPayableRequest, context: ServerContext) async throws -> Conton_Payments_V1_ReopenPayableResponse {
        let reason = try Self.reason(request.reason)
        let today = self.today
        var response = Conton_Payments_V1_ReopenPayableResponse()
        response.payable = try await self.context.write { m in try PayableActions.reopen(request.payableId, reason: reason, today: today, in: &m) }
        return response
    }

    /// Runs `action` on the payables `scope` covers: the named one must succeed; the others of
    /// its group that can't (paid, with payments, cancelled) are skipped and reported.
    private static func scoped(_ id: String, _ scope: Conton_Payments_V1_InstalmentScope, today: CivilDate, in m: inout Mutation,
                               _ action: (Payable, inout Mutation) throws -> Void) throws -> [Conton_Payments_V1_SkippedPayable] {
        if case .unrecognized(let n) = scope { throw FieldErrors.single("scope", "\(n) is not an instalment scope") }
        let named = try PayableStore.require(id, today: today, in: m.db)
        var skipped: [Conton_Payments_V1_SkippedPayable] = []
        for p in try PayableActions.scoped(named, scope, today: today, in: m.db) {
            if p.id == named.id {
                try action(p, &m)
                continue
            }
            do {
                try PayableActions.inSavepoint(&m) { m in try action(p, &m) }
            } catch let error as any RPCErrorConvertible {
                var s = Conton_Payments_V1_SkippedPayable()
                s.payableId = p.id
                s.reason = error.rpcErrorMessage
                skipped.append(s)
            }
        }
        return skipped
    }

    func cancelPayable(request: Conton_Payments_V1_CancelPayableRequest, context: ServerContext) async throws -> Conton_Payments_V1_CancelPayableResponse {
        let reason = try Self.reason(request.reason)
        let today = self.today
        return try await self.context.write { m in
            var response = Conton_Payments_V1_CancelPayableResponse()
            var cancelled: [Payable] = []
            response.skipped = try Self.scoped(request.payableId, request.scope, today: today, in: &m) { p, m in
                cancelled.append(try PayableActions.cancel(p, reason: reason, today: today, in: &m))
            }
            response.cancelled = cancelled
            return response
        }
    }

    func deletePayable(request: Conton_Payments_V1_DeletePayableRequest, context: ServerContext) async throws -> Conton_Payments_V1_DeletePayableResponse {
        let today = self.today
        return try await self.context.write { m in
            var response = Conton_Payments_V1_DeletePayableResponse()
            var deleted: [String] = []
            response.skipped = try Self.scoped(request.payableId, request.scope, today: today, in: &m) { p, m in
                try PayableActions.delete(p, in: &m)
                deleted.append(p.id)
            }
            response.deletedIds = deleted
            return response
        }
    }

    // MARK: Bulk

    private static func bulkIDs(_ ids: [String]) throws {
        var errors = FieldErrors()
        if ids.isEmpty { errors.add("payable_ids", "give 1 to 1,000 ids") }
        if ids.count > 1000 { errors.add("payable_ids", "at most 1,000 ids in one call") }
        if Set(ids).count != ids.count { errors.add("payable_ids", "lists an id twice") }
        try errors.check()
    }

    func bulkSettlePayables(request: Conton_Payments_V1_BulkSettlePayablesRequest, context: ServerContext) async throws -> Conton_Payments_V1_BulkResponse {
        try Self.bulkIDs(request.payableIds)
        var single = Conton_Payments_V1_SettlePayableRequest()
        single.paymentDate = request.paymentDate
        single.method = request.method
        let today = self.today
        let settlement = try PayableActions.Settlement(single, today: today)
        return try await self.context.write { m in
            try PayableActions.bulk(request.payableIds, in: &m) { id, m in try PayableActions.settle(id, settlement, today: today, in: &m).0 }
        }
    }

    func bulkCancelPayables(request: Conton_Payments_V1_BulkCancelPayablesRequest, context: ServerContext) async throws -> Conton_Payments_V1_BulkResponse {
        try Self.bulkIDs(request.payableIds)
        let reason = try Self.reason(request.reason)
        let today = self.today
        return try await self.context.write { m in
            try PayableActions.bulk(request.payableIds, in: &m) { id, m in
                try PayableActions.cancel(PayableStore.require(id, today: today, in: m.db), reason: reason, today: today, in: &m)
            }
        }
    }

    func bulkDeletePayables(request: Conton_Payments_V1_BulkDeletePayablesRequest, context: ServerContext) async throws -> Conton_Payments_V1_BulkResponse {
        try Self.bulkIDs(request.payableIds)
        let today = self.today
        return try await self.context.write { m in
            try PayableActions.bulk(request.payableIds, in: &m) { id, m in
                try PayableActions.delete(PayableStore.require(id, today: today, in: m.db), in: &m)
                return nil
            }
        }
    }

    // MARK: Boleto line

    func decodeBoletoLine(request: Conton_Payments_V1_DecodeBoletoLineRequest, context: ServerContext) async throws -> Conton_Payments_V1_DecodeBoletoLineResponse {
        let line: BoletoLine
        do {
            line = try BoletoLine(request.line, today: today.description)
        } catch {
            throw FieldErrors.single("line", error.description)
        }
        var response = Conton_Payments_V1_DecodeBoletoLineResponse()
        response.kind = line.kind == .bank ? .bank : .collection
        response.line = line.digits
        response.barcode = line.barcode
        response.bankCode = line.bankCode
        response.bankName = BankNames.name(of: line.bankCode)
        response.segment = Int32(line.segment)
        response.amountCents = line.amountCents
        response.dueDate = line.dueDate
        response.duplicatePayableIds = try await self.context.read { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM payments_payable WHERE boleto_line = ? AND status != 3 ORDER BY id", arguments: [line.digits]).map(String.init)
        }
        return response
    }

    // MARK: Settings

    func getPaymentsSettings(request: Conton_Payments_V1_GetPaymentsSettingsRequest, context: ServerContext) async throws -> Conton_Payments_V1_GetPaymentsSettingsResponse {
        var response = Conton_Payments_V1_GetPaymentsSettingsResponse()
        response.settings = try await self.context.read { db in try PaymentsSettingsStore.read(in: db) }
        return response
    }

    func updatePaymentsSettings(request: Conton_Payments_V1_UpdatePaymentsSettingsRequest, context: ServerContext) async throws -> Conton_Payments_V1_UpdatePaymentsSettingsResponse {
        let days = request.settings.dueSoonDays
        guard (0...30).contains(days) else { throw FieldErrors.single("settings.due_soon_days", "must be 0 to 30") }
        var response = Conton_Payments_V1_UpdatePaymentsSettingsResponse()
        response.settings = try await self.context.write { m in
            try m.db.execute(sql: """
                INSERT INTO payments_settings (id, due_soon_days, updated_at_ms) VALUES (1, ?, ?)
                ON CONFLICT (id) DO UPDATE SET due_soon_days = excluded.due_soon_days, updated_at_ms = excluded.updated_at_ms
                """, arguments: [days, m.now])
            m.audit("payments_settings", "1", "set due-soon notice to \(days) day(s)")
            return try PaymentsSettingsStore.read(in: m.db)
        }
        return response
    }
}

/// The office's payments settings: one row, defaults until first written.
enum PaymentsSettingsStore {
    static let defaultDueSoonDays: Int32 = 3

    static func read(in db: Database) throws -> Conton_Payments_V1_PaymentsSettings {
        var s = Conton_Payments_V1_PaymentsSettings()
        s.dueSoonDays = defaultDueSoonDays
        if let row = try Row.fetchOne(db, sql: "SELECT due_soon_days, updated_at_ms FROM payments_settings WHERE id = 1") {
            s.dueSoonDays = row["due_soon_days"]
            s.updatedAtMs = row["updated_at_ms"]
        }
        return s
    }
}
