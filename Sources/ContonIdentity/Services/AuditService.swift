import ContonAPI
import ContonKit
import GRDB
import GRPCCore

/// `conton.audit.v1.Audit`: reading the audit log (owners and admins), newest first.
struct AuditService: Conton_Audit_V1_Audit.SimpleServiceProtocol {
    let context: PluginContext

    func listEvents(request: Conton_Audit_V1_ListEventsRequest, context: ServerContext) async throws -> Conton_Audit_V1_ListEventsResponse {
        let page = try Pagination(size: request.pageSize, token: request.pageToken, defaultSize: 100, maximum: 1000)
        var errors = FieldErrors()
        if request.fromMs < 0 { errors.add("from_ms", "must not be negative") }
        if request.toMs < 0 { errors.add("to_ms", "must not be negative") }
        if request.fromMs > 0 && request.toMs > 0 && request.toMs <= request.fromMs { errors.add("to_ms", "must be after from_ms") }
        var before = Int64.max
        if let after = page.after {
            if let id = Int64(after) { before = id } else { errors.add("page_token", "is not a token from a previous page") }
        }
        try errors.check()
        var conditions = ["id < ?"]
        var arguments: [(any DatabaseValueConvertible)?] = [before]
        if request.fromMs > 0 { conditions.append("at_ms >= ?"); arguments.append(request.fromMs) }
        if request.toMs > 0 { conditions.append("at_ms < ?"); arguments.append(request.toMs) }
        if !request.principalId.isEmpty { conditions.append("principal_id = ?"); arguments.append(request.principalId) }
        if !request.entityType.isEmpty { conditions.append("entity_type = ?"); arguments.append(request.entityType) }
        if !request.entityId.isEmpty { conditions.append("entity_id = ?"); arguments.append(request.entityId) }
        arguments.append(page.size)
        let sql = """
            SELECT id, at_ms, principal_kind, principal_id, principal_name, method, entity_type, entity_id, summary, peer
            FROM host_audit WHERE \(conditions.joined(separator: " AND ")) ORDER BY id DESC LIMIT ?
            """
        let statementArguments = StatementArguments(arguments)
        let events = try await self.context.read { db in
            try Row.fetchAll(db, sql: sql, arguments: statementArguments).map { row in
                var event = Conton_Audit_V1_AuditEvent()
                event.id = row["id"]
                event.atMs = row["at_ms"]
                event.principalKind = row["principal_kind"]
                event.principalId = row["principal_id"]
                event.principalName = row["principal_name"]
                event.method = row["method"]
                event.entityType = row["entity_type"]
                event.entityId = row["entity_id"]
                event.summary = row["summary"]
                event.peer = row["peer"]
                return event
            }
        }
        var response = Conton_Audit_V1_ListEventsResponse()
        response.events = events
        response.nextPageToken = page.nextToken(lastKey: events.last.map { String($0.id) }, returned: events.count)
        return response
    }
}
