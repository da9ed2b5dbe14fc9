import AttendancesCapability
import ClientsCapability
import ContonBrazil
import ContonAPI
import ContonKit
import ContonThreads
import FilesCapability
import GRDB
import GRPCCore

/// `conton.requests.v1.Requests` (docs/REQUESTS.md).
struct RequestsService: Conton_Requests_V1_Requests.SimpleServiceProtocol {
    typealias Record = Conton_Requests_V1_Request
    typealias Status = Conton_Requests_V1_RequestStatus

    let context: PluginContext
    let clients: any ClientRegistry
    let files: (any FileCatalog)?
    let threads: MessageThreads
    /// The attendances plugin's opener, when that plugin runs.
    let attendances: (any AttendanceOpener)?

    static let maxItems = 50

    var today: String { CivilDate.today(context.clock).description }

    private func answer(_ id: String, scope: ClientScope, principal: Principal, today: String, in db: Database) throws -> Record {
        try RequestStore.messages([try RequestStore.require(id, scope: scope, in: db)], for: principal, clients: clients, threads: threads,
                                  today: today, in: db)[0]
    }

    private static func subject(_ raw: String, default fallback: String, errors: inout FieldErrors) -> String {
        let subject = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if subject.count > 200 { errors.add("subject", "must have at most 200 characters") }
        if subject.contains(where: \.isNewline) { errors.add("subject", "must be one line") }
        return subject.isEmpty ? fallback : subject
    }

    /// The client a new request is for: INVALID_ARGUMENT for an empty id, NOT_FOUND, archived.
    private func client(_ id: String, in db: Database) throws -> ClientSummary {
        try clients.require(id, allowArchived: false, field: "client_id", in: db)
    }

    // MARK: Catalogue

    static func requestType(_ row: Row) -> Conton_Requests_V1_RequestType {
        var t = Conton_Requests_V1_RequestType()
        (t.id, t.name, t.archived) = (String(row[0] as Int64), row[1], row[2])
        return t
    }

    func listRequestTypes(request: Conton_Requests_V1_ListRequestTypesRequest, context: ServerContext) async throws -> Conton_Requests_V1_ListRequestTypesResponse {
        let all = try request.includeArchived && ClientScope.scope(of: context.principal) == .all
        return try await self.context.read { db in
            var r = Conton_Requests_V1_ListRequestTypesResponse()
            r.requestTypes = try Row.fetchAll(db, sql: "SELECT id, name, archived FROM requests_type\(all ? "" : " WHERE archived = 0") ORDER BY id")
                .map(Self.requestType)
            return r
        }
    }

    /// A type's name, checked and unique (ignoring case and accents) but for `except`.
    private static func typeName(_ raw: String, except: Int64?, in db: Database) throws -> String {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty { throw FieldErrors.single("request_type.name", "is required") }
        if name.count > 80 || name.contains(where: \.isNewline) { throw FieldErrors.single("request_type.name", "must be one line of at most 80 characters") }
        if let taken = try Int64.fetchOne(db, sql: "SELECT id FROM requests_type WHERE name_key = ? AND id IS NOT ?", arguments: [SearchKey.fold(name), except]) {
            throw ServiceError(.alreadyExists, "a request type named '\(name)' exists", reason: "REQUEST_TYPE_NAME_TAKEN",
                               resource: ErrorDetails.Resource(type: "conton.requests.v1.RequestType", name: String(taken)))
        }
        return name
    }

    func createRequestType(request: Conton_Requests_V1_CreateRequestTypeRequest, context: ServerContext) async throws -> Conton_Requests_V1_CreateRequestTypeResponse {
        var r = Conton_Requests_V1_CreateRequestTypeResponse()
        r.requestType = try await self.context.write { m in
            let name = try Self.typeName(request.name, except: nil, in: m.db)
            try m.db.execute(sql: "INSERT INTO requests_type (name, name_key) VALUES (?, ?)", arguments: [name, SearchKey.fold(name)])
            let id = m.db.lastInsertedRowID
            m.audit("request_type", String(id), "created request type '\(name)'")
            return Self.requestType(try Row.fetchOne(m.db, sql: "SELECT id, name, archived FROM requests_type WHERE id = ?", arguments: [id])!)
        }
        return r
    }

    func updateRequestType(request: Conton_Requests_V1_UpdateRequestTypeRequest, context: ServerContext) async throws -> Conton_Requests_V1_UpdateRequestTypeResponse {
        let t = request.requestType
        var r = Conton_Requests_V1_UpdateRequestTypeResponse()
        r.requestType = try await self.context.write { m in
            guard let id = Int64(t.id), try Int.fetchOne(m.db, sql: "SELECT 1 FROM requests_type WHERE id = ?", arguments: [id]) != nil else {
                throw ServiceError.notFound("request type", t.id, type: "conton.requests.v1.RequestType")
            }
            let name = try Self.typeName(t.name, except: id, in: m.db)
            try m.db.execute(sql: "UPDATE requests_type SET name = ?, name_key = ?, archived = ? WHERE id = ?", arguments: [name, SearchKey.fold(name), t.archived, id])
            m.audit("request_type", String(id), "updated request type '\(name)'\(t.archived ? " (archived)" : "")")
            return Self.requestType(try Row.fetchOne(m.db, sql: "SELECT id, name, archived FROM requests_type WHERE id = ?", arguments: [id])!)
        }
        return r
    }

    // MARK: Open

    func createRequest(request: Conton_Requests_V1_CreateRequestRequest, context: ServerContext) async throws -> Conton_Requests_V1_CreateRequestResponse {
        let principal = context.principal, scope = try ClientScope.current(), files = self.files, threads = self.threads, today = self.today
        let clientID: String
        switch scope {
        case .only(let own): clientID = own
        case .all: clientID = request.clientId
        }
        var r = Conton_Requests_V1_CreateRequestResponse()
        r.request = try await self.context.write { m in
            let client = try self.client(clientID, in: m.db)
            var errors = FieldErrors()
            var typeName = ""
            if request.typeId.isEmpty { errors.add("type_id", "is required (ListRequestTypes)") }
            else if let row = try Row.fetchOne(m.db, sql: "SELECT name, archived FROM requests_type WHERE id = ?", arguments: [Int64(request.typeId) ?? -1]) {
                typeName = row[0]
                if row[1] as Bool { errors.add("type_id", "'\(typeName)' is archived") }
            } else { errors.add("type_id", "no request type \(request.typeId)") }
            let subject = Self.subject(request.subject, default: typeName, errors: &errors)
            try errors.check()
            let draft = try threads.validate(request.message, clientID: client.id, by: principal, files: files, in: m.db)
            let number = try RequestStore.nextNumber(in: m.db)
            try m.db.execute(sql: """
                INSERT INTO requests_request (number, client_id, kind, type_id, type_name, subject, status, opened_at_ms, opened_by)
                VALUES (?, ?, 1, ?, ?, ?, 1, ?, ?)
                """, arguments: [number, client.id, Int64(request.typeId), typeName, subject, m.now, principal.displayName])
            let id = m.db.lastInsertedRowID
            try threads.append(draft, to: id, clientID: client.id, by: principal, files: files, at: m.now, in: m.db)
            try m.publish(RequestOpened(requestID: String(id), clientID: client.id, number: number, kind: "from_client", subject: subject))
            m.audit("request", String(id), "opened request nº \(number) (\(typeName)) for client \(client.id)")
            return try answer(String(id), scope: scope, principal: principal, today: today, in: m.db)
        }
        return r
    }

    func requestDocuments(request: Conton_Requests_V1_RequestDocumentsRequest, context: ServerContext) async throws -> Conton_Requests_V1_RequestDocumentsResponse {
        var errors = FieldErrors()
        if request.items.isEmpty { errors.add("items", "ask for 1 to \(Self.maxItems) documents") }
        if request.items.count > Self.maxItems { errors.add("items", "at most \(Self.maxItems) documents") }
        for (i, item) in request.items.enumerated() {
            let description = item.description.trimmingCharacters(in: .whitespacesAndNewlines)
            if description.isEmpty { errors.add("items[\(i)].description", "is required") }
            if description.count > 300 { errors.add("items[\(i)].description", "must have at most 300 characters") }
            if !item.dueDate.isEmpty && CivilDate(item.dueDate) == nil { errors.add("items[\(i)].due_date", "must be a date YYYY-MM-DD") }
        }
        let subject = Self.subject(request.subject, default: "Documentos solicitados", errors: &errors)
        try errors.check()
        let principal = context.principal, files = self.files, threads = self.threads, today = self.today
        var r = Conton_Requests_V1_RequestDocumentsResponse()
        r.request = try await self.context.write { m in
            let client = try self.client(request.clientId, in: m.db)
            let hasMessage = !request.message.text.isEmpty || !request.message.attachmentFileIds.isEmpty
            let draft = hasMessage ? try threads.validate(request.message, clientID: client.id, by: principal, files: files, in: m.db) : nil
            let number = try RequestStore.nextNumber(in: m.db)
            try m.db.execute(sql: """
                INSERT INTO requests_request (number, client_id, kind, type_id, type_name, subject, status, opened_at_ms, opened_by)
                VALUES (?, ?, 2, NULL, '', ?, 1, ?, ?)
                """, arguments: [number, client.id, subject, m.now, principal.displayName])
            let id = m.db.lastInsertedRowID
            for (position, item) in request.items.enumerated() {
                try m.db.execute(sql: "INSERT INTO requests_item (request_id, position, description, due_date, status) VALUES (?, ?, ?, ?, 1)",
                                 arguments: [id, position, item.description.trimmingCharacters(in: .whitespacesAndNewlines), item.dueDate])
            }
            if let draft { try threads.append(draft, to: id, clientID: client.id, by: principal, files: files, at: m.now, in: m.db) }
            let made = try answer(String(id), scope: .all, principal: principal, today: today, in: m.db)
            if let mail = RequestMail.requested(number: number, subject: subject, items: made.items, client: client) { try m.mail(mail) }
            try m.publish(RequestOpened(requestID: String(id), clientID: client.id, number: number, kind: "from_office", subject: subject))
            m.audit("request", String(id), "asked client \(client.id) for \(request.items.count) document(s) (request nº \(number))")
            return made
        }
        return r
    }

    // MARK: Read

    func getRequest(request: Conton_Requests_V1_GetRequestRequest, context: ServerContext) async throws -> Conton_Requests_V1_GetRequestResponse {
        let scope = try ClientScope.current(), principal = context.principal, today = self.today
        return try await self.context.read { db in
            var r = Conton_Requests_V1_GetRequestResponse()
            r.request = try answer(request.requestId, scope: scope, principal: principal, today: today, in: db)
            return r
        }
    }

    func listRequests(request: Conton_Requests_V1_ListRequestsRequest, context: ServerContext) async throws -> Conton_Requests_V1_ListRequestsResponse {
        let scope = try ClientScope.current(), principal = context.principal, today = self.today
        let page = try Pagination(size: request.pageSize, token: request.pageToken)
        var errors = FieldErrors()
        var conditions: [String] = []
        var args: [(any DatabaseValueConvertible)?] = []
        switch scope {
        case .all: if !request.clientId.isEmpty { conditions.append("r.client_id = ?"); args.append(request.clientId) }
        case .only(let own): conditions.append("r.client_id = ?"); args.append(own)
        }
        switch request.kind {
        case .unspecified: break
        case .unrecognized(let n): errors.add("kind", "unknown kind \(n)")
        default: conditions.append("r.kind = ?"); args.append(request.kind.rawValue)
        }
        var statuses: [Int32] = []
        for (i, s) in request.statuses.enumerated() {
            switch s {
            case .unspecified, .unrecognized: errors.add("statuses[\(i)]", "must be a request status")
            default: statuses.append(s.rawValue)
            }
        }
        if !statuses.isEmpty { conditions.append("r.status IN (\(statuses.map(String.init).joined(separator: ",")))") }
        if !request.typeId.isEmpty {
            if let t = Int64(request.typeId) { conditions.append("r.type_id = ?"); args.append(t) } else { errors.add("type_id", "must be a request type id") }
        }
        if request.overdue {
            conditions.append("r.status <> 4 AND EXISTS (SELECT 1 FROM requests_item i WHERE i.request_id = r.id AND i.status = 1 AND i.due_date <> '' AND i.due_date < ?)")
            args.append(today)
        }
        if let after = page.after {
            guard let id = Int64(after) else { throw FieldErrors.single("page_token", "is not a token from a previous page") }
            conditions.append("r.id < ?"); args.append(id)
        }
        try errors.check()
        let sql = "SELECT \(RequestStore.columns("r")) "
            + "FROM requests_request r WHERE \(conditions.isEmpty ? "1" : conditions.joined(separator: " AND ")) ORDER BY r.id DESC LIMIT \(page.size)"
        let arguments = StatementArguments(args)
        let clients = self.clients, threads = self.threads
        return try await self.context.read { db in
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
            var r = Conton_Requests_V1_ListRequestsResponse()
            r.requests = try RequestStore.messages(rows, for: principal, clients: clients, threads: threads, today: today, in: db)
            r.nextPageToken = page.nextToken(lastKey: r.requests.last?.id, returned: rows.count)
            return r
        }
    }

    // MARK: Change

    func changeRequestStatus(request: Conton_Requests_V1_ChangeRequestStatusRequest, context: ServerContext) async throws -> Conton_Requests_V1_ChangeRequestStatusResponse {
        let to = request.status
        guard [.open, .inAnalysis, .answered, .closed].contains(to) else {
            throw FieldErrors.single("status", "must be OPEN, IN_ANALYSIS, ANSWERED or CLOSED")
        }
        let principal = context.principal, today = self.today
        var r = Conton_Requests_V1_ChangeRequestStatusResponse()
        r.request = try await self.context.write { m in
            let row = try RequestStore.require(request.requestId, scope: .all, in: m.db)
            let id: Int64 = row[RequestStore.Column.id.rawValue]
            let from = Status(rawValue: row[RequestStore.Column.status.rawValue])
            let documents = (row[RequestStore.Column.kind.rawValue] as Int32) == Conton_Requests_V1_RequestKind.fromOffice.rawValue
            if from != to {
                if from == .closed && to != .open {
                    throw RequestStore.failedPrecondition(id, "request \(id) is closed; reopen it (OPEN) first", reason: "REQUEST_CLOSED")
                }
                if documents && (to == .inAnalysis || to == .answered) {
                    throw RequestStore.failedPrecondition(id, "a documents request is answered by the client, item by item; it can be closed or reopened",
                                                          reason: "REQUEST_DOCUMENTS")
                }
                try m.db.execute(sql: """
                    UPDATE requests_request SET status = ?, closed_at_ms = CASE WHEN ? = 4 THEN ? ELSE NULL END, version = version + 1 WHERE id = ?
                    """, arguments: [to.rawValue, to.rawValue, m.now, id])
                if to == .answered {
                    try m.publish(RequestAnswered(requestID: String(id), clientID: row[RequestStore.Column.clientID.rawValue], by: "office", itemIDs: []))
                }
                m.audit("request", String(id), "request nº \(row[RequestStore.Column.number.rawValue] as Int64): \(from) → \(to)")
            }
            return try answer(String(id), scope: .all, principal: principal, today: today, in: m.db)
        }
        return r
    }

    func answerItems(request: Conton_Requests_V1_AnswerItemsRequest, context: ServerContext) async throws -> Conton_Requests_V1_AnswerItemsResponse {
        var errors = FieldErrors()
        if request.nothingToSend == !request.fileIds.isEmpty {
            errors.add("file_ids", request.nothingToSend ? "must be empty with nothing_to_send" : "send files for the item, or answer nothing_to_send")
        }
        if request.itemId.isEmpty && !request.nothingToSend { errors.add("item_id", "is required to send files (every item at once is only for nothing_to_send)") }
        let note = request.note.trimmingCharacters(in: .whitespacesAndNewlines)
        if note.count > 1000 { errors.add("note", "must have at most 1,000 characters") }
        if request.fileIds.count > MessageThreads.maxAttachments { errors.add("file_ids", "at most \(MessageThreads.maxAttachments) files") }
        try errors.check()
        let scope = try ClientScope.current(), principal = context.principal, files = self.files, today = self.today
        var r = Conton_Requests_V1_AnswerItemsResponse()
        r.request = try await self.context.write { m in
            let row = try RequestStore.require(request.requestId, scope: scope, in: m.db)
            let id: Int64 = row[RequestStore.Column.id.rawValue], clientID: String = row[RequestStore.Column.clientID.rawValue]
            guard (row[RequestStore.Column.kind.rawValue] as Int32) == Conton_Requests_V1_RequestKind.fromOffice.rawValue else {
                throw RequestStore.failedPrecondition(id, "request \(id) has no checklist to answer; reply in its thread", reason: "REQUEST_NOT_DOCUMENTS")
            }
            guard Status(rawValue: row[RequestStore.Column.status.rawValue]) == .open else {
                throw RequestStore.failedPrecondition(id, "request \(id) is closed", reason: "REQUEST_CLOSED")
            }
            let items = try RequestStore.items(of: [id], in: m.db)[id] ?? []
            let targets: [Conton_Requests_V1_ChecklistItem]
            if request.itemId.isEmpty {
                targets = items.filter { $0.status == .pending }
            } else {
                guard let item = items.first(where: { $0.id == request.itemId }) else {
                    throw ServiceError(.notFound, "request \(id) has no item \(request.itemId)",
                                       resource: ErrorDetails.Resource(type: "conton.requests.v1.ChecklistItem", name: request.itemId))
                }
                guard item.status == .pending else {
                    throw RequestStore.failedPrecondition(id, "item '\(item.description)' was answered already", reason: "ITEM_ANSWERED")
                }
                targets = [item]
            }
            var attachments: [FileFacts] = []
            if !request.fileIds.isEmpty {
                guard let files else { throw FieldErrors.single("file_ids", "the files plugin does not run on this server") }
                let found = try files.files(request.fileIds, in: m.db)
                var errors = FieldErrors()
                for (i, fid) in request.fileIds.enumerated() {
                    guard let f = found[fid] else { errors.add("file_ids[\(i)]", "no file \(fid)"); continue }
                    if f.clientID != clientID { errors.add("file_ids[\(i)]", "file \(fid) is not in your area") }
                    attachments.append(f)
                }
                try errors.check()
            }
            let stored = try MessageThreads.encode(MessageThreads.attachments(attachments))
            for item in targets {
                try m.db.execute(sql: "UPDATE requests_item SET status = ?, files = ?, note = ?, answered_at_ms = ? WHERE id = ?",
                                 arguments: [request.nothingToSend ? 3 : 2, stored, note, m.now, Int64(item.id)!])
            }
            try m.publish(RequestAnswered(requestID: String(id), clientID: clientID, by: "client", itemIDs: targets.map(\.id)))
            let after = try RequestStore.items(of: [id], in: m.db)[id] ?? []
            if after.allSatisfy({ $0.status != .pending }) {
                try m.db.execute(sql: "UPDATE requests_request SET status = 4, closed_at_ms = ? WHERE id = ?", arguments: [m.now, id])
                try m.publish(RequestDone(requestID: String(id), clientID: clientID, nothingToSend: after.filter { $0.status == .nothingToSend }.count,
                                          sent: after.filter { $0.status == .sent }.count))
            }
            try m.db.execute(sql: "UPDATE requests_request SET version = version + 1 WHERE id = ?", arguments: [id])
            m.audit("request", String(id), "the client answered \(targets.count) item(s) of request nº \(row[RequestStore.Column.number.rawValue] as Int64)"
                    + (request.nothingToSend ? " (nada a enviar)" : ""))
            return try answer(String(id), scope: scope, principal: principal, today: today, in: m.db)
        }
        return r
    }

    // MARK: Thread

    func postRequestMessage(request: Conton_Requests_V1_PostRequestMessageRequest, context: ServerContext) async throws -> Conton_Requests_V1_PostRequestMessageResponse {
        let scope = try ClientScope.current(), principal = context.principal, files = self.files, threads = self.threads, today = self.today
        return try await self.context.write { m in
            let row = try RequestStore.require(request.requestId, scope: scope, in: m.db)
            let id: Int64 = row[RequestStore.Column.id.rawValue], clientID: String = row[RequestStore.Column.clientID.rawValue]
            let status = Status(rawValue: row[RequestStore.Column.status.rawValue])
            guard status != .closed else {
                throw RequestStore.failedPrecondition(id, "request \(id) is closed; reopen it first", reason: "REQUEST_CLOSED")
            }
            let draft = try threads.validate(request.message, clientID: clientID, by: principal, files: files, in: m.db)
            var r = Conton_Requests_V1_PostRequestMessageResponse()
            r.message = try threads.append(draft, to: id, clientID: clientID, by: principal, files: files, at: m.now, in: m.db)
            // The client replying to an answer puts the request back with the office.
            if r.message.authorKind == .client && status == .answered {
                try m.db.execute(sql: "UPDATE requests_request SET status = 1 WHERE id = ?", arguments: [id])
            }
            try m.db.execute(sql: "UPDATE requests_request SET version = version + 1 WHERE id = ?", arguments: [id])
            m.audit("request", String(id), "\(r.message.internal ? "internal note" : "message") \(r.message.sequence) on request nº \(row[RequestStore.Column.number.rawValue] as Int64)")
            r.request = try answer(String(id), scope: scope, principal: principal, today: today, in: m.db)
            return r
        }
    }

    func listRequestMessages(request: Conton_Requests_V1_ListRequestMessagesRequest, context: ServerContext) async throws -> Conton_Requests_V1_ListRequestMessagesResponse {
        let scope = try ClientScope.current(), threads = self.threads
        let page = try MessageThreads.Page(size: request.pageSize, token: request.pageToken)
        return try await self.context.read { db in
            let row = try RequestStore.require(request.requestId, scope: scope, in: db)
            var r = Conton_Requests_V1_ListRequestMessagesResponse()
            (r.messages, r.nextPageToken) = try threads.page(row[RequestStore.Column.id.rawValue], page, includeInternal: scope == .all, in: db)
            return r
        }
    }

    func markRequestRead(request: Conton_Requests_V1_MarkRequestReadRequest, context: ServerContext) async throws -> Conton_Requests_V1_MarkRequestReadResponse {
        let scope = try ClientScope.current(), principal = context.principal, threads = self.threads, today = self.today
        let reader = try MessageThreads.reader(principal)
        var r = Conton_Requests_V1_MarkRequestReadResponse()
        r.request = try await self.context.write { m in
            let row = try RequestStore.require(request.requestId, scope: scope, in: m.db)
            let id: Int64 = row[RequestStore.Column.id.rawValue]
            try threads.markRead(id, reader: reader, upToSequence: request.upToSequence, in: m.db)
            m.audit("request", String(id), "read marks of request nº \(row[RequestStore.Column.number.rawValue] as Int64)")
            return try answer(String(id), scope: scope, principal: principal, today: today, in: m.db)
        }
        return r
    }

    func convertToAttendance(request: Conton_Requests_V1_ConvertToAttendanceRequest, context: ServerContext) async throws -> Conton_Requests_V1_ConvertToAttendanceResponse {
        guard let opener = attendances else {
            throw ServiceError(.unimplemented, "turning a request into an attendance needs the attendances plugin, which this server does not run",
                               reason: "ATTENDANCES_PLUGIN_MISSING")
        }
        let principal = context.principal, threads = self.threads, today = self.today
        var r = Conton_Requests_V1_ConvertToAttendanceResponse()
        r.request = try await self.context.write { m in
            let row = try RequestStore.require(request.requestId, scope: .all, in: m.db)
            let id: Int64 = row[RequestStore.Column.id.rawValue], number: Int64 = row[RequestStore.Column.number.rawValue]
            if let existing = row[RequestStore.Column.attendanceNumber.rawValue] as Int64? {
                throw RequestStore.failedPrecondition(id, "request \(id) is attendance nº \(existing) already", reason: "REQUEST_CONVERTED")
            }
            // The attendance starts with what the client wrote (the request's first message).
            let first = try threads.page(id, after: 0, limit: 1, includeInternal: false, in: m.db).first?.text ?? ""
            let subject: String = row[RequestStore.Column.subject.rawValue]
            let opened = try opener.open(AttendanceOpening(clientID: row[RequestStore.Column.clientID.rawValue], subject: "Solicitação nº \(number): \(subject)",
                                                           origin: "request \(number)", department: request.department,
                                                           responsibleUserID: request.responsibleUserId, firstMessage: first), in: &m)
            try m.db.execute(sql: "UPDATE requests_request SET attendance_id = ?, attendance_number = ?, version = version + 1 WHERE id = ?",
                             arguments: [opened.id, opened.number, id])
            m.audit("request", String(id), "request nº \(number) turned into attendance nº \(opened.number)")
            return try answer(String(id), scope: .all, principal: principal, today: today, in: m.db)
        }
        return r
    }

    // MARK: Settings

    func getRequestSettings(request: Conton_Requests_V1_GetRequestSettingsRequest, context: ServerContext) async throws -> Conton_Requests_V1_GetRequestSettingsResponse {
        var r = Conton_Requests_V1_GetRequestSettingsResponse()
        r.settings.reminderEveryDays = try await self.context.read { db in try RequestStore.reminderEveryDays(in: db) }
        return r
    }

    func updateRequestSettings(request: Conton_Requests_V1_UpdateRequestSettingsRequest, context: ServerContext) async throws -> Conton_Requests_V1_UpdateRequestSettingsResponse {
        let days = request.settings.reminderEveryDays
        guard (0...30).contains(days) else { throw FieldErrors.single("settings.reminder_every_days", "must be 0 to 30") }
        try await self.context.write { m in
            try m.db.execute(sql: "UPDATE requests_settings SET reminder_every_days = ? WHERE id = 1", arguments: [days])
            m.audit("request_settings", "1", days == 0 ? "document reminders off" : "document reminders every \(days) day(s)")
        }
        var r = Conton_Requests_V1_UpdateRequestSettingsResponse()
        r.settings.reminderEveryDays = days
        return r
    }
}
