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

    /// The columns a protocol is read with, in this order (``Column``): every read that makes a
    /// message selects exactly these and reads them by position, not by name (a by-name lookup
    /// lower-cases the name each time, which a page of 50 protocols felt: docs/BENCHMARKS.md).
    enum Column: Int, CaseIterable {
        case id, number, clientID, title, message, deliveryMethod, receiverName, receiverDocument, otherDescription, status
        case firstDueDate, portalSort, createdAtMs, createdBy, sentAtMs, firstViewedAtMs, acknowledgedAtMs, ackComment
        case closingReason, closedAtMs, evidenceCount, evidenceHead, version

        var name: String {
            switch self {
            case .id: "id"
            case .number: "number"
            case .clientID: "client_id"
            case .title: "title"
            case .message: "message"
            case .deliveryMethod: "delivery_method"
            case .receiverName: "receiver_name"
            case .receiverDocument: "receiver_document"
            case .otherDescription: "other_description"
            case .status: "status"
            case .firstDueDate: "first_due_date"
            case .portalSort: "portal_sort"
            case .createdAtMs: "created_at_ms"
            case .createdBy: "created_by"
            case .sentAtMs: "sent_at_ms"
            case .firstViewedAtMs: "first_viewed_at_ms"
            case .acknowledgedAtMs: "acknowledged_at_ms"
            case .ackComment: "ack_comment"
            case .closingReason: "closing_reason"
            case .closedAtMs: "closed_at_ms"
            case .evidenceCount: "evidence_count"
            case .evidenceHead: "evidence_head"
            case .version: "version"
            }
        }
    }

    /// ``Column``'s names for a SELECT, each prefixed with `table.` when given.
    static func columns(_ table: String = "") -> String {
        Column.allCases.map { table.isEmpty ? $0.name : "\(table).\($0.name)" }.joined(separator: ", ")
    }

    static func message(_ row: Row, items: [Item], client: ClientFacts?, today: String) -> Record {
        func v<T: DatabaseValueConvertible>(_ c: Column) -> T { row[c.rawValue] }
        func ms(_ c: Column) -> Int64 { (row[c.rawValue] as Int64?) ?? 0 }
        var p = Record()
        p.id = String(v(.id) as Int64)
        p.number = v(.number)
        p.clientId = v(.clientID)
        p.clientName = client?.name ?? ""
        p.clientDocumentFormatted = client?.documentFormatted ?? ""
        p.title = v(.title)
        p.message = v(.message)
        p.delivery.method = .init(rawValue: v(.deliveryMethod))
        p.delivery.receiverName = v(.receiverName)
        p.delivery.receiverDocument = v(.receiverDocument)
        p.delivery.otherDescription = v(.otherDescription)
        p.status = Status(rawValue: v(.status))
        p.firstDueDate = v(.firstDueDate)
        let waiting = open.contains(p.status)
        p.overdue = waiting && !p.firstDueDate.isEmpty && p.firstDueDate < today
        p.items = items.map { item in
            var item = item
            item.overdue = waiting && !item.dueDate.isEmpty && item.dueDate < today
            return item
        }
        p.createdAtMs = v(.createdAtMs)
        p.createdBy = v(.createdBy)
        p.sentAtMs = ms(.sentAtMs)
        p.firstViewedAtMs = ms(.firstViewedAtMs)
        p.acknowledgedAtMs = ms(.acknowledgedAtMs)
        p.acknowledgementComment = v(.ackComment)
        p.closingReason = v(.closingReason)
        p.closedAtMs = ms(.closedAtMs)
        p.evidenceCount = v(.evidenceCount)
        p.evidenceHeadSha256 = v(.evidenceHead)
        p.version = v(.version)
        return p
    }

    static func items(of ids: [Int64], in db: Database) throws -> [Int64: [Item]] {
        guard !ids.isEmpty else { return [:] }
        var out: [Int64: [Item]] = [:]
        let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
        for row in try Row.fetchAll(db, sql: """
            SELECT i.id, i.doc_type_id, t.name, t.kind, i.description, i.competence, i.due_date, i.amount_cents, i.file_id, i.file_name,
                   i.file_size, i.file_sha256, i.protocol_id, i.obligation_event_id
            FROM protocols_item i JOIN protocols_doc_type t ON t.id = i.doc_type_id
            WHERE i.protocol_id IN (\(marks)) ORDER BY i.protocol_id, i.position
            """, arguments: StatementArguments(ids)) {
            var item = Item()
            item.id = String(row[0] as Int64)
            item.documentTypeId = String(row[1] as Int64)
            item.documentTypeName = row[2]
            item.documentKind = .init(rawValue: row[3])
            item.description = row[4]
            item.competence = row[5]
            item.dueDate = row[6]
            item.amountCents = row[7]
            item.fileId = row[8]
            item.fileName = row[9]
            item.fileSize = row[10]
            item.fileSha256 = row[11]
            item.obligationEventId = row[13] ?? 0
            out[row[12], default: []].append(item)
        }
        return out
    }

    /// The rows (``columns(_:)``, in order) as messages, with their items and clients, in the rows' order.
    static func messages(_ rows: [Row], clients: ClientDirectory, today: String, in db: Database) throws -> [Record] {
        let ids = rows.map { $0[Column.id.rawValue] as Int64 }
        let items = try items(of: ids, in: db)
        let clientIDs = rows.map { $0[Column.clientID.rawValue] as String }
        let facts = try clients.facts(ids: Array(Set(clientIDs)), in: db)
        return zip(rows, zip(ids, clientIDs)).map { row, key in
            message(row, items: items[key.0] ?? [], client: facts[key.1], today: today)
        }
    }

    static func row(_ id: String, in db: Database) throws -> Row? {
        guard let key = Int64(id) else { return nil }
        return try Row.fetchOne(try db.cachedStatement(sql: "SELECT \(columns()) FROM protocols_protocol WHERE id = ?"), arguments: [key])
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
        // Cached statements: a batch writes a thousand protocols in one call.
        try db.cachedStatement(sql: "DELETE FROM protocols_item WHERE protocol_id = ?").execute(arguments: [id])
        let insert = try db.cachedStatement(sql: """
            INSERT INTO protocols_item (protocol_id, position, doc_type_id, description, competence, due_date, amount_cents,
              file_id, file_name, file_size, file_sha256, obligation_event_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (position, item) in items.enumerated() {
            try insert.execute(arguments: [id, position, item.typeID, item.description, item.competence, item.dueDate, item.amountCents,
                                 item.file?.id ?? "", item.file?.fileName ?? "", item.file?.size ?? 0, item.file?.sha256 ?? "",
                                 item.obligationID])
        }
        let first = items.map(\.dueDate).filter { !$0.isEmpty }.min() ?? ""
        try db.cachedStatement(sql: "UPDATE protocols_protocol SET first_due_date = ? WHERE id = ?").execute(arguments: [first, id])
    }
}
