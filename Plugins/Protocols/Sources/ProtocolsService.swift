import AgendaCapability
import ContonAPI
import ContonBrazil
import ContonKit
import FilesCapability
import GRDB
import GRPCCore

/// `conton.protocols.v1.Protocols`: the catalogue, the protocols' life cycle, the portal's view
/// and acknowledgement, the evidence log and its verification (docs/PROTOCOLS.md).
struct ProtocolsService: Conton_Protocols_V1_Protocols.SimpleServiceProtocol {
    let context: PluginContext
    let lifecycle: ProtocolLifecycle

    init(context: PluginContext, clients: ClientDirectory, files: (any FileCatalog)?, obligations: (any ObligationLedger)?) {
        self.context = context
        self.lifecycle = ProtocolLifecycle(clients: clients, files: files, obligations: obligations)
    }

    var today: String { CivilDate.today(context.clock).description }

    // MARK: Document types

    func listDocumentTypes(request: Conton_Protocols_V1_ListDocumentTypesRequest, context: ServerContext) async throws -> Conton_Protocols_V1_ListDocumentTypesResponse {
        var r = Conton_Protocols_V1_ListDocumentTypesResponse()
        r.documentTypes = try await self.context.read { db in try DocumentTypeStore.list(includeArchived: request.includeArchived, in: db) }
        return r
    }

    func createDocumentType(request: Conton_Protocols_V1_CreateDocumentTypeRequest, context: ServerContext) async throws -> Conton_Protocols_V1_CreateDocumentTypeResponse {
        let (name, kind) = try DocumentTypeStore.validate(request.documentType)
        var r = Conton_Protocols_V1_CreateDocumentTypeResponse()
        r.documentType = try await self.context.write { m in
            try DocumentTypeStore.checkUnique(name, except: nil, in: m.db)
            try m.db.execute(sql: "INSERT INTO protocols_doc_type (name, name_key, kind) VALUES (?, ?, ?)", arguments: [name, SearchKey.fold(name), kind])
            let id = m.db.lastInsertedRowID
            m.audit("protocol_document_type", String(id), "created document type '\(name)'")
            return try DocumentTypeStore.require(String(id), in: m.db)
        }
        return r
    }

    func updateDocumentType(request: Conton_Protocols_V1_UpdateDocumentTypeRequest, context: ServerContext) async throws -> Conton_Protocols_V1_UpdateDocumentTypeResponse {
        let id = request.documentType.id
        var r = Conton_Protocols_V1_UpdateDocumentTypeResponse()
        r.documentType = try await self.context.write { m in
            let stored = try DocumentTypeStore.require(id, in: m.db)
            let updated = try FieldMaskUpdate.apply(request.updateMask.paths, from: request.documentType, to: stored,
                                                    outputOnly: ["id", "builtin"], maskField: "update_mask")
            let (name, kind) = try DocumentTypeStore.validate(updated)
            try DocumentTypeStore.checkUnique(name, except: Int64(id), in: m.db)
            try m.db.execute(sql: "UPDATE protocols_doc_type SET name = ?, name_key = ?, kind = ?, archived = ? WHERE id = ?",
                             arguments: [name, SearchKey.fold(name), kind, updated.archived, Int64(id)])
            m.audit("protocol_document_type", id, "updated document type '\(name)'")
            return try DocumentTypeStore.require(id, in: m.db)
        }
        return r
    }

    func deleteDocumentType(request: Conton_Protocols_V1_DeleteDocumentTypeRequest, context: ServerContext) async throws -> Conton_Protocols_V1_DeleteDocumentTypeResponse {
        try await self.context.write { m in
            let t = try DocumentTypeStore.require(request.documentTypeId, in: m.db)
            let resource = ErrorDetails.Resource(type: "conton.protocols.v1.DocumentType", name: t.id)
            if t.builtin {
                throw ServiceError(.failedPrecondition, "'\(t.name)' is shipped with the server; archive it instead", reason: "DOCUMENT_TYPE_BUILTIN", resource: resource)
            }
            let uses = try DocumentTypeStore.inUse(Int64(t.id)!, in: m.db)
            if uses > 0 {
                throw ServiceError(.failedPrecondition, "'\(t.name)' is on \(uses) protocol item(s); archive it instead", reason: "DOCUMENT_TYPE_IN_USE", resource: resource)
            }
            try m.db.execute(sql: "DELETE FROM protocols_doc_type WHERE id = ?", arguments: [Int64(t.id)!])
            m.audit("protocol_document_type", t.id, "deleted document type '\(t.name)'")
        }
        return .init()
    }

    // MARK: Protocols

    func createProtocol(request: Conton_Protocols_V1_CreateProtocolRequest, context: ServerContext) async throws -> Conton_Protocols_V1_CreateProtocolResponse {
        let key = request.idempotencyKey
        if key.count > 200 { throw FieldErrors.single("idempotency_key", "must have at most 200 characters") }
        let lifecycle = self.lifecycle, today = self.today
        var r = Conton_Protocols_V1_CreateProtocolResponse()
        r.protocol = try await self.context.write { m in
            if let earlier = try ProtocolLifecycle.existing(key: key, in: m.db) {
                return try ProtocolStore.get(String(earlier.id), scope: .all, clients: lifecycle.clients, today: today, in: m.db)
            }
            let clientID = request.protocol.clientId
            let client = try lifecycle.clients.require(clientID, field: "protocol.client_id", in: m.db)
            let draft = try ProtocolDraft.validate(request.protocol, clientID: clientID, files: lifecycle.files,
                                                  obligations: lifecycle.obligations, in: m.db)
            let id = try lifecycle.create(draft, client: client, idempotencyKey: key, send: request.send, in: &m).id
            return try ProtocolStore.get(String(id), scope: .all, clients: lifecycle.clients, today: today, in: m.db)
        }
        return r
    }

    func createProtocolBatch(request: Conton_Protocols_V1_CreateProtocolBatchRequest, context: ServerContext) async throws -> Conton_Protocols_V1_CreateProtocolBatchResponse {
        let header = try ProtocolBatch.checkRequest(request)      // before taking the write lock
        let batch = ProtocolBatch(lifecycle: lifecycle)
        return try await self.context.write { m in try batch.run(request, header: header, in: &m) }
    }

    /// Runs `body` on protocol `id`'s row (as the caller may see it) in one write transaction and
    /// answers the protocol afterwards.
    private func change(_ id: String, _ body: @escaping @Sendable (Row, inout Mutation) throws -> Void) async throws -> Conton_Protocols_V1_Protocol {
        let scope = try ClientScope.current()
        let clients = lifecycle.clients, today = self.today
        return try await self.context.write { m in
            let row = try ProtocolStore.require(id, scope: scope, in: m.db)
            try body(row, &m)
            return try ProtocolStore.get(id, scope: scope, clients: clients, today: today, in: m.db)
        }
    }

    private static func requireDraft(_ row: Row, _ doing: String) throws {
        let id: Int64 = row["id"]
        guard ProtocolStore.Status(rawValue: row["status"]) == .draft else {
            throw ProtocolStore.failedPrecondition(id, "protocol \(id) was sent; it cannot be \(doing) — cancel it and issue a new one",
                                                   reason: "PROTOCOL_NOT_DRAFT")
        }
    }

    func updateProtocol(request: Conton_Protocols_V1_UpdateProtocolRequest, context: ServerContext) async throws -> Conton_Protocols_V1_UpdateProtocolResponse {
        let update = request.protocol, paths = request.updateMask.paths, files = lifecycle.files, clients = lifecycle.clients, today = self.today
        let editable: Set<String> = ["title", "message", "delivery", "items"]
        var errors = FieldErrors()
        if paths.isEmpty { errors.add("update_mask", "name the fields to change: title, message, delivery, items") }
        for (i, p) in paths.enumerated() where !editable.contains(p) {
            errors.add("update_mask[\(i)]", "'\(p)' cannot be changed (title, message, delivery, items can)")
        }
        try errors.check()
        var r = Conton_Protocols_V1_UpdateProtocolResponse()
        r.protocol = try await change(update.id) { row, m in
            try Self.requireDraft(row, "edited")
            let id: Int64 = row["id"]
            if update.version != 0 && update.version != (row["version"] as Int64) {
                throw ServiceError(.aborted, "protocol \(id) changed since version \(update.version) was read; read it again",
                                   reason: "VERSION_MISMATCH", resource: ErrorDetails.Resource(type: ProtocolStore.resourceType, name: String(id)))
            }
            var merged = try ProtocolStore.get(String(id), scope: .all, clients: clients, today: today, in: m.db)
            if paths.contains("title") { merged.title = update.title }
            if paths.contains("message") { merged.message = update.message }
            if paths.contains("delivery") { merged.delivery = update.delivery }
            if paths.contains("items") { merged.items = update.items }
            if paths.contains("items") && !paths.contains("title") { merged.title = "" }
            let draft = try ProtocolDraft.validate(merged, clientID: row["client_id"], files: files, obligations: lifecycle.obligations, in: m.db)
            try m.db.execute(sql: """
                UPDATE protocols_protocol SET title = ?, message = ?, delivery_method = ?, receiver_name = ?, receiver_document = ?,
                  other_description = ?, version = version + 1 WHERE id = ?
                """, arguments: [draft.title, draft.message, draft.delivery.method.rawValue, draft.delivery.receiverName,
                                 draft.delivery.receiverDocument, draft.delivery.otherDescription, id])
            try ProtocolStore.writeItems(draft.items, of: id, in: m.db)
            m.audit("protocol", String(id), "updated draft protocol nº \(row["number"] as Int64) (\(paths.joined(separator: ", ")))")
        }
        return r
    }

    func deleteProtocol(request: Conton_Protocols_V1_DeleteProtocolRequest, context: ServerContext) async throws -> Conton_Protocols_V1_DeleteProtocolResponse {
        try await self.context.write { m in
            let row = try ProtocolStore.require(request.protocolId, scope: .all, in: m.db)
            try Self.requireDraft(row, "deleted")
            try m.db.execute(sql: "DELETE FROM protocols_protocol WHERE id = ?", arguments: [row["id"] as Int64])
            m.audit("protocol", request.protocolId, "deleted draft protocol nº \(row["number"] as Int64)")
        }
        return .init()
    }

    func sendProtocol(request: Conton_Protocols_V1_SendProtocolRequest, context: ServerContext) async throws -> Conton_Protocols_V1_SendProtocolResponse {
        let lifecycle = self.lifecycle
        var r = Conton_Protocols_V1_SendProtocolResponse()
        r.protocol = try await change(request.protocolId) { row, m in try lifecycle.send(row, in: &m) }
        return r
    }

    func getProtocol(request: Conton_Protocols_V1_GetProtocolRequest, context: ServerContext) async throws -> Conton_Protocols_V1_GetProtocolResponse {
        let scope = try ClientScope.current()
        var r = Conton_Protocols_V1_GetProtocolResponse()
        if scope == .all {
            let clients = lifecycle.clients, today = self.today
            r.protocol = try await self.context.read { db in try ProtocolStore.get(request.protocolId, scope: .all, clients: clients, today: today, in: db) }
        } else {
            let lifecycle = self.lifecycle
            r.protocol = try await change(request.protocolId) { row, m in try lifecycle.view(row, in: &m) }
        }
        return r
    }

    func listProtocols(request: Conton_Protocols_V1_ListProtocolsRequest, context: ServerContext) async throws -> Conton_Protocols_V1_ListProtocolsResponse {
        let scope = try ClientScope.current()
        let page = try Pagination(size: request.pageSize, token: request.pageToken)
        let query = try ProtocolQuery(request, scope: scope, page: page, today: today)
        let clients = lifecycle.clients, today = self.today
        return try await self.context.read { db in
            let rows = try Row.fetchAll(db, sql: query.sql, arguments: query.arguments)
            var r = Conton_Protocols_V1_ListProtocolsResponse()
            r.protocols = try ProtocolStore.messages(rows, clients: clients, today: today, in: db)
            r.nextPageToken = page.nextToken(lastKey: rows.last.map(query.cursor), returned: rows.count)
            return r
        }
    }

    private static func reason(_ raw: String, field: String = "reason", required: Bool) throws -> String {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if required && text.isEmpty { throw FieldErrors.single(field, "is required") }
        if text.count > 1000 { throw FieldErrors.single(field, "must have at most 1,000 characters") }
        return text
    }

    func cancelProtocol(request: Conton_Protocols_V1_CancelProtocolRequest, context: ServerContext) async throws -> Conton_Protocols_V1_CancelProtocolResponse {
        let reason = try Self.reason(request.reason, required: true), lifecycle = self.lifecycle
        var r = Conton_Protocols_V1_CancelProtocolResponse()
        r.protocol = try await change(request.protocolId) { row, m in try lifecycle.close(row, to: .cancelled, text: reason, in: &m) }
        return r
    }

    func justifyProtocol(request: Conton_Protocols_V1_JustifyProtocolRequest, context: ServerContext) async throws -> Conton_Protocols_V1_JustifyProtocolResponse {
        let reason = try Self.reason(request.reason, required: true), lifecycle = self.lifecycle
        var r = Conton_Protocols_V1_JustifyProtocolResponse()
        r.protocol = try await change(request.protocolId) { row, m in try lifecycle.close(row, to: .justified, text: reason, in: &m) }
        return r
    }

    func acknowledgeProtocol(request: Conton_Protocols_V1_AcknowledgeProtocolRequest, context: ServerContext) async throws -> Conton_Protocols_V1_AcknowledgeProtocolResponse {
        let comment = try Self.reason(request.comment, field: "comment", required: false), lifecycle = self.lifecycle
        var r = Conton_Protocols_V1_AcknowledgeProtocolResponse()
        r.protocol = try await change(request.protocolId) { row, m in try lifecycle.close(row, to: .acknowledged, text: comment, in: &m) }
        return r
    }

    // MARK: Evidence

    func listEvidence(request: Conton_Protocols_V1_ListEvidenceRequest, context: ServerContext) async throws -> Conton_Protocols_V1_ListEvidenceResponse {
        let scope = try ClientScope.current()
        return try await self.context.read { db in
            let row = try ProtocolStore.require(request.protocolId, scope: scope, in: db)
            var r = Conton_Protocols_V1_ListEvidenceResponse()
            r.entries = try EvidenceChain.entries(of: row["id"], in: db)
            return r
        }
    }

    func verifyEvidence(request: Conton_Protocols_V1_VerifyEvidenceRequest, context: ServerContext) async throws -> Conton_Protocols_V1_VerifyEvidenceResponse {
        let scope = try ClientScope.current()
        return try await self.context.read { db in
            let row = try ProtocolStore.require(request.protocolId, scope: scope, in: db)
            return try EvidenceChain.verify(row["id"], count: row["evidence_count"], head: row["evidence_head"], in: db)
        }
    }

    // MARK: Settings

    func getProtocolSettings(request: Conton_Protocols_V1_GetProtocolSettingsRequest, context: ServerContext) async throws -> Conton_Protocols_V1_GetProtocolSettingsResponse {
        var r = Conton_Protocols_V1_GetProtocolSettingsResponse()
        r.settings.reminderDays = try await self.context.read { db in try ProtocolSettingsStore.reminderDays(in: db) }
        return r
    }

    func updateProtocolSettings(request: Conton_Protocols_V1_UpdateProtocolSettingsRequest, context: ServerContext) async throws -> Conton_Protocols_V1_UpdateProtocolSettingsResponse {
        let days = request.settings.reminderDays
        guard (0...30).contains(days) else { throw FieldErrors.single("settings.reminder_days", "must be 0 to 30") }
        try await self.context.write { m in
            try m.db.execute(sql: "UPDATE protocols_settings SET reminder_days = ? WHERE id = 1", arguments: [days])
            m.audit("protocol_settings", "1", "reminders \(days) day(s) before the due date")
        }
        var r = Conton_Protocols_V1_UpdateProtocolSettingsResponse()
        r.settings.reminderDays = days
        return r
    }
}

enum ProtocolSettingsStore {
    static func reminderDays(in db: Database) throws -> Int32 {
        try Int32.fetchOne(db, sql: "SELECT reminder_days FROM protocols_settings WHERE id = 1") ?? 3
    }
}
