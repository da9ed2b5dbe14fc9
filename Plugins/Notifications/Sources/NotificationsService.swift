import ContonAPI
import ContonKit
import GRDB
import GRPCCore
import ServiceLifecycle

/// `conton.notifications.v1.Notifications` (docs/NOTIFICATIONS.md): every method acts on the
/// caller's own notifications — the rows whose recipient is the calling staff user or client login.
struct NotificationsService: Conton_Notifications_V1_Notifications.SimpleServiceProtocol {
    typealias Kind = Conton_Notifications_V1_NotificationKind

    let context: PluginContext
    let hub: NotificationHub

    /// Rows per subscription message.
    static let batch = 200

    /// The caller as a recipient: a staff user or a client login (the access rules let no one else in).
    static func recipient(_ context: ServerContext) throws(RPCError) -> String {
        switch context.principal {
        case .staff(let s): s.userID
        case .client(let c): c.userID
        default: throw RPCError(code: .permissionDenied, message: "notifications belong to staff users and client logins")
        }
    }

    /// A kind of a request: UNSPECIFIED (all) or one of the seven.
    static func kind(_ kind: Kind, field: String, errors: inout FieldErrors) -> Kind? {
        switch kind {
        case .unspecified: return nil
        case .unrecognized(let n):
            errors.add(field, "is not a notification kind (\(n))")
            return nil
        default: return kind
        }
    }

    // MARK: Reading

    func listNotifications(request: Conton_Notifications_V1_ListNotificationsRequest, context: ServerContext) async throws -> Conton_Notifications_V1_ListNotificationsResponse {
        let me = try Self.recipient(context)
        var errors = FieldErrors()
        let kind = Self.kind(request.kind, field: "kind", errors: &errors)
        try errors.check()
        let page = try Pagination(size: request.pageSize, token: request.pageToken, defaultSize: 50, maximum: 200)
        // The page key: "<1 unread | 0 read>:<id>".
        let after = try page.after.map { key throws(RPCError) -> (unread: Int, id: Int64) in
            let parts = key.split(separator: ":")
            guard parts.count == 2, let u = Int(parts[0]), let id = Int64(parts[1]), u == 0 || u == 1 else {
                throw FieldErrors.single("page_token", "is not a token from a previous page")
            }
            return (u, id)
        }
        return try await self.context.read { db in
            var sql = "SELECT \(NotificationStore.columns), (read_at_ms IS NULL) AS unread FROM notifications_notification WHERE recipient_id = ? AND in_app = 1"
            var arguments: StatementArguments = [me]
            if let kind {
                sql += " AND kind = ?"
                arguments += [kind.rawValue]
            }
            if request.unreadOnly { sql += " AND read_at_ms IS NULL" }
            if !request.includeResolved { sql += " AND resolved_at_ms IS NULL" }
            if let after {
                sql += " AND ((read_at_ms IS NULL) < ? OR ((read_at_ms IS NULL) = ? AND id < ?))"
                arguments += [after.unread, after.unread, after.id]
            }
            sql += " ORDER BY (read_at_ms IS NULL) DESC, id DESC LIMIT ?"
            arguments += [page.size]
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
            var r = Conton_Notifications_V1_ListNotificationsResponse()
            r.notifications = rows.map(NotificationStore.record)
            r.nextPageToken = page.nextToken(lastKey: rows.last.map { "\($0["unread"] as Int):\($0[0] as Int64)" }, returned: rows.count)
            r.counts = try NotificationStore.counts(of: me, in: db)
            r.cursor = try NotificationStore.state(in: db).cursor.description
            return r
        }
    }

    func getUnreadCounts(request: Conton_Notifications_V1_GetUnreadCountsRequest, context: ServerContext) async throws -> Conton_Notifications_V1_GetUnreadCountsResponse {
        let me = try Self.recipient(context)
        return try await self.context.read { db in
            var r = Conton_Notifications_V1_GetUnreadCountsResponse()
            r.counts = try NotificationStore.counts(of: me, in: db)
            r.cursor = try NotificationStore.state(in: db).cursor.description
            return r
        }
    }

    // MARK: Marking read

    func markRead(request: Conton_Notifications_V1_MarkReadRequest, context: ServerContext) async throws -> Conton_Notifications_V1_MarkReadResponse {
        let me = try Self.recipient(context)
        var errors = FieldErrors()
        if request.notificationIds.isEmpty || request.notificationIds.count > 500 { errors.add("notification_ids", "must list 1 to 500 ids") }
        var ids: [Int64] = []
        for (i, text) in request.notificationIds.enumerated() {
            if let id = Int64(text), id > 0 { ids.append(id) } else { errors.add("notification_ids[\(i)]", "is not a notification id") }
        }
        try errors.check()
        let asked = ids
        let wanted = Array(Set(ids))
        let hub = self.hub
        return try await self.context.write { m in
            let marks = wanted.map { _ in "?" }.joined(separator: ", ")
            let found = try Row.fetchAll(m.db, sql: """
                SELECT id, read_at_ms IS NULL FROM notifications_notification WHERE recipient_id = ? AND in_app = 1 AND id IN (\(marks))
                """, arguments: StatementArguments([me] + wanted.map { $0 as any DatabaseValueConvertible }))
            let known = Set(found.map { $0[0] as Int64 })
            // Another user's notification is as absent as one that never was.
            if let missing = asked.first(where: { !known.contains($0) }) {
                throw ServiceError.notFound("notification", String(missing), type: "conton.notifications.v1.Notification")
            }
            let unread = found.filter { $0[1] as Bool }.map { $0[0] as Int64 }
            try NotificationStore.markRead(unread, at: m.now, in: m.db)
            let marked = Int32(unread.count)
            if marked > 0 {
                m.audit("notification", me, "marked \(marked) notification(s) read")
                m.db.afterNextTransaction { _ in hub.wake([me]) }
            }
            var r = Conton_Notifications_V1_MarkReadResponse()
            r.marked = marked
            r.counts = try NotificationStore.counts(of: me, in: m.db)
            return r
        }
    }

    func markAllRead(request: Conton_Notifications_V1_MarkAllReadRequest, context: ServerContext) async throws -> Conton_Notifications_V1_MarkAllReadResponse {
        let me = try Self.recipient(context)
        var errors = FieldErrors()
        let kind = Self.kind(request.kind, field: "kind", errors: &errors)
        try errors.check()
        let hub = self.hub
        return try await self.context.write { m in
            var sql = "SELECT id FROM notifications_notification WHERE recipient_id = ? AND in_app = 1 AND read_at_ms IS NULL"
            var arguments: StatementArguments = [me]
            if let kind {
                sql += " AND kind = ?"
                arguments += [kind.rawValue]
            }
            let ids = try Int64.fetchAll(m.db, sql: sql + " ORDER BY id", arguments: arguments)
            try NotificationStore.markRead(ids, at: m.now, in: m.db)
            if !ids.isEmpty {
                m.audit("notification", me, "marked all \(ids.count) " + (kind.map { "\($0)" } ?? "") + " notification(s) read")
                m.db.afterNextTransaction { _ in hub.wake([me]) }
            }
            var r = Conton_Notifications_V1_MarkAllReadResponse()
            r.marked = Int32(ids.count)
            r.counts = try NotificationStore.counts(of: me, in: m.db)
            return r
        }
    }

    // MARK: Live

    /// One message of the stream: the rows past `cursor` (at most ``batch``), split into new and
    /// changed, the counts and the new cursor; nil when nothing passed `cursor`.
    static func changes(of me: String, after cursor: Int64, epoch: String, in db: Database) throws -> Conton_Notifications_V1_SubscribeResponse? {
        let rows = try Row.fetchAll(db, sql: """
            SELECT \(NotificationStore.columns) FROM notifications_notification
            WHERE recipient_id = ? AND in_app = 1 AND seq > ? ORDER BY seq LIMIT ?
            """, arguments: [me, cursor, batch])
        guard let last = rows.last else { return nil }
        var r = Conton_Notifications_V1_SubscribeResponse()
        for row in rows {
            if row[11] as Int64 > cursor { r.notifications.append(NotificationStore.record(row)) } else { r.changed.append(NotificationStore.record(row)) }
        }
        r.counts = try NotificationStore.counts(of: me, in: db)
        // Past the last row sent; when the batch is full the next message goes on from there.
        let state = try NotificationStore.state(in: db)
        r.cursor = NotificationCursor(epoch: epoch, seq: rows.count < batch ? state.lastSeq : last[12]).description
        return r
    }

    func subscribe(request: Conton_Notifications_V1_SubscribeRequest, response: RPCWriter<Conton_Notifications_V1_SubscribeResponse>,
                   context: ServerContext) async throws {
        let me = try Self.recipient(context)
        let requested = request.cursor.isEmpty ? nil : try NotificationCursor.parse(request.cursor)
        // Registered before the first read: a commit after it wakes this stream, one before it is read.
        let (token, signals) = hub.register(me)
        defer { hub.unregister(me, token: token) }
        let (start, stale) = try await self.context.read { db -> (NotificationCursor, Bool) in
            let state = try NotificationStore.state(in: db)
            guard let requested else { return (state.cursor, false) }
            if requested.epoch != state.epoch || requested.seq > state.lastSeq || requested.seq < state.prunedSeq {
                return (NotificationCursor(epoch: state.epoch, seq: 0), true)
            }
            return (requested, false)
        }
        let epoch = start.epoch
        // The first message: where the stream starts, and what happened since the cursor.
        var first = try await self.context.read { db in
            if let changes = try Self.changes(of: me, after: start.seq, epoch: epoch, in: db) { return changes }
            var r = Conton_Notifications_V1_SubscribeResponse()
            r.counts = try NotificationStore.counts(of: me, in: db)
            r.cursor = start.description
            return r
        }
        first.cursorStale = stale
        try await response.write(first)
        var cursor = try NotificationCursor.parse(first.cursor).seq
        try await send(me, from: &cursor, epoch: epoch, to: response)

        // Until the caller goes away, or the server shuts down gracefully (the stream then ends
        // with OK; the client resumes from its cursor on another connection).
        // gRPC tells of a cancelled RPC (the client went away, a deadline, the transport shutting
        // down) through the handle, not always by cancelling this task: ending the signals ends
        // the loop.
        let resume = cursor
        let hub = self.hub
        do {
            try await withRPCCancellationHandler {
                try await cancelWhenGracefulShutdown { try await live(me, from: resume, epoch: epoch, signals: signals, to: response) }
            } onCancelRPC: {
                hub.unregister(me, token: token)
            }
        } catch is CancellationError {
            return
        }
    }

    private func live(_ me: String, from start: Int64, epoch: String, signals: AsyncStream<NotificationHub.Signal>,
                      to response: RPCWriter<Conton_Notifications_V1_SubscribeResponse>) async throws {
        var cursor = start
        for await signal in signals {
            let sent = try await send(me, from: &cursor, epoch: epoch, generation: hub.generation(of: me), to: response)
            if sent == 0 && signal == .heartbeat {
                var beat = Conton_Notifications_V1_SubscribeResponse()
                beat.heartbeat = true
                beat.cursor = NotificationCursor(epoch: epoch, seq: cursor).description
                try await response.write(beat)
            }
        }
    }

    /// Sends every change past `cursor`, in messages of at most ``batch`` rows; returns how many
    /// messages went.
    /// `generation`: the recipient's wake-up count when the signal being answered arrived (nil:
    /// the read is not shared).
    @discardableResult
    private func send(_ me: String, from cursor: inout Int64, epoch: String, generation: UInt64? = nil,
                      to response: RPCWriter<Conton_Notifications_V1_SubscribeResponse>) async throws -> Int {
        var sent = 0
        let context = self.context
        while true {
            let after = cursor
            let read: @Sendable () async throws -> Conton_Notifications_V1_SubscribeResponse? = {
                try await context.read { db in try Self.changes(of: me, after: after, epoch: epoch, in: db) }
            }
            let found = if let generation { try await hub.sharedRead(me, after: after, generation: generation, read) } else { try await read() }
            guard let message = found else { return sent }
            try await response.write(message)
            cursor = try NotificationCursor.parse(message.cursor).seq
            sent += 1
        }
    }

    // MARK: Preferences

    func getPreferences(request: Conton_Notifications_V1_GetPreferencesRequest, context: ServerContext) async throws -> Conton_Notifications_V1_Preferences {
        let me = try Self.recipient(context)
        return try await self.context.read { db in try NotificationStore.preferences(of: me, in: db) }
    }

    func updatePreferences(request: Conton_Notifications_V1_UpdatePreferencesRequest, context: ServerContext) async throws -> Conton_Notifications_V1_Preferences {
        let me = try Self.recipient(context)
        var errors = FieldErrors()
        var seen = Set<Int32>()
        var choices: [(Kind, Conton_Notifications_V1_Channel)] = []
        for (i, k) in request.kinds.enumerated() {
            switch k.kind {
            case .unspecified, .unrecognized: errors.add("kinds[\(i)].kind", "must be one of the seven notification kinds")
            default:
                if !seen.insert(k.kind.rawValue).inserted { errors.add("kinds[\(i)].kind", "is listed twice") }
            }
            switch k.channel {
            case .unspecified, .unrecognized: errors.add("kinds[\(i)].channel", "must be IN_APP, EMAIL, BOTH or NONE")
            default: break
            }
            choices.append((k.kind, k.channel))
        }
        let chosen = choices
        if !(0...23).contains(request.digestHour) { errors.add("digest_hour", "must be an hour from 0 to 23") }
        try errors.check()
        return try await self.context.write { m in
            for (kind, channel) in chosen {
                try m.db.execute(sql: "INSERT INTO notifications_preference (user_id, kind, channel) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET channel = excluded.channel",
                                 arguments: [me, kind.rawValue, channel.rawValue])
            }
            try m.db.execute(sql: """
                INSERT INTO notifications_digest (user_id, enabled, hour) VALUES (?, ?, ?)
                ON CONFLICT DO UPDATE SET enabled = excluded.enabled, hour = excluded.hour
                """, arguments: [me, request.digestEnabled, request.digestHour])
            m.audit("notification_preferences", me, "updated notification preferences (\(chosen.count) kind(s); digest "
                    + (request.digestEnabled ? "at \(request.digestHour) h)" : "off)"))
            return try NotificationStore.preferences(of: me, in: m.db)
        }
    }
}
