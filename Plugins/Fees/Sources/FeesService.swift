import ClientsCapability
import ContonAPI
import ContonKit
import GRDB
import GRPCCore

/// `conton.fees.v1.Fees`: preview, generation (unary and streaming), list, cancel, settings.
struct FeesService: Conton_Fees_V1_Fees.SimpleServiceProtocol {
    let context: PluginContext

    private var today: CivilDate { CivilDate.today(context.clock) }

    // MARK: - Preview

    func previewGeneration(request: Conton_Fees_V1_PreviewGenerationRequest, context: ServerContext) async throws -> Conton_Fees_V1_PreviewGenerationResponse {
        var errors = FieldErrors()
        if request.clientIds.isEmpty { errors.add("client_ids", "at least one client is required") }
        if request.clientIds.count > FeeGeneration.maxClients { errors.add("client_ids", "at most \(FeeGeneration.maxClients) clients") }
        try errors.check()
        let ids = request.clientIds
        let today = self.today
        let clients = try self.context.capabilities.clients
        let previews = try await self.context.read { db -> [Conton_Fees_V1_ClientFeePreview] in
            let defaults = try clients.feeDefaults(ids, in: db)
            var errors = FieldErrors()
            for (i, id) in ids.enumerated() where defaults[id] == nil { errors.add("client_ids[\(i)]", "client \(id) not found") }
            try errors.check()
            let settings = try FeeSettingsStore.read(in: db)
            let current = Competence(year: today.year, month: today.month)!
            return try ids.map { id in
                let client = defaults[id]!
                var p = Conton_Fees_V1_ClientFeePreview()
                p.clientId = id
                p.clientName = client.name
                p.documentFormatted = client.documentFormatted
                p.defaultAmountCents = client.monthlyFeeCents
                p.dueDayIsOfficeDefault = client.feeDueDay == 0
                p.dueDay = client.feeDueDay > 0 ? Int32(client.feeDueDay) : settings.defaultDueDay
                p.archived = client.archived
                var next = current
                if let row = try Row.fetchOne(db, sql: ReceivableStore.feeSelect + """
                     WHERE f.client_id = ? AND f.cancelled_at_ms IS NULL AND f.kind = 1 ORDER BY f.competence DESC LIMIT 1
                    """, arguments: [id]) {
                    p.lastFee = ReceivableStore.fee(row, today: today)
                    if let last = Competence(p.lastFee.competence), let after = last.adding(months: 1) { next = after }
                }
                p.description = DescriptionTemplate.render(settings.defaultDescriptionTemplate, competence: next, clientName: client.name)
                return p
            }
        }
        var response = Conton_Fees_V1_PreviewGenerationResponse()
        response.clients = previews
        return response
    }

    // MARK: - Generation

    /// Runs a generation in one write transaction, cancelled (rolled back) when the calling task
    /// is: the client cancelled the call, or its deadline passed.
    static func generate(_ plan: FeeGeneration, context: PluginContext,
                         progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> FeeGeneration.Response {
        let flag = CancellationFlag()
        // `context.write` does not see the caller's cancellation (it would interrupt the shared
        // writer connection, see PluginContext.read): the flag stops the generation between
        // clients instead, and its transaction rolls back by itself.
        return try await withTaskCancellationHandler {
            try await context.write { m in try plan.run(in: &m, progress: progress, cancellation: flag) }
        } onCancel: {
            flag.cancel()
        }
    }

    func generateFees(request: Conton_Fees_V1_GenerateFeesRequest, context: ServerContext) async throws -> Conton_Fees_V1_GenerateFeesResponse {
        try await Self.generate(try FeeGeneration(request), context: self.context)
    }

    func generateFeesStream(request: Conton_Fees_V1_GenerateFeesRequest, response: RPCWriter<Conton_Fees_V1_GenerateFeesProgress>,
                            context: ServerContext) async throws {
        let plan = try FeeGeneration(request)
        let total = Int32(plan.clientIDs.count)
        let (updates, continuation) = AsyncStream.makeStream(of: Conton_Fees_V1_GenerateFeesProgress.self,
                                                             bufferingPolicy: .bufferingNewest(1))
        var first = Conton_Fees_V1_GenerateFeesProgress()
        first.clientsTotal = total
        try await response.write(first)
        let pluginContext = self.context
        try await withThrowingTaskGroup(of: FeeGeneration.Response.self) { group in
            group.addTask {
                defer { continuation.finish() }
                return try await Self.generate(plan, context: pluginContext) { done, created in
                    var p = Conton_Fees_V1_GenerateFeesProgress()
                    p.clientsDone = Int32(done)
                    p.clientsTotal = total
                    p.createdSoFar = Int32(created)
                    continuation.yield(p)
                }
            }
            for await update in updates { try await response.write(update) }
            guard let result = try await group.next() else { throw CancellationError() }
            var last = Conton_Fees_V1_GenerateFeesProgress()
            last.clientsDone = total
            last.clientsTotal = total
            last.createdSoFar = result.created
            last.finished = true
            last.result = result
            try await response.write(last)
        }
    }

    // MARK: - List and cancel

    func listFees(request: Conton_Fees_V1_ListFeesRequest, context: ServerContext) async throws -> Conton_Fees_V1_ListFeesResponse {
        let pagination = try Pagination(size: request.pageSize, token: request.pageToken, defaultSize: 100, maximum: 1000)
        let cursor = try ListCursor.decode(pagination.after)
        let today = self.today
        var errors = FieldErrors()
        if !request.fromCompetence.isEmpty && Competence(request.fromCompetence) == nil { errors.add("from_competence", "must be YYYY-MM") }
        if !request.toCompetence.isEmpty && Competence(request.toCompetence) == nil { errors.add("to_competence", "must be YYYY-MM") }
        try errors.check()
        let status = try StatusFilter(request.statuses, alias: "r", today: today)
        var conditions = [status.sql]
        var arguments = status.arguments
        if !request.clientId.isEmpty {
            conditions.append("f.client_id = ?")
            _ = arguments.append(contentsOf: [request.clientId])
        }
        if !request.fromCompetence.isEmpty {
            conditions.append("f.competence >= ?")
            _ = arguments.append(contentsOf: [request.fromCompetence])
        }
        if !request.toCompetence.isEmpty {
            conditions.append("f.competence <= ?")
            _ = arguments.append(contentsOf: [request.toCompetence])
        }
        let filter = conditions.joined(separator: " AND ")
        let filterArguments = arguments
        let size = pagination.size
        let (fees, count) = try await self.context.read { db in
            var sql = ReceivableStore.feeSelect + " WHERE \(filter)"
            var args = filterArguments
            if let cursor {
                sql += " AND (f.competence, f.id) > (?, ?)"
                _ = args.append(contentsOf: [cursor.key, cursor.id])
            }
            sql += " ORDER BY f.competence, f.id LIMIT ?"
            _ = args.append(contentsOf: [size])
            let fees = try Row.fetchAll(db, sql: sql, arguments: args).map { ReceivableStore.fee($0, today: today) }
            let count = try Int64.fetchOne(db, sql: "SELECT count(*) FROM fees_fee f JOIN fees_receivable r ON r.id = f.id WHERE \(filter)",
                                           arguments: filterArguments) ?? 0
            return (fees, count)
        }
        var response = Conton_Fees_V1_ListFeesResponse()
        response.fees = fees
        response.totalCount = count
        response.nextPageToken = pagination.nextToken(lastKey: fees.last.map { ListCursor.encode($0.competence, Int64($0.id)!) },
                                                      returned: fees.count)
        return response
    }

    func cancelFee(request: Conton_Fees_V1_CancelFeeRequest, context: ServerContext) async throws -> Conton_Fees_V1_CancelFeeResponse {
        var errors = FieldErrors()
        if request.feeId.isEmpty { errors.add("fee_id", "is required") }
        let reason = request.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        if reason.isEmpty { errors.add("reason", "is required") } else if reason.count > 500 { errors.add("reason", "must be at most 500 characters") }
        try errors.check()
        let id = request.feeId
        let today = self.today
        let fee = try await self.context.write { m -> Conton_Fees_V1_Fee in
            guard let key = Int64(id), let row = try Row.fetchOne(m.db, sql: ReceivableStore.feeSelect + " WHERE f.id = ?", arguments: [key]) else {
                throw ServiceError.notFound("fee", id, type: "conton.fees.v1.Fee")
            }
            let current = ReceivableStore.fee(row, today: today)
            if current.cancelledAtMs != 0 { return current }
            try Settlement.cancel(receivableID: key, reason: reason, in: &m, today: today)
            return ReceivableStore.fee(try Row.fetchOne(m.db, sql: ReceivableStore.feeSelect + " WHERE f.id = ?", arguments: [key])!, today: today)
        }
        var response = Conton_Fees_V1_CancelFeeResponse()
        response.fee = fee
        return response
    }

    // MARK: - Readjustment

    func readjustFees(request: Conton_Fees_V1_ReadjustFeesRequest, context: ServerContext) async throws -> Conton_Fees_V1_ReadjustFeesResponse {
        let plan = try FeeReadjustment(request)
        return try await self.context.write { m in try plan.run(in: &m) }
    }

    func listFeeChanges(request: Conton_Fees_V1_ListFeeChangesRequest, context: ServerContext) async throws -> Conton_Fees_V1_ListFeeChangesResponse {
        let pagination = try Pagination(size: request.pageSize, token: request.pageToken, defaultSize: 100, maximum: 1000)
        let cursor = try ListCursor.decode(pagination.after)
        let clientID = request.clientId, size = pagination.size
        let changes = try await self.context.read { db -> [Conton_Fees_V1_FeeChange] in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if !clientID.isEmpty {
                conditions.append("client_id = ?")
                _ = arguments.append(contentsOf: [clientID])
            }
            if let cursor {
                conditions.append("id < ?")
                _ = arguments.append(contentsOf: [cursor.id])
            }
            _ = arguments.append(contentsOf: [size])
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try Row.fetchAll(db, sql: "SELECT * FROM fees_fee_change \(filter) ORDER BY id DESC LIMIT ?", arguments: arguments).map { row in
                var c = Conton_Fees_V1_FeeChange()
                c.id = String(row["id"] as Int64)
                c.clientId = row["client_id"]
                c.clientName = row["client_name"]
                c.effectiveFrom = row["effective_from"]
                c.previousCents = row["previous_cents"]
                c.newCents = row["new_cents"]
                c.percent = row["percent"]
                c.indexName = row["index_name"]
                c.readjustmentId = String(row["readjustment_id"] as Int64)
                c.createdAtMs = row["created_at_ms"]
                return c
            }
        }
        var response = Conton_Fees_V1_ListFeeChangesResponse()
        response.changes = changes
        response.nextPageToken = pagination.nextToken(lastKey: changes.last.map { ListCursor.encode("", Int64($0.id)!) }, returned: changes.count)
        return response
    }

    // MARK: - Settings

    func getFeeSettings(request: Conton_Fees_V1_GetFeeSettingsRequest, context: ServerContext) async throws -> Conton_Fees_V1_GetFeeSettingsResponse {
        var response = Conton_Fees_V1_GetFeeSettingsResponse()
        response.settings = try await self.context.read { db in try FeeSettingsStore.read(in: db) }
        return response
    }

    func updateFeeSettings(request: Conton_Fees_V1_UpdateFeeSettingsRequest, context: ServerContext) async throws -> Conton_Fees_V1_UpdateFeeSettingsResponse {
        let settings = try FeeSettingsStore.validated(request.settings)
        let stored = try await self.context.write { m in
            try FeeSettingsStore.save(settings, now: m.now, in: m.db)
            m.audit("fee_settings", "1", "updated fee settings: due in following month \(settings.dueInFollowingMonth), " +
                    "default due day \(settings.defaultDueDay), template \"\(settings.defaultDescriptionTemplate)\"")
            return try FeeSettingsStore.read(in: m.db)
        }
        var response = Conton_Fees_V1_UpdateFeeSettingsResponse()
        response.settings = stored
        return response
    }
}
