import ClientsCapability
import ContonAPI
import ContonKit
import DocumentsCapability
import Foundation
import GRDB
import GRPCCore
import OfficeCapability

/// `conton.fees.v1.Receivables`: receivables, settlement, receipts. A client principal reads its
/// own receivables and receipts only (another client's: NOT_FOUND).
struct ReceivablesService: Conton_Fees_V1_Receivables.SimpleServiceProtocol {
    let context: PluginContext

    private var today: CivilDate { CivilDate.today(context.clock) }

    /// The client a list covers: a client principal's own (asking for another: NOT_FOUND).
    private func scopedClient(_ requested: String) throws -> (ClientScope, String) {
        let scope = try ClientScope.current()
        if case .only(let own) = scope {
            if !requested.isEmpty { try scope.check(requested, "client \(requested)") }
            return (scope, own)
        }
        return (scope, requested)
    }

    private static func reason(_ text: String) throws -> String {
        let reason = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if reason.isEmpty { throw FieldErrors.single("reason", "is required") }
        if reason.count > 500 { throw FieldErrors.single("reason", "must be at most 500 characters") }
        return reason
    }

    func createReceivable(request: Conton_Fees_V1_CreateReceivableRequest, context: ServerContext) async throws -> Conton_Fees_V1_CreateReceivableResponse {
        var errors = FieldErrors()
        if request.clientId.isEmpty { errors.add("client_id", "is required") }
        let description = request.description.trimmingCharacters(in: .whitespacesAndNewlines)
        if description.isEmpty { errors.add("description", "is required") } else if description.count > 200 {
            errors.add("description", "must be at most 200 characters")
        }
        if request.amountCents <= 0 { errors.add("amount_cents", "must be greater than zero") }
        if request.amountCents > Money.maxCents { errors.add("amount_cents", "must be at most \(Money.formatted(Money.maxCents))") }
        if CivilDate(request.dueDate) == nil { errors.add("due_date", "must be a date YYYY-MM-DD") }
        if !request.competence.isEmpty && Competence(request.competence) == nil { errors.add("competence", "must be a month YYYY-MM") }
        if request.notes.count > 1000 { errors.add("notes", "must be at most 1,000 characters") }
        try errors.check()
        let clients = try self.context.capabilities.clients
        let today = self.today
        let receivable = try await self.context.write { m -> Conton_Fees_V1_Receivable in
            let client = try clients.require(request.clientId, allowArchived: false, in: m.db)
            let id = try ReceivableStore.insert(client: client, description: description, amountCents: request.amountCents,
                                                dueDate: request.dueDate, competence: request.competence, notes: request.notes,
                                                now: m.now, in: m.db)
            m.audit("receivable", String(id), "created receivable of \(Money.formatted(request.amountCents)) due \(request.dueDate) for client \(client.id)")
            return try Settlement.detailed(String(id), today: today, in: m.db)
        }
        var response = Conton_Fees_V1_CreateReceivableResponse()
        response.receivable = receivable
        return response
    }

    func getReceivable(request: Conton_Fees_V1_GetReceivableRequest, context: ServerContext) async throws -> Conton_Fees_V1_GetReceivableResponse {
        let scope = try ClientScope.current()
        let today = self.today
        var response = Conton_Fees_V1_GetReceivableResponse()
        response.receivable = try await self.context.read { db in
            try Settlement.detailed(request.receivableId, today: today, scope: scope, in: db)
        }
        return response
    }

    func listReceivables(request: Conton_Fees_V1_ListReceivablesRequest, context: ServerContext) async throws -> Conton_Fees_V1_ListReceivablesResponse {
        let (_, clientID) = try scopedClient(request.clientId)
        let pagination = try Pagination(size: request.pageSize, token: request.pageToken, defaultSize: 100, maximum: 1000)
        let cursor = try ListCursor.decode(pagination.after)
        let search = try ReceivableSearch(request, clientID: clientID, today: today)
        let size = pagination.size
        let (rows, totals) = try await self.context.read { db in
            (try search.page(after: cursor, limit: size, in: db), try search.totals(in: db))
        }
        var response = Conton_Fees_V1_ListReceivablesResponse()
        response.receivables = rows
        response.totals = totals.byStatus
        response.total = totals.total
        response.nextPageToken = pagination.nextToken(lastKey: rows.last.map { ListCursor.encode($0.dueDate, Int64($0.id)!) },
                                                      returned: rows.count)
        return response
    }

    func quoteSettlement(request: Conton_Fees_V1_QuoteSettlementRequest, context: ServerContext) async throws -> Conton_Fees_V1_QuoteSettlementResponse {
        let scope = try ClientScope.current()
        let today = self.today
        var date = today
        if !request.paymentDate.isEmpty {
            guard let d = CivilDate(request.paymentDate) else { throw FieldErrors.single("payment_date", "must be a date YYYY-MM-DD") }
            date = d
        }
        let on = date
        let office = try self.context.capabilities.office
        let quote = try await self.context.read { db in
            let (receivable, _) = try ReceivableStore.require(request.receivableId, scope: scope, today: today, in: db)
            return Settlement.quote(receivable, on: on, office: try office.profile(in: db))
        }
        var response = Conton_Fees_V1_QuoteSettlementResponse()
        response.quote = quote
        return response
    }

    func settleReceivable(request: Conton_Fees_V1_SettleReceivableRequest, context: ServerContext) async throws -> Conton_Fees_V1_SettleReceivableResponse {
        let today = self.today
        let input = try Settlement.Input(request, today: today)
        return try await self.context.write { m in try Settlement.settle(input, today: today, in: &m) }
    }

    func reopenReceivable(request: Conton_Fees_V1_ReopenReceivableRequest, context: ServerContext) async throws -> Conton_Fees_V1_ReopenReceivableResponse {
        let reason = try Self.reason(request.reason)
        let today = self.today
        var response = Conton_Fees_V1_ReopenReceivableResponse()
        response.receivable = try await self.context.write { m in try Settlement.reopen(request.receivableId, reason: reason, today: today, in: &m) }
        return response
    }

    func cancelReceivable(request: Conton_Fees_V1_CancelReceivableRequest, context: ServerContext) async throws -> Conton_Fees_V1_CancelReceivableResponse {
        guard let key = Int64(request.receivableId) else {
            if request.receivableId.isEmpty { throw FieldErrors.single("receivable_id", "is required") }
            throw ServiceError.notFound("receivable", request.receivableId, type: "conton.fees.v1.Receivable")
        }
        let reason = try Self.reason(request.reason)
        let today = self.today
        var response = Conton_Fees_V1_CancelReceivableResponse()
        response.receivable = try await self.context.write { m in try Settlement.cancel(receivableID: key, reason: reason, in: &m, today: today) }
        return response
    }

    func getReceipt(request: Conton_Fees_V1_GetReceiptRequest, context: ServerContext) async throws -> Conton_Fees_V1_GetReceiptResponse {
        let scope = try ClientScope.current()
        var response = Conton_Fees_V1_GetReceiptResponse()
        response.receipt = try await self.context.read { db in
            try Receipts.find(number: request.number, paymentID: request.paymentId, scope: scope, in: db)
        }
        return response
    }

    func listReceipts(request: Conton_Fees_V1_ListReceiptsRequest, context: ServerContext) async throws -> Conton_Fees_V1_ListReceiptsResponse {
        let (scope, clientID) = try scopedClient(request.clientId)
        let pagination = try Pagination(size: request.pageSize, token: request.pageToken, defaultSize: 100, maximum: 1000)
        var before: Int64?
        if let after = pagination.after {
            guard let n = Int64(after) else { throw FieldErrors.single("page_token", "is not a token from a previous page") }
            before = n
        }
        var conditions: [String] = []
        var args: StatementArguments = []
        if !clientID.isEmpty {
            conditions.append("client_id = ?")
            _ = args.append(contentsOf: [clientID])
        }
        if !request.receivableId.isEmpty {
            conditions.append("receivable_id = ?")
            _ = args.append(contentsOf: [Int64(request.receivableId) ?? -1])
        }
        if let before {
            conditions.append("receipt_number < ?")
            _ = args.append(contentsOf: [before])
        }
        let sql = "SELECT receipt, reversed_at_ms, client_id FROM fees_payment WHERE " +
            (conditions.isEmpty ? "1" : conditions.joined(separator: " AND ")) + " ORDER BY receipt_number DESC LIMIT ?"
        _ = args.append(contentsOf: [pagination.size])
        let arguments = args
        let receivableID = request.receivableId, today = self.today
        let receipts = try await self.context.read { db in
            // A receivable that does not exist, or is another client's: NOT_FOUND, as GetReceivable.
            if !receivableID.isEmpty { _ = try ReceivableStore.require(receivableID, scope: scope, today: today, in: db) }
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Receipts.receipt)
        }
        var response = Conton_Fees_V1_ListReceiptsResponse()
        response.receipts = receipts
        response.nextPageToken = pagination.nextToken(lastKey: receipts.last.map { String($0.number) }, returned: receipts.count)
        return response
    }

    // MARK: Documents (docs/FEES.md, "Documents")

    func printReceipt(request: Conton_Fees_V1_PrintReceiptRequest, response: RPCWriter<Conton_Documents_V1_DocumentChunk>,
                      context: ServerContext) async throws {
        let scope = try ClientScope.current()
        let (receipt, payment, dueDate) = try await self.context.read { db in
            let receipt = try Receipts.find(number: request.number, paymentID: request.paymentId, scope: scope, in: db)
            let row = try Row.fetchOne(db, sql: "SELECT * FROM fees_payment WHERE receipt_number = ?", arguments: [receipt.number])
            let payment = row.map(Settlement.payment) ?? Conton_Fees_V1_Payment()
            let due = try String.fetchOne(db, sql: "SELECT due_date FROM fees_receivable WHERE id = ?",
                                          arguments: [Int64(receipt.receivableId) ?? -1]) ?? ""
            return (receipt, payment, due)
        }
        let document = FeeDocuments.receipt(receipt, payment: payment, dueDate: dueDate)
        let file = try await self.context.capabilities.documents.issuePDF(
            document, about: DocumentSubject("receipt", String(receipt.number), clientID: receipt.clientId), for: context.principal)
        try await file.write(to: response)
    }

    func exportReceivables(request: Conton_Fees_V1_ExportReceivablesRequest, response: RPCWriter<Conton_Documents_V1_DocumentChunk>,
                           context: ServerContext) async throws {
        let filter = request.filter
        let format = request.format
        // Every violation at once: the page fields (a printed list has every match, as the
        // clients list), the format, and the filter as ListReceivables checks it, under `filter.`.
        var errors = FieldErrors()
        if filter.pageSize != 0 { errors.add("filter.page_size", "must be empty: a printed list has every match") }
        if !filter.pageToken.isEmpty { errors.add("filter.page_token", "must be empty: a printed list has every match") }
        if format != .unspecified && format != .pdf && format != .csv {
            errors.add("format", "must be DOCUMENT_FORMAT_PDF or DOCUMENT_FORMAT_CSV")
        }
        let (_, clientID) = try scopedClient(filter.clientId)
        let today = self.today
        var built: ReceivableSearch?
        do {
            built = try ReceivableSearch(filter, clientID: clientID, today: today)
        } catch let error as RPCError where error.code == .invalidArgument {
            for v in error.details?.fieldViolations ?? [] { errors.add("filter." + v.field, v.description) }
            if errors.isEmpty { throw error }
        }
        try errors.check()
        guard let search = built else { throw FieldErrors.single("filter", "is not a valid filter") }
        let clients = try self.context.capabilities.clients
        let limit = FeeDocuments.maxExportRows
        let (rows, totals, clientName) = try await self.context.read { db in
            let totals = try search.totals(in: db)
            if totals.total.count > Int64(limit) {
                throw ServiceError(.failedPrecondition,
                                   "the filter covers \(DocumentFormat.grouped(totals.total.count, separator: ",")) receivables; an export holds at most \(DocumentFormat.grouped(limit, separator: ",")): narrow the filter (client, status, due or payment dates, text)",
                                   reason: "LIST_TOO_LONG")
            }
            let name = clientID.isEmpty ? nil : try clients.client(id: clientID, in: db).map(\.name)
            return (try search.page(after: nil, limit: limit, in: db), totals, name)
        }
        let issuer = try self.context.capabilities.documents
        let subject = DocumentSubject("receivables", "", clientID: clientID)
        let file: IssuedFile
        if format == .csv {
            let table = FeeDocuments.receivablesCSV(rows, totals: totals)
            file = try await issuer.issueCSV(table, kind: "receivables-list", title: "Recebimentos",
                                             fileName: "recebimentos-\(today.description).csv", about: subject, for: context.principal)
        } else {
            let subtitle = FeeDocuments.describe(filter, clientName: clientName, today: today)
            file = try await issuer.issuePDF(FeeDocuments.receivablesPDF(rows, totals: totals, subtitle: subtitle, today: today),
                                             about: subject, for: context.principal)
        }
        try await file.write(to: response)
    }
}
