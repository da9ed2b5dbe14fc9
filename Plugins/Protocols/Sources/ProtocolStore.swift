import ContonAPI
import ContonBrazil
import ContonKit
import GRDB

/// Protocols and their items as rows and as API messages, inside the caller's transaction.
enum ProtocolStore {
    typealias Record = Conton_Protocols_V1_Protocol
    typealias Item = Conton_Protocols_V1_ProtocolItem
    typealias Status = Conton_Protocols_V1_ProtocolStatus

    static let resourceType = "conton.protocols.v1.Protocol"

    /// Statuses whose protocol still waits for the client.
    static let open: Set<Status> = [.sent, .viewed]

    /// The portal's order key: SENT (unseen) first, then the others; newest sent first within each.
    static func portalSort(status: Status, sentAtMs: Int64?) -> Int64? {
        guard status != .draft, let sent = sentAtMs else { return nil }
        let rank: Int64 = status == .sent ? 0 : 1
        return rank * 100_000_000_000_000 + (99_999_999_999_999 - sent)
    }

    static func message(_ row: Row, items: [Item], client: ClientFacts?, today: String) -> Record {
        var p = Record()
        p.id = String(row["id"] as Int64)
        p.number = row["number"]
        p.clientId = row["client_id"]
        p.clientName = client?.name ?? ""
        p.clientDocumentFormatted = client?.documentFormatted ?? ""
        p.title = row["title"]
        p.message = row["message"]
        p.delivery.method = .init(rawValue: row["delivery_method"])
        p.delivery.receiverName = row["receiver_name"]
        p.delivery.receiverDocument = row["receiver_document"]
        p.delivery.otherDescription = row["other_description"]
        p.status = Status(rawValue: row["status"])
        p.firstDueDate = row["first_due_date"]
        let waiting = open.contains(p.status)
        p.overdue = waiting && !p.firstDueDate.isEmpty && p.firstDueDate < today
        p.items = items.map { item in
            var item = item
            item.overdue = waiting && !item.dueDate.isEmpty && item.dueDate < today
            return item
        }
        p.createdAtMs = row["created_at_ms"]
        p.createdBy = row["created_by"]
        p.sentAtMs = row["sent_at_ms"] ?? 0
        p.firstViewedAtMs = row["first_viewed_at_ms"] ?? 0
        p.acknowledgedAtMs = row["acknowledged_at_ms"] ?? 0
        p.acknowledgementComment = row["ack_comment"]
        p.closingReason = row["closing_reason"]
        p.closedAtMs = row["closed_at_ms"] ?? 0
        p.evidenceCount = row["evidence_count"]
        p.evidenceHeadSha256 = row["evidence_head"]
        p.version = row["version"]
        return p
    }

    static func items(of ids: [Int64], in db: Database) throws -> [Int64: [Item]] {
        guard !ids.isEmpty else { return [:] }
        var out: [Int64: [Item]] = [:]
        let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
        for row in try Row.fetchAll(db, sql: """
            SELECT i.*, t.name AS type_name, t.kind AS type_kind FROM protocols_item i JOIN protocols_doc_type t ON t.id = i.doc_type_id
            WHERE i.protocol_id IN (\(marks)) ORDER BY i.protocol_id, i.position
            """, arguments: StatementArguments(ids)) {
            var item = Item()
            item.id = String(row["id"] as Int64)
            item.documentTypeId = String(row["doc_type_id"] as Int64)
            item.documentTypeName = row["type_name"]
            item.documentKind = .init(rawValue: row["type_kind"])
            item.description = row["description"]
            item.competence = row["competence"]
            item.dueDate = row["due_date"]
            item.amountCents = row["amount_cents"]
            item.fileId = row["file_id"]
            item.fileName = row["file_name"]
            item.fileSize = row["file_size"]
            item.fileSha256 = row["file_sha256"]
            out[row["protocol_id"], default: []].append(item)
        }
        return out
    }

    /// The rows as messages, with their items and clients, in the rows' order.
    static func messages(_ rows: [Row], clients: ClientDirectory, today: String, in db: Database) throws -> [Record] {
        let ids = rows.map { $0["id"] as Int64 }
        let items = try items(of: ids, in: db)
        var cache: [String: ClientFacts?] = [:]
        return try rows.map { row in
            let clientID: String = row["client_id"]
            if cache[clientID] == nil { cache[clientID] = .some(try clients.facts(clientID, in: db)) }
            return message(row, items: items[row["id"]] ?? [], client: cache[clientID] ?? nil, today: today)
        }
    }

    static func row(_ id: String, in db: Database) throws -> Row? {
        guard let key = Int64(id) else { return nil }
        return try Row.fetchOne(db, sql: "SELECT * FROM protocols_protocol WHERE id = ?", arguments: [key])
    }

    /// Protocol `id` as the caller may see it: NOT_FOUND when there is none, when it is another
    /// client's, or when a client asks for a draft (all the same answer).
    static func require(_ id: String, scope: ClientScope, in db: Database) throws -> Row {
        guard !id.isEmpty else { throw FieldErrors.single("protocol_id", "is required") }
        guard let row = try row(id, in: db), scope.contains(row["client_id"]),
              scope == .all || Status(rawValue: row["status"]) != .draft else {
            throw ServiceError.notFound("protocol", id, type: resourceType)
        }
        return row
    }

    static func get(_ id: String, scope: ClientScope, clients: ClientDirectory, today: String, in db: Database) throws -> Record {
        try messages([try require(id, scope: scope, in: db)], clients: clients, today: today, in: db)[0]
    }

    static func failedPrecondition(_ id: Int64, _ message: String, reason: String) -> ServiceError {
        ServiceError(.failedPrecondition, message, reason: reason, resource: ErrorDetails.Resource(type: resourceType, name: String(id)))
    }

    /// Replaces protocol `id`'s items with `items` (validated) and sets its first due date.
    static func writeItems(_ items: [ValidItem], of id: Int64, in db: Database) throws {
        try db.execute(sql: "DELETE FROM protocols_item WHERE protocol_id = ?", arguments: [id])
        for (position, item) in items.enumerated() {
            try db.execute(sql: """
                INSERT INTO protocols_item (protocol_id, position, doc_type_id, description, competence, due_date, amount_cents,
                  file_id, file_name, file_size, file_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, position, item.typeID, item.description, item.competence, item.dueDate, item.amountCents,
                                 item.file?.id ?? "", item.file?.fileName ?? "", item.file?.size ?? 0, item.file?.sha256 ?? ""])
        }
        let first = items.map(\.dueDate).filter { !$0.isEmpty }.min() ?? ""
        try db.execute(sql: "UPDATE protocols_protocol SET first_due_date = ? WHERE id = ?", arguments: [first, id])
    }
}
