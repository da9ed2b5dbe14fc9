import ClientsCapability
import ContonAPI
import ContonBrazil
import ContonKit
import ContonThreads
import GRDB

/// Requests and their checklist items as rows and as API messages, inside the caller's
/// transaction.
enum RequestStore {
    typealias Record = Conton_Requests_V1_Request
    typealias Status = Conton_Requests_V1_RequestStatus
    typealias Item = Conton_Requests_V1_ChecklistItem

    static let resourceType = "conton.requests.v1.Request"

    /// The columns every read that makes a message selects, in this order, read by position.
    static let columnNames = ["id", "number", "client_id", "kind", "type_id", "type_name", "subject", "status", "opened_at_ms", "opened_by",
                              "closed_at_ms", "reminders_sent", "last_reminded_at_ms", "version", "attendance_id", "attendance_number"]
    static let columns = columns()

    /// ``columnNames`` for a SELECT, each prefixed with `table.` when given.
    static func columns(_ table: String = "") -> String {
        columnNames.map { table.isEmpty ? $0 : "\(table).\($0)" }.joined(separator: ", ")
    }
    enum Column: Int {
        case id, number, clientID, kind, typeID, typeName, subject, status, openedAtMs, openedBy, closedAtMs, remindersSent, lastRemindedAtMs, version
        case attendanceID, attendanceNumber
    }

    static func row(_ id: String, in db: Database) throws -> Row? {
        guard let key = Int64(id) else { return nil }
        return try Row.fetchOne(try db.cachedStatement(sql: "SELECT \(columns) FROM requests_request WHERE id = ?"), arguments: [key])
    }

    /// Request `id` as the caller may see it: NOT_FOUND when there is none or it is another
    /// client's (the same answer).
    static func require(_ id: String, scope: ClientScope, in db: Database) throws -> Row {
        guard !id.isEmpty else { throw FieldErrors.single("request_id", "is required") }
        guard let row = try row(id, in: db), scope.contains(row[Column.clientID.rawValue]) else {
            throw ServiceError.notFound("request", id, type: resourceType)
        }
        return row
    }

    static func items(of ids: [Int64], in db: Database) throws -> [Int64: [Item]] {
        guard !ids.isEmpty else { return [:] }
        let json = "[" + ids.map(String.init).joined(separator: ",") + "]"
        var out: [Int64: [Item]] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT id, description, due_date, status, files, note, answered_at_ms, request_id FROM requests_item
            WHERE request_id IN (SELECT value FROM json_each(?)) ORDER BY request_id, position
            """, arguments: [json]) {
            var item = Item()
            item.id = String(row[0] as Int64)
            item.description = row[1]
            item.dueDate = row[2]
            item.status = .init(rawValue: row[3])
            item.files = try MessageThreads.decode(row[4])
            item.note = row[5]
            item.answeredAtMs = (row[6] as Int64?) ?? 0
            out[row[7], default: []].append(item)
        }
        return out
    }

    /// The rows as messages for `principal`: their items, clients and thread counters.
    static func messages(_ rows: [Row], for principal: Principal, clients: any ClientRegistry, threads: MessageThreads, today: String,
                         in db: Database) throws -> [Record] {
        let ids = rows.map { $0[Column.id.rawValue] as Int64 }
        let forClient = if case .client = principal { true } else { false }
        let items = try items(of: ids, in: db)
        let counts = try threads.counts(ids, includeInternal: !forClient, in: db)
        let unread = try MessageThreads.Reader(principal).map { try threads.unread(ids, reader: $0, in: db) } ?? [:]
        let found = try clients.clients(ids: Array(Set(rows.map { $0[Column.clientID.rawValue] as String })), in: db)
        return zip(rows, ids).map { row, id in
            func v<T: DatabaseValueConvertible>(_ c: Column) -> T { row[c.rawValue] }
            var r = Record()
            r.id = String(id)
            r.number = v(.number)
            r.clientId = v(.clientID)
            if let c = found[r.clientId] {
                r.clientName = c.name
                r.clientDocumentFormatted = TaxID.formatted(c.document)
            }
            r.kind = .init(rawValue: v(.kind))
            r.typeId = (row[Column.typeID.rawValue] as Int64?).map(String.init) ?? ""
            r.typeName = v(.typeName)
            r.subject = v(.subject)
            r.status = .init(rawValue: v(.status))
            r.items = items[id] ?? []
            r.nextDueDate = r.items.filter { $0.status == .pending && !$0.dueDate.isEmpty }.map(\.dueDate).min() ?? ""
            r.overdue = r.status != .closed && !r.nextDueDate.isEmpty && r.nextDueDate < today
            r.openedAtMs = v(.openedAtMs)
            r.openedBy = v(.openedBy)
            r.closedAtMs = (row[Column.closedAtMs.rawValue] as Int64?) ?? 0
            r.remindersSent = v(.remindersSent)
            r.lastRemindedAtMs = (row[Column.lastRemindedAtMs.rawValue] as Int64?) ?? 0
            r.messages = Int32(counts[id] ?? 0)
            r.unread = Int32(unread[id] ?? 0)
            r.version = v(.version)
            r.attendanceId = (row[Column.attendanceID.rawValue] as String?) ?? ""
            r.attendanceNumber = (row[Column.attendanceNumber.rawValue] as Int64?) ?? 0
            return r
        }
    }

    static func failedPrecondition(_ id: Int64, _ message: String, reason: String) -> ServiceError {
        ServiceError(.failedPrecondition, message, reason: reason, resource: ErrorDetails.Resource(type: resourceType, name: String(id)))
    }

    /// The next request number.
    static func nextNumber(in db: Database) throws -> Int64 {
        (try Int64.fetchOne(try db.cachedStatement(sql: "SELECT max(number) FROM requests_request")) ?? 0) + 1
    }

    static func reminderEveryDays(in db: Database) throws -> Int32 {
        try Int32.fetchOne(db, sql: "SELECT reminder_every_days FROM requests_settings WHERE id = 1") ?? 3
    }
}
