import ClientsCapability
import ContonAPI
import FeesCapability
import FilesCapability
import ContonBrazil
import ContonIdentity
import ContonKit
import GRDB
import GRPCCore

/// `conton.clients.v1.Clients`.
struct ClientsService: Conton_Clients_V1_Clients.SimpleServiceProtocol {
    typealias Client = Conton_Clients_V1_Client

    let context: PluginContext
    let logins: ClientLogins

    /// Fields a caller can never write.
    static let outputOnly: Set<String> = ["id", "document_formatted", "status", "version", "created_at_ms", "updated_at_ms",
                                          "archived_at_ms", "access"]
    /// Rows one ImportClients call takes.
    static let maxImportRows = 50_000

    private var today: CivilDate { CivilDate(milliseconds: context.clock.nowMilliseconds) }

    // MARK: - Registration

    func createClient(request: Conton_Clients_V1_CreateClientRequest, context: ServerContext) async throws -> Conton_Clients_V1_CreateClientResponse {
        var (validated, errors) = ClientValidation.normalized(request.client, today: today)
        var grant: AccessGrant?
        if request.hasAccess {
            grant = AccessGrant.validated(request.access, defaultEmail: validated.email, prefix: "access", errors: &errors)
        }
        try errors.check()
        if var g = grant { try await g.hashPassword(with: logins); grant = g }
        let logins = self.logins
        let (input, access) = (validated, grant)
        let created = try await self.context.write { m -> Client in
            try ClientStore.checkUnique(document: input.document, in: m.db)
            let client = try ClientStore.insert(input, now: m.now, in: m.db)
            m.audit("client", client.id, "created client")
            try m.publish(ClientCreated(clientID: client.id))
            if let access { try access.grant(to: client, logins: logins, in: &m) }
            return try ClientAccessInfo.attach(to: client, logins: logins, in: m.db)
        }
        var response = Conton_Clients_V1_CreateClientResponse()
        response.client = created
        return response
    }

    func getClient(request: Conton_Clients_V1_GetClientRequest, context: ServerContext) async throws -> Conton_Clients_V1_GetClientResponse {
        let scope = try ClientScope.current()
        var requested = request.clientId
        if case .only(let own) = scope, requested.isEmpty { requested = own }
        let id = requested
        guard !id.isEmpty else { throw FieldErrors.single("client_id", "is required") }
        try scope.check(id, "client \(id)")
        let logins = self.logins
        let client = try await self.context.read { db -> Client? in
            try ClientStore.find(id, in: db).map { try ClientAccessInfo.attach(to: $0, logins: logins, in: db) }
        }
        guard let client else { throw ServiceError.notFound("client", id, type: "conton.clients.v1.Client") }
        var response = Conton_Clients_V1_GetClientResponse()
        response.client = client
        return response
    }

    func updateClient(request: Conton_Clients_V1_UpdateClientRequest, context: ServerContext) async throws -> Conton_Clients_V1_UpdateClientResponse {
        let update = request.client
        var errors = FieldErrors()
        if update.id.isEmpty { errors.add("client.id", "is required") }
        if update.version <= 0 { errors.add("client.version", "is required: the version you read (GetClient)") }
        try errors.check()
        let mask = request.updateMask.paths
        let today = self.today
        let logins = self.logins
        let updated = try await self.context.write { m -> Client in
            let current = try ClientStore.require(update.id, in: m.db)
            guard current.version == update.version else {
                throw ServiceError(.aborted, "client \(update.id) changed since version \(update.version) (now \(current.version)); read it again and retry",
                                   reason: "VERSION_MISMATCH", resource: ErrorDetails.Resource(type: "conton.clients.v1.Client", name: update.id))
            }
            let merged = try FieldMaskUpdate.apply(mask, from: update, to: current, outputOnly: Self.outputOnly)
            let (client, errors) = ClientValidation.normalized(merged, today: today)
            try errors.check()
            if client.document != current.document {
                try ClientStore.checkUnique(document: client.document, except: current.id, in: m.db)
            }
            let stored = try ClientStore.update(current.id, with: client, now: m.now, in: m.db)
            let fields = mask.isEmpty ? FieldMaskUpdate.populated(update, excluding: Self.outputOnly) : Array(mask)
            m.audit("client", current.id, "updated client: \(fields.joined(separator: ", "))")
            try m.publish(ClientUpdated(clientID: current.id, fields: fields))
            return try ClientAccessInfo.attach(to: stored, logins: logins, in: m.db)
        }
        var response = Conton_Clients_V1_UpdateClientResponse()
        response.client = updated
        return response
    }

    func listClients(request: Conton_Clients_V1_ListClientsRequest, context: ServerContext) async throws -> Conton_Clients_V1_ListClientsResponse {
        let pagination = try Pagination(size: request.pageSize, token: request.pageToken, defaultSize: 50, maximum: 500)
        var decoded: (nameKey: String, id: String)?
        if let after = pagination.after {
            guard let key = ClientCursor.decode(after) else { throw FieldErrors.single("page_token", "is not a token from a previous page") }
            decoded = key
        }
        let cursor = decoded
        let search = ClientSearch(query: request.query, document: request.document, email: request.email,
                                  status: request.status, taxRegime: request.taxRegime)
        let (rows, total) = try await self.context.read { db in
            let matches = try search.indexMatches(in: db)
            return (try search.page(after: cursor, limit: pagination.size, indexMatches: matches, in: db),
                    try search.count(indexMatches: matches, in: db))
        }
        var response = Conton_Clients_V1_ListClientsResponse()
        response.clients = rows.map(\.client)
        response.totalCount = total
        response.nextPageToken = pagination.nextToken(lastKey: rows.last.map { ClientCursor.encode(nameKey: $0.nameKey, id: $0.client.id) },
                                                      returned: rows.count)
        return response
    }

    // MARK: - Archive, restore, delete

    func archiveClient(request: Conton_Clients_V1_ArchiveClientRequest, context: ServerContext) async throws -> Conton_Clients_V1_ArchiveClientResponse {
        let logins = self.logins
        let client = try await self.context.write { m -> Client in
            let current = try ClientStore.require(request.clientId, in: m.db)
            guard current.status != .archived else { return try ClientAccessInfo.attach(to: current, logins: logins, in: m.db) }
            let archived = try ClientStore.setArchived(current.id, true, now: m.now, in: m.db)
            let disabled = try logins.disable(clientID: current.id, in: &m)
            m.audit("client", current.id, "archived client" + (disabled > 0 ? "; portal login disabled" : ""))
            try m.publish(ClientArchived(clientID: current.id))
            return try ClientAccessInfo.attach(to: archived, logins: logins, in: m.db)
        }
        var response = Conton_Clients_V1_ArchiveClientResponse()
        response.client = client
        return response
    }

    func restoreClient(request: Conton_Clients_V1_RestoreClientRequest, context: ServerContext) async throws -> Conton_Clients_V1_RestoreClientResponse {
        let logins = self.logins
        let client = try await self.context.write { m -> Client in
            let current = try ClientStore.require(request.clientId, in: m.db)
            guard current.status == .archived else { return try ClientAccessInfo.attach(to: current, logins: logins, in: m.db) }
            let restored = try ClientStore.setArchived(current.id, false, now: m.now, in: m.db)
            let enabled = try logins.enable(clientID: current.id, in: &m)
            m.audit("client", current.id, "restored client" + (enabled > 0 ? "; portal login enabled" : ""))
            try m.publish(ClientUpdated(clientID: current.id, fields: ["status"]))
            return try ClientAccessInfo.attach(to: restored, logins: logins, in: m.db)
        }
        var response = Conton_Clients_V1_RestoreClientResponse()
        response.client = client
        return response
    }

    func deleteClient(request: Conton_Clients_V1_DeleteClientRequest, context: ServerContext) async throws -> Conton_Clients_V1_DeleteClientResponse {
        let logins = self.logins
        let holders = self.context.capabilities.all((any ClientRecordHolder).self)
        try await self.context.write { m in
            let current = try ClientStore.require(request.clientId, in: m.db)
            let references = try holders.flatMap { try $0.records(of: current.id, in: m.db) }.filter { $0.count > 0 }
            guard references.isEmpty else {
                let held = references.map(\.description).joined(separator: ", ")
                throw ServiceError(.failedPrecondition, "client \(current.id) still has \(held); archive it instead, or remove those first",
                                   reason: "CLIENT_HAS_RECORDS", resource: ErrorDetails.Resource(type: "conton.clients.v1.Client", name: current.id))
            }
            try logins.delete(clientID: current.id, in: &m)
            try ClientStore.delete(current.id, in: m.db)
            m.audit("client", current.id, "deleted client permanently (personal data removed)")
            try m.publish(ClientDeleted(clientID: current.id))
        }
        return Conton_Clients_V1_DeleteClientResponse()
    }

    // MARK: - Portal access

    func setClientAccess(request: Conton_Clients_V1_SetClientAccessRequest, context: ServerContext) async throws -> Conton_Clients_V1_SetClientAccessResponse {
        guard !request.clientId.isEmpty else { throw FieldErrors.single("client_id", "is required") }
        let id = request.clientId
        let defaultEmail = try await self.context.read { db in try ClientStore.require(id, in: db).email }
        var errors = FieldErrors()
        var validated = AccessGrant.validated(request, defaultEmail: defaultEmail, prefix: nil, errors: &errors)
        try errors.check()
        try await validated.hashPassword(with: logins)
        let logins = self.logins
        let grant = validated
        let access = try await self.context.write { m -> Conton_Clients_V1_ClientAccess in
            let client = try ClientStore.require(id, in: m.db)
            try grant.grant(to: client, logins: logins, in: &m)
            return try ClientAccessInfo.access(of: id, logins: logins, in: m.db)
        }
        var response = Conton_Clients_V1_SetClientAccessResponse()
        response.access = access
        return response
    }

    func revokeClientAccess(request: Conton_Clients_V1_RevokeClientAccessRequest, context: ServerContext) async throws -> Conton_Clients_V1_RevokeClientAccessResponse {
        let logins = self.logins
        try await self.context.write { m in
            let client = try ClientStore.require(request.clientId, in: m.db)
            guard try logins.delete(clientID: client.id, in: &m) > 0 else {
                throw ServiceError(.failedPrecondition, "client \(client.id) has no portal access", reason: "CLIENT_HAS_NO_PORTAL_ACCESS",
                                   resource: ErrorDetails.Resource(type: "conton.clients.v1.Client", name: client.id))
            }
        }
        return Conton_Clients_V1_RevokeClientAccessResponse()
    }

    func resendAccessEmail(request: Conton_Clients_V1_ResendAccessEmailRequest, context: ServerContext) async throws -> Conton_Clients_V1_ResendAccessEmailResponse {
        let logins = self.logins
        let access = try await self.context.write { m -> Conton_Clients_V1_ClientAccess in
            let client = try ClientStore.require(request.clientId, in: m.db)
            guard let login = try logins.logins(of: client.id, in: m.db).first else {
                throw ServiceError(.failedPrecondition, "client \(client.id) has no portal access; use SetClientAccess",
                                   reason: "CLIENT_HAS_NO_PORTAL_ACCESS", resource: ErrorDetails.Resource(type: "conton.clients.v1.Client", name: client.id))
            }
            try logins.reinvite(userID: login.userID, clientID: client.id, in: &m)
            return try ClientAccessInfo.access(of: client.id, logins: logins, in: m.db)
        }
        var response = Conton_Clients_V1_ResendAccessEmailResponse()
        response.access = access
        return response
    }

    // MARK: - The ficha

    func getClientRecord(request: Conton_Clients_V1_GetClientRecordRequest, context: ServerContext) async throws -> Conton_Clients_V1_GetClientRecordResponse {
        var response = Conton_Clients_V1_GetClientRecordResponse()
        response.record = try await record(of: request.clientId)
        return response
    }

    /// The ficha's content: the client, its access, and what other plugins hold for it.
    func record(of clientID: String) async throws -> Conton_Clients_V1_ClientRecord {
        let logins = self.logins
        let capabilities = self.context.capabilities
        let holders = capabilities.all((any ClientRecordHolder).self)
        // Offered by the fees and files plugins when they are there.
        let fees = capabilities.optional((any ClientFeeSummaries).self), files = capabilities.optional((any ClientFileSummaries).self)
        return try await self.context.read { db -> Conton_Clients_V1_ClientRecord in
            var record = Conton_Clients_V1_ClientRecord()
            let client = try ClientAccessInfo.attach(to: try ClientStore.require(clientID, in: db), logins: logins, in: db)
            record.client = client
            record.access = client.access
            for reference in try holders.flatMap({ try $0.records(of: client.id, in: db) }) where reference.count > 0 {
                record.references[reference.what] = Int64(reference.count)
            }
            if let last = try fees?.lastFee(of: client.id, in: db) {
                record.lastFee.competence = last.competence
                record.lastFee.amountCents = last.amountCents
                record.lastFee.dueDate = last.dueDate
                record.lastFee.status = last.status
            }
            record.files = Int64(try files?.fileCount(of: client.id, in: db) ?? 0)
            record.openReceivables = Int64(try fees?.openReceivables(of: client.id, in: db) ?? 0)
            return record
        }
    }

    // MARK: - Import and export

    func importClients(request: RPCAsyncSequence<Conton_Clients_V1_ImportClientsRequest, any Error>,
                       context: ServerContext) async throws -> Conton_Clients_V1_ImportClientsResponse {
        let today = self.today
        var rows: [ClientImport.Row] = []
        for try await message in request {
            guard rows.count < Self.maxImportRows else {
                throw ServiceError(.invalidArgument, "an import takes at most \(Self.maxImportRows) rows; split the file", reason: "TOO_MANY_ROWS")
            }
            let (client, errors) = ClientValidation.normalized(message.client, today: today)
            rows.append(ClientImport.Row(number: rows.count + 1, client: client, violations: errors.violations))
        }
        let imported = rows
        let results = try await self.context.write { m in try ClientImport.commit(imported, in: &m) }
        var response = Conton_Clients_V1_ImportClientsResponse()
        response.results = results
        response.imported = Int32(results.filter { !$0.clientId.isEmpty }.count)
        response.rejected = Int32(results.count) - response.imported
        return response
    }

    func exportClients(request: Conton_Clients_V1_ExportClientsRequest, response: RPCWriter<Client>, context: ServerContext) async throws {
        let search = ClientSearch(status: request.status, taxRegime: request.taxRegime)
        var cursor: (nameKey: String, id: String)?
        while true {
            let after = cursor.map { (nameKey: $0.nameKey, id: $0.id) }
            let page = try await self.context.read { db in
                try search.page(after: after, limit: 500, indexMatches: nil, in: db)
            }
            for row in page { try await response.write(row.client) }
            guard page.count == 500, let last = page.last else { return }
            cursor = (last.nameKey, last.client.id)
        }
    }
}
