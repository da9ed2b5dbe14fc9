import ClientsCapability
import ContonAPI
import ContonBrazil
import ContonKit
import ContonThreads
import GRDB

/// Attendances as rows and as API messages, inside the caller's transaction.
enum AttendanceStore {
    typealias Record = Conton_Attendances_V1_Attendance
    typealias Status = Conton_Attendances_V1_AttendanceStatus

    static let resourceType = "conton.attendances.v1.Attendance"
    /// Statuses in which the attendance still waits for someone.
    static let active: Set<Status> = [.open, .inProgress, .waitingClient]

    /// The columns every read that makes a message selects, in this order, read by position.
    enum Column: Int, CaseIterable {
        case id, number, clientID, channel, department, subject, priority, status, responsibleUserID, responsibleName, deadline
        case visible, openedAtMs, openedBy, firstAnswerAtMs, closedAtMs, closedTotalMs, waitingSinceMs, waitingTotalMs, version, origin

        var name: String {
            switch self {
            case .id: "id"
            case .number: "number"
            case .clientID: "client_id"
            case .channel: "channel"
            case .department: "department"
            case .subject: "subject"
            case .priority: "priority"
            case .status: "status"
            case .responsibleUserID: "responsible_user_id"
            case .responsibleName: "responsible_name"
            case .deadline: "deadline"
            case .visible: "visible"
            case .openedAtMs: "opened_at_ms"
            case .openedBy: "opened_by"
            case .firstAnswerAtMs: "first_answer_at_ms"
            case .closedAtMs: "closed_at_ms"
            case .closedTotalMs: "closed_total_ms"
            case .waitingSinceMs: "waiting_since_ms"
            case .waitingTotalMs: "waiting_total_ms"
            case .version: "version"
            case .origin: "origin"
            }
        }
    }

    static func columns(_ table: String = "") -> String {
        Column.allCases.map { table.isEmpty ? $0.name : "\(table).\($0.name)" }.joined(separator: ", ")
    }

    /// The service clock at `now`: the closed periods never count; the waiting ones count as open
    /// but not as the office's time.
    static func clock(_ row: Row, now: Int64) -> Conton_Attendances_V1_ServiceClock {
        let opened: Int64 = row[Column.openedAtMs.rawValue]
        let closedAt: Int64? = row[Column.closedAtMs.rawValue]
        let closedTotal: Int64 = row[Column.closedTotalMs.rawValue]
        let waitingSince: Int64? = row[Column.waitingSinceMs.rawValue]
        let waitingTotal: Int64 = row[Column.waitingTotalMs.rawValue]
        let end = closedAt ?? now
        var c = Conton_Attendances_V1_ServiceClock()
        c.openMs = max(0, end - opened - closedTotal)
        c.officeMs = max(0, c.openMs - waitingTotal - (waitingSince.map { max(0, end - $0) } ?? 0))
        c.firstAnswerMs = (row[Column.firstAnswerAtMs.rawValue] as Int64?).map { $0 - opened } ?? 0
        c.paused = waitingSince != nil
        return c
    }

    /// What the list and the thread's counters add to each row.
    struct Counters {
        var messages: [Int64: Int] = [:]
        var unread: [Int64: Int] = [:]
        var minutes: [Int64: Int64] = [:]
    }

    static func message(_ row: Row, client: ClientSummary?, counters: Counters, forClient: Bool, today: String, now: Int64) -> Record {
        func v<T: DatabaseValueConvertible>(_ c: Column) -> T { row[c.rawValue] }
        let id: Int64 = v(.id)
        var a = Record()
        a.id = String(id)
        a.number = v(.number)
        a.clientId = v(.clientID)
        a.clientName = client?.name ?? ""
        a.clientDocumentFormatted = client.map { TaxID.formatted($0.document) } ?? ""
        a.channel = .init(rawValue: v(.channel))
        a.department = .init(rawValue: v(.department))
        a.subject = v(.subject)
        a.priority = .init(rawValue: v(.priority))
        a.status = .init(rawValue: v(.status))
        a.responsibleUserId = v(.responsibleUserID)
        a.responsibleName = v(.responsibleName)
        a.deadline = v(.deadline)
        a.visibleToClient = v(.visible)
        a.overdue = active.contains(a.status) && !a.deadline.isEmpty && a.deadline < today
        a.openedAtMs = v(.openedAtMs)
        a.openedBy = v(.openedBy)
        a.firstAnswerAtMs = (row[Column.firstAnswerAtMs.rawValue] as Int64?) ?? 0
        a.closedAtMs = (row[Column.closedAtMs.rawValue] as Int64?) ?? 0
        a.clock = clock(row, now: now)
        a.messages = Int32(counters.messages[id] ?? 0)
        a.unread = Int32(counters.unread[id] ?? 0)
        a.minutes = forClient ? 0 : counters.minutes[id] ?? 0
        a.version = v(.version)
        a.origin = v(.origin)
        return a
    }

    static func row(_ id: String, in db: Database) throws -> Row? {
        guard let key = Int64(id) else { return nil }
        return try Row.fetchOne(try db.cachedStatement(sql: "SELECT \(columns()) FROM attendances_attendance WHERE id = ?"), arguments: [key])
    }

    /// Attendance `id` as the caller may see it: NOT_FOUND when there is none, when it is another
    /// client's, or when a client asks for an internal one (all the same answer).
    static func require(_ id: String, scope: ClientScope, in db: Database) throws -> Row {
        guard !id.isEmpty else { throw FieldErrors.single("attendance_id", "is required") }
        guard let row = try row(id, in: db), scope.contains(row[Column.clientID.rawValue]),
              scope == .all || (row[Column.visible.rawValue] as Bool) else {
            throw ServiceError.notFound("attendance", id, type: resourceType)
        }
        return row
    }

    /// The rows as messages for `principal`, with their clients and thread counters.
    static func messages(_ rows: [Row], for principal: Principal, clients: any ClientRegistry, threads: MessageThreads,
                         today: String, now: Int64, in db: Database) throws -> [Record] {
        let ids = rows.map { $0[Column.id.rawValue] as Int64 }
        let forClient = if case .client = principal { true } else { false }
        var counters = Counters()
        counters.messages = try threads.counts(ids, includeInternal: !forClient, in: db)
        if let reader = MessageThreads.Reader(principal) { counters.unread = try threads.unread(ids, reader: reader, in: db) }
        if !forClient { counters.minutes = try threads.minutes(ids, in: db) }
        let found = try clients.clients(ids: Array(Set(rows.map { $0[Column.clientID.rawValue] as String })), in: db)
        return rows.map { row in
            message(row, client: found[row[Column.clientID.rawValue]], counters: counters, forClient: forClient, today: today, now: now)
        }
    }

    static func failedPrecondition(_ id: Int64, _ message: String, reason: String) -> ServiceError {
        ServiceError(.failedPrecondition, message, reason: reason, resource: ErrorDetails.Resource(type: resourceType, name: String(id)))
    }
}
