import ClientsCapability
import ContonAPI
import ContonKit
import ContonThreads
import FilesCapability
import GRDB
import GRPCCore

/// `conton.attendances.v1.Attendances` (docs/ATTENDANCES.md).
struct AttendancesService: Conton_Attendances_V1_Attendances.SimpleServiceProtocol {
    typealias Record = Conton_Attendances_V1_Attendance
    typealias Status = Conton_Attendances_V1_AttendanceStatus

    let context: PluginContext
    let clients: any ClientRegistry
    let staff: any StaffDirectory
    let files: (any FileCatalog)?
    let threads: MessageThreads

    static let maxClients = 1_000

    var today: String { CivilDate.today(context.clock).description }

    /// The attendance `id` (as the caller may see it) after a change, for the caller.
    private func answer(_ id: String, scope: ClientScope, principal: Principal, today: String, now: Int64, in db: Database) throws -> Record {
        try AttendanceStore.messages([try AttendanceStore.require(id, scope: scope, in: db)], for: principal, clients: clients,
                                     threads: threads, today: today, now: now, in: db)[0]
    }

    /// Records `user` as responsible for `id` (the history GetAttendance shows).
    static func assign(_ id: Int64, to user: StaffSummary?, by principal: Principal?, in m: inout Mutation) throws {
        try m.db.cachedStatement(sql: """
            INSERT INTO attendances_assignment (attendance_id, responsible_user_id, responsible_name, at_ms, by) VALUES (?, ?, ?, ?, ?)
            """).execute(arguments: [id, user?.id ?? "", user?.displayName ?? "", m.now, principal?.displayName ?? "ContOn"])
    }

    // MARK: Open

    func openAttendances(request: Conton_Attendances_V1_OpenAttendancesRequest, context: ServerContext) async throws -> Conton_Attendances_V1_OpenAttendancesResponse {
        let ids = request.clientIds.isEmpty && !request.attendance.clientId.isEmpty ? [request.attendance.clientId] : request.clientIds
        var errors = FieldErrors()
        if ids.isEmpty { errors.add("client_ids", "name at least one client (or attendance.client_id)") }
        if ids.count > Self.maxClients { errors.add("client_ids", "at most \(Self.maxClients) clients at once") }
        if ids.count > 1 && !request.firstMessage.attachmentFileIds.isEmpty {
            errors.add("first_message.attachment_file_ids", "attach files to each attendance once it is open, not to many at once")
        }
        if request.idempotencyKey.count > 180 { errors.add("idempotency_key", "must have at most 180 characters") }
        try errors.check()
        let principal = context.principal, clients = self.clients, staff = self.staff, files = self.files, threads = self.threads
        let today = self.today, key = request.idempotencyKey
        var response = Conton_Attendances_V1_OpenAttendancesResponse()
        response.attendances = try await self.context.write { m in
            var draft = try AttendanceDraft.validate(request.attendance, field: "attendance", staff: staff, in: m.db)
            if draft.responsible == nil, request.attendance.responsibleUserId.isEmpty, case .staff(let me) = principal,
               let user = try staff.staffUser(id: me.userID, in: m.db), !user.disabled {
                draft.responsible = user
            }
            let found = try clients.clients(ids: ids, in: m.db)
            var errors = FieldErrors()
            var seen = Set<String>()
            for (i, id) in ids.enumerated() {
                let field = ids.count == 1 && request.clientIds.isEmpty ? "attendance.client_id" : "client_ids[\(i)]"
                if id.isEmpty { errors.add(field, "is required") }
                else if !seen.insert(id).inserted { errors.add(field, "client \(id) is named twice") }
                else if let c = found[id] { if c.archived { errors.add(field, "client \(c.name) is archived; restore it first") } }
                else { errors.add(field, "no client \(id)") }
            }
            var first: MessageThreads.Draft?
            let hasFirst = !request.firstMessage.text.isEmpty || !request.firstMessage.attachmentFileIds.isEmpty
            if hasFirst, errors.isEmpty {
                first = try threads.validate(request.firstMessage, clientID: ids[0], by: principal, files: files, field: "first_message", in: m.db)
            }
            try errors.check()
            var opened: [Int64] = []
            for id in ids {
                let clientKey = key.isEmpty ? "" : "\(key):\(id)"
                if !clientKey.isEmpty, let existing = try Int64.fetchOne(m.db, sql: "SELECT id FROM attendances_attendance WHERE idempotency_key = ?",
                                                                         arguments: [clientKey]) {
                    opened.append(existing)
                    continue
                }
                opened.append(try Self.insert(draft, clientID: id, origin: "", key: clientKey, first: first, by: principal, threads: threads,
                                              files: files, in: &m).id)
            }
            let rows = try opened.map { try AttendanceStore.require(String($0), scope: .all, in: m.db) }
            return try AttendanceStore.messages(rows, for: principal, clients: clients, threads: threads, today: today, now: m.now, in: m.db)
        }
        return response
    }

    /// Inserts one attendance of `draft` for client `clientID` — its responsible history, its
    /// `attendance.opened`, its first message, its audit entry; returns its id and number.
    static func insert(_ draft: AttendanceDraft, clientID: String, origin: String, key: String, first: MessageThreads.Draft?,
                       by principal: Principal, threads: MessageThreads, files: (any FileCatalog)?,
                       in m: inout Mutation) throws -> (id: Int64, number: Int64) {
        let number = (try Int64.fetchOne(try m.db.cachedStatement(sql: "SELECT max(number) FROM attendances_attendance")) ?? 0) + 1
        try m.db.cachedStatement(sql: """
            INSERT INTO attendances_attendance (number, client_id, channel, department, subject, priority, status, responsible_user_id,
              responsible_name, deadline, visible, opened_at_ms, opened_by, idempotency_key, origin)
            VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [number, clientID, draft.channel.rawValue, draft.department.rawValue, draft.subject, draft.priority.rawValue,
                                     draft.responsible?.id ?? "", draft.responsible?.displayName ?? "", draft.deadline, draft.visible,
                                     m.now, principal.displayName, key.isEmpty ? nil : key, origin])
        let attendance = m.db.lastInsertedRowID
        if draft.responsible != nil { try assign(attendance, to: draft.responsible, by: principal, in: &m) }
        try m.publish(AttendanceOpened(attendanceID: String(attendance), clientID: clientID, number: number, subject: draft.subject,
                                       responsibleUserID: draft.responsible?.id ?? "", visibleToClient: draft.visible))
        if let first {
            try post(first, on: attendance, clientID: clientID, by: principal, threads: threads, files: files,
                     responsible: draft.responsible?.id ?? "", in: &m)
        }
        m.audit("attendance", String(attendance), "opened attendance nº \(number) for client \(clientID): \(draft.subject)"
                + (origin.isEmpty ? "" : " (from \(origin))"))
        return (attendance, number)
    }

    /// Appends `draft` to attendance `id`'s thread and keeps the attendance's clock: the office's
    /// first message the client receives is the first answer; a client's message on one
    /// WAITING_CLIENT brings it back to IN_PROGRESS.
    @discardableResult
    static func post(_ draft: MessageThreads.Draft, on id: Int64, clientID: String, by principal: Principal, threads: MessageThreads,
                     files: (any FileCatalog)?, responsible: String, in m: inout Mutation) throws -> MessageThreads.Message {
        let message = try threads.append(draft, to: id, clientID: clientID, by: principal, files: files, at: m.now, in: m.db)
        if message.authorKind == .staff && !message.internal {
            try m.db.execute(sql: "UPDATE attendances_attendance SET first_answer_at_ms = ? WHERE id = ? AND first_answer_at_ms IS NULL",
                             arguments: [m.now, id])
        }
        if message.authorKind == .client {
            try m.db.execute(sql: """
                UPDATE attendances_attendance SET status = 2, waiting_total_ms = waiting_total_ms + (? - waiting_since_ms), waiting_since_ms = NULL
                WHERE id = ? AND status = 3
                """, arguments: [m.now, id])
        }
        try m.db.execute(sql: "UPDATE attendances_attendance SET version = version + 1 WHERE id = ?", arguments: [id])
        let kind = switch message.authorKind { case .staff: "staff"; case .client: "client"; default: "system" }
        let visible = try Bool.fetchOne(m.db, sql: "SELECT visible FROM attendances_attendance WHERE id = ?", arguments: [id]) ?? false
        try m.publish(AttendanceMessage(attendanceID: String(id), clientID: clientID, sequence: message.sequence, authorKind: kind,
                                        internal: message.internal, responsibleUserID: responsible, visibleToClient: visible))
        return message
    }

    // MARK: Read

    func getAttendance(request: Conton_Attendances_V1_GetAttendanceRequest, context: ServerContext) async throws -> Conton_Attendances_V1_GetAttendanceResponse {
        let scope = try ClientScope.current(), principal = context.principal, today = self.today, now = self.context.clock.nowMilliseconds
        return try await self.context.read { db in
            var r = Conton_Attendances_V1_GetAttendanceResponse()
            r.attendance = try answer(request.attendanceId, scope: scope, principal: principal, today: today, now: now, in: db)
            if scope == .all {
                r.assignments = try Row.fetchAll(db, sql: """
                    SELECT responsible_user_id, responsible_name, at_ms, by FROM attendances_assignment WHERE attendance_id = ? ORDER BY id
                    """, arguments: [Int64(r.attendance.id)!]).map { row in
                    var a = Conton_Attendances_V1_Assignment()
                    (a.responsibleUserId, a.responsibleName, a.atMs, a.by) = (row[0], row[1], row[2], row[3])
                    return a
                }
            }
            return r
        }
    }

    func listAttendances(request: Conton_Attendances_V1_ListAttendancesRequest, context: ServerContext) async throws -> Conton_Attendances_V1_ListAttendancesResponse {
        let scope = try ClientScope.current(), principal = context.principal, today = self.today, now = self.context.clock.nowMilliseconds
        let page = try Pagination(size: request.pageSize, token: request.pageToken)
        let query = try AttendanceQuery(request, scope: scope, page: page, today: today)
        let clients = self.clients, threads = self.threads
        return try await self.context.read { db in
            let rows = try Row.fetchAll(db, sql: query.sql, arguments: query.arguments)
            var r = Conton_Attendances_V1_ListAttendancesResponse()
            r.attendances = try AttendanceStore.messages(rows, for: principal, clients: clients, threads: threads, today: today, now: now, in: db)
            r.nextPageToken = page.nextToken(lastKey: rows.last.map { String($0[AttendanceStore.Column.id.rawValue] as Int64) }, returned: rows.count)
            r.counts = try Row.fetchAll(db, sql: query.countsSQL, arguments: query.countsArguments).map { row in
                var c = Conton_Attendances_V1_StatusCount()
                c.status = .init(rawValue: row[0])
                c.count = row[1]
                return c
            }
            return r
        }
    }

    // MARK: Change

    func updateAttendance(request: Conton_Attendances_V1_UpdateAttendanceRequest, context: ServerContext) async throws -> Conton_Attendances_V1_UpdateAttendanceResponse {
        let update = request.attendance, paths = request.updateMask.paths
        let editable: Set<String> = ["channel", "department", "subject", "priority", "responsible_user_id", "deadline", "visible_to_client"]
        var errors = FieldErrors()
        if paths.isEmpty { errors.add("update_mask", "name the fields to change: \(editable.sorted().joined(separator: ", "))") }
        for (i, p) in paths.enumerated() where !editable.contains(p) { errors.add("update_mask[\(i)]", "'\(p)' cannot be changed") }
        try errors.check()
        let principal = context.principal, clients = self.clients, staff = self.staff, threads = self.threads, today = self.today
        var r = Conton_Attendances_V1_UpdateAttendanceResponse()
        r.attendance = try await self.context.write { m in
            let row = try AttendanceStore.require(update.id, scope: .all, in: m.db)
            let id: Int64 = row[AttendanceStore.Column.id.rawValue]
            if update.version != 0 && update.version != (row[AttendanceStore.Column.version.rawValue] as Int64) {
                throw ServiceError(.aborted, "attendance \(id) changed since version \(update.version) was read; read it again",
                                   reason: "VERSION_MISMATCH", resource: ErrorDetails.Resource(type: AttendanceStore.resourceType, name: String(id)))
            }
            var merged = AttendanceStore.message(row, client: nil, counters: .init(), forClient: false, today: today, now: m.now)
            if paths.contains("channel") { merged.channel = update.channel }
            if paths.contains("department") { merged.department = update.department }
            if paths.contains("subject") { merged.subject = update.subject }
            if paths.contains("priority") { merged.priority = update.priority }
            if paths.contains("responsible_user_id") { merged.responsibleUserId = update.responsibleUserId }
            if paths.contains("deadline") { merged.deadline = update.deadline }
            if paths.contains("visible_to_client") { merged.visibleToClient = update.visibleToClient }
            let draft = try AttendanceDraft.validate(merged, field: "attendance", staff: staff, in: m.db)
            let before: String = row[AttendanceStore.Column.responsibleUserID.rawValue]
            let deadlineBefore: String = row[AttendanceStore.Column.deadline.rawValue]
            try m.db.execute(sql: """
                UPDATE attendances_attendance SET channel = ?, department = ?, subject = ?, priority = ?, responsible_user_id = ?,
                  responsible_name = ?, deadline = ?, visible = ?, version = version + 1,
                  overdue_notified_at_ms = CASE WHEN ? THEN NULL ELSE overdue_notified_at_ms END
                WHERE id = ?
                """, arguments: [draft.channel.rawValue, draft.department.rawValue, draft.subject, draft.priority.rawValue, draft.responsible?.id ?? "",
                                 draft.responsible?.displayName ?? "", draft.deadline, draft.visible, draft.deadline != deadlineBefore, id])
            if (draft.responsible?.id ?? "") != before { try Self.assign(id, to: draft.responsible, by: principal, in: &m) }
            m.audit("attendance", String(id), "updated attendance nº \(row[AttendanceStore.Column.number.rawValue] as Int64) (\(paths.joined(separator: ", ")))")
            return try AttendanceStore.messages([try AttendanceStore.require(String(id), scope: .all, in: m.db)], for: principal, clients: clients,
                                                threads: threads, today: today, now: m.now, in: m.db)[0]
        }
        return r
    }

    func changeAttendanceStatus(request: Conton_Attendances_V1_ChangeAttendanceStatusRequest, context: ServerContext) async throws -> Conton_Attendances_V1_ChangeAttendanceStatusResponse {
        let to = request.status
        guard [.open, .inProgress, .waitingClient, .closed, .cancelled].contains(to) else {
            throw FieldErrors.single("status", "must be OPEN, IN_PROGRESS, WAITING_CLIENT, CLOSED or CANCELLED")
        }
        let principal = context.principal, clients = self.clients, threads = self.threads, today = self.today
        var r = Conton_Attendances_V1_ChangeAttendanceStatusResponse()
        r.attendance = try await self.context.write { m in
            let row = try AttendanceStore.require(request.attendanceId, scope: .all, in: m.db)
            let id: Int64 = row[AttendanceStore.Column.id.rawValue]
            let from = Status(rawValue: row[AttendanceStore.Column.status.rawValue])
            if from != to {
                try AttendanceTransition.apply(from: from, to: to, id: id, in: &m)
                m.audit("attendance", String(id), "attendance nº \(row[AttendanceStore.Column.number.rawValue] as Int64): \(from) → \(to)")
            }
            return try AttendanceStore.messages([try AttendanceStore.require(String(id), scope: .all, in: m.db)], for: principal, clients: clients,
                                                threads: threads, today: today, now: m.now, in: m.db)[0]
        }
        return r
    }

    // MARK: Thread

    func postAttendanceMessage(request: Conton_Attendances_V1_PostAttendanceMessageRequest, context: ServerContext) async throws -> Conton_Attendances_V1_PostAttendanceMessageResponse {
        let scope = try ClientScope.current(), principal = context.principal
        let files = self.files, threads = self.threads, today = self.today
        return try await self.context.write { m in
            let row = try AttendanceStore.require(request.attendanceId, scope: scope, in: m.db)
            let id: Int64 = row[AttendanceStore.Column.id.rawValue], clientID: String = row[AttendanceStore.Column.clientID.rawValue]
            let status = Status(rawValue: row[AttendanceStore.Column.status.rawValue])
            guard AttendanceStore.active.contains(status) else {
                throw AttendanceStore.failedPrecondition(id, "attendance \(id) is \(status == .closed ? "closed" : "cancelled"); reopen it first",
                                                         reason: "ATTENDANCE_CLOSED")
            }
            let draft = try threads.validate(request.message, clientID: clientID, by: principal, files: files, in: m.db)
            var r = Conton_Attendances_V1_PostAttendanceMessageResponse()
            r.message = try Self.post(draft, on: id, clientID: clientID, by: principal, threads: threads, files: files,
                                      responsible: row[AttendanceStore.Column.responsibleUserID.rawValue], in: &m)
            m.audit("attendance", String(id), "\(r.message.internal ? "internal note" : "message") \(r.message.sequence) on attendance nº \(row[AttendanceStore.Column.number.rawValue] as Int64)")
            r.attendance = try answer(String(id), scope: scope, principal: principal, today: today, now: m.now, in: m.db)
            return r
        }
    }

    func listAttendanceMessages(request: Conton_Attendances_V1_ListAttendanceMessagesRequest, context: ServerContext) async throws -> Conton_Attendances_V1_ListAttendanceMessagesResponse {
        let scope = try ClientScope.current(), threads = self.threads
        let page = try MessageThreads.Page(size: request.pageSize, token: request.pageToken)
        return try await self.context.read { db in
            let row = try AttendanceStore.require(request.attendanceId, scope: scope, in: db)
            var r = Conton_Attendances_V1_ListAttendanceMessagesResponse()
            (r.messages, r.nextPageToken) = try threads.page(row[AttendanceStore.Column.id.rawValue], page, includeInternal: scope == .all, in: db)
            return r
        }
    }

    func markAttendanceRead(request: Conton_Attendances_V1_MarkAttendanceReadRequest, context: ServerContext) async throws -> Conton_Attendances_V1_MarkAttendanceReadResponse {
        let scope = try ClientScope.current(), principal = context.principal, threads = self.threads, today = self.today
        let reader = try MessageThreads.reader(principal)
        var r = Conton_Attendances_V1_MarkAttendanceReadResponse()
        r.attendance = try await self.context.write { m in
            let row = try AttendanceStore.require(request.attendanceId, scope: scope, in: m.db)
            let id: Int64 = row[AttendanceStore.Column.id.rawValue]
            try threads.markRead(id, reader: reader, upToSequence: request.upToSequence, in: m.db)
            m.audit("attendance", String(id), "read marks of attendance nº \(row[AttendanceStore.Column.number.rawValue] as Int64)")
            return try answer(String(id), scope: scope, principal: principal, today: today, now: m.now, in: m.db)
        }
        return r
    }
}
