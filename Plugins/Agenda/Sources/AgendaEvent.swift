import ClientsCapability
import ContonAPI
import ContonKit
import GRDB

/// An event as the agenda keeps it (`agenda_event`), with its rule parsed.
struct AgendaEvent: Sendable, Hashable {
    typealias Kind = Conton_Agenda_V1_EventKind

    var id: Int64 = 0
    var clientID = ""
    var kind: Kind = .event
    var title = ""
    var description = ""
    var allDay = true
    var startDate: CivilDate
    /// Minutes after midnight (timed events).
    var startMinute = 0
    var durationMinutes = 0
    var recurrence: Recurrence?
    var sharedWithClient = false
    var responsibleUserID = ""
    var reminders: [Int] = []
    var templateID: Int64?
    var competence = ""
    var deliveredAtMs: Int64?
    var version: Int64 = 1
    var createdAtMs: Int64 = 0
    var updatedAtMs: Int64 = 0

    static let maxTitle = 200
    static let maxDescription = 4_000
    static let maxReminders = 5
    static let maxReminderMinutes = 86_400
    static let maxDuration = 10_080

    static let columns = """
        id, client_id, kind, title, description, all_day, start_date, start_minute, duration_minutes, recurrence, \
        shared_with_client, responsible_user_id, reminders, template_id, competence, delivered_at_ms, version, created_at_ms, updated_at_ms
        """

    init(startDate: CivilDate) { self.startDate = startDate }

    init(row: Row) {
        self.startDate = CivilDate(row["start_date"] as String)!
        id = row["id"]
        clientID = row["client_id"]
        kind = Kind(rawValue: row["kind"])
        title = row["title"]
        description = row["description"]
        allDay = row["all_day"]
        startMinute = row["start_minute"]
        durationMinutes = row["duration_minutes"]
        let rule: String = row["recurrence"]
        recurrence = rule.isEmpty ? nil : try? Recurrence.parse(rule)
        sharedWithClient = row["shared_with_client"]
        responsibleUserID = row["responsible_user_id"]
        reminders = (row["reminders"] as String).split(separator: ",").compactMap { Int($0) }
        templateID = row["template_id"]
        competence = row["competence"]
        deliveredAtMs = row["delivered_at_ms"]
        version = row["version"]
        createdAtMs = row["created_at_ms"]
        updatedAtMs = row["updated_at_ms"]
    }

    /// "HH:MM" of a minute of the day.
    static func time(_ minute: Int) -> String {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return two(minute / 60) + ":" + two(minute % 60)
    }

    /// Minutes after midnight of "HH:MM", nil for anything else.
    static func minute(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard text.count == 5, parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]), (0..<24).contains(h), (0..<60).contains(m) else { return nil }
        return h * 60 + m
    }

    var message: Conton_Agenda_V1_Event {
        var e = Conton_Agenda_V1_Event()
        e.id = id
        e.clientId = clientID
        e.title = title
        e.description = description
        e.allDay = allDay
        e.startDate = startDate.description
        e.startTime = allDay ? "" : Self.time(startMinute)
        e.durationMinutes = Int32(durationMinutes)
        e.recurrence = recurrence?.text ?? ""
        e.sharedWithClient = sharedWithClient
        e.responsibleUserId = responsibleUserID
        e.reminderMinutes = reminders.map { Int32($0) }
        e.kind = kind
        e.obligationTemplateId = templateID ?? 0
        e.competence = competence
        e.version = version
        e.createdAtMs = createdAtMs
        e.updatedAtMs = updatedAtMs
        return e
    }

    /// A validated event from a request's message (`field`: where its fields are named), with
    /// every violation at once.
    static func validate(_ e: Conton_Agenda_V1_Event, field: String, clients: any ClientRegistry, staff: (any StaffDirectory)?,
                         in db: Database) throws -> AgendaEvent {
        var errors = FieldErrors()
        func path(_ name: String) -> String { "\(field).\(name)" }
        let title = e.title.trimmingCharacters(in: .whitespacesAndNewlines)
        if title.isEmpty || title.count > maxTitle { errors.add(path("title"), "must have 1 to \(maxTitle) characters") }
        if e.description.count > maxDescription { errors.add(path("description"), "must have at most \(maxDescription) characters") }
        let start = CivilDate(e.startDate)
        if start == nil { errors.add(path("start_date"), "must be a date YYYY-MM-DD") }
        var minute = 0
        if e.allDay {
            if !e.startTime.isEmpty { errors.add(path("start_time"), "must be empty for an all-day event") }
            if e.durationMinutes != 0 { errors.add(path("duration_minutes"), "must be 0 for an all-day event (one day)") }
        } else {
            if let m = Self.minute(e.startTime) { minute = m } else { errors.add(path("start_time"), "must be a time HH:MM (00:00 to 23:59)") }
            if !(1...Int32(maxDuration)).contains(e.durationMinutes) { errors.add(path("duration_minutes"), "must be 1 to \(maxDuration) minutes") }
        }
        var rule: Recurrence?
        if !e.recurrence.isEmpty {
            do { rule = try Recurrence.parse(e.recurrence) } catch {
                errors.add(path("recurrence"), "\(error.part): \(error.message)")
            }
        }
        if e.reminderMinutes.count > maxReminders { errors.add(path("reminder_minutes"), "at most \(maxReminders) reminders") }
        for (i, m) in e.reminderMinutes.enumerated() where !(0...Int32(maxReminderMinutes)).contains(m) {
            errors.add(path("reminder_minutes[\(i)]"), "must be 0 to \(maxReminderMinutes) minutes (60 days)")
        }
        if e.clientId.isEmpty {
            if e.sharedWithClient { errors.add(path("shared_with_client"), "an office event (no client_id) is never shown to a client") }
        } else if let client = try clients.client(id: e.clientId, in: db) {
            if client.archived { errors.add(path("client_id"), "client \(client.name) is archived; restore it first") }
        } else {
            errors.add(path("client_id"), "no client \(e.clientId)")
        }
        if !e.responsibleUserId.isEmpty, let staff {
            let user = try staff.staffUser(id: e.responsibleUserId, in: db)
            if user == nil { errors.add(path("responsible_user_id"), "no staff user \(e.responsibleUserId)") }
            else if user!.disabled { errors.add(path("responsible_user_id"), "staff user \(user!.displayName) is disabled") }
        }
        try errors.check()
        var event = AgendaEvent(startDate: start!)
        event.clientID = e.clientId
        event.title = title
        event.description = e.description
        event.allDay = e.allDay
        event.startMinute = minute
        event.durationMinutes = Int(e.durationMinutes)
        event.recurrence = rule
        event.sharedWithClient = e.sharedWithClient
        event.responsibleUserID = e.responsibleUserId
        event.reminders = Array(Set(e.reminderMinutes.map { Int($0) })).sorted()
        return event
    }

    /// The last day an occurrence can fall on: the start for a single event, UNTIL's day, the
    /// COUNT-th date, or nil for a rule without end.
    var lastDate: CivilDate? {
        guard let rule = recurrence else { return startDate }
        switch rule.until {
        case .date(let d)?: return d
        case .instant(let ms)?: return CivilDate(milliseconds: ms, offsetMinutes: 0).adding(days: 1)
        case nil:
            guard rule.count != nil else { return nil }
            let far = CivilDate(year: min(9999, startDate.year + 1_000), month: 12, day: 31)!
            return rule.dates(start: startDate, from: startDate, through: far).last ?? startDate
        }
    }

    /// Inserts or replaces the row (id 0: a new one); returns the id.
    func save(now: Int64, in db: Database) throws -> Int64 {
        let arguments: StatementArguments = [
            clientID, kind.rawValue, title, description, allDay, startDate.description, startMinute, durationMinutes,
            recurrence?.text ?? "", lastDate?.description, sharedWithClient, responsibleUserID,
            reminders.map(String.init).joined(separator: ","), templateID, competence,
        ]
        if id == 0 {
            try db.execute(sql: """
                INSERT INTO agenda_event (client_id, kind, title, description, all_day, start_date, start_minute, duration_minutes, recurrence,
                  last_date, shared_with_client, responsible_user_id, reminders, template_id, competence, created_at_ms, updated_at_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: arguments + [now, now])
            return db.lastInsertedRowID
        }
        try db.execute(sql: """
            UPDATE agenda_event SET client_id = ?, kind = ?, title = ?, description = ?, all_day = ?, start_date = ?, start_minute = ?,
              duration_minutes = ?, recurrence = ?, last_date = ?, shared_with_client = ?, responsible_user_id = ?, reminders = ?,
              template_id = ?, competence = ?, version = version + 1, updated_at_ms = ?
            WHERE id = ?
            """, arguments: arguments + [now, id])
        return id
    }

    /// Event `id` as `scope` may see it (a client: its own shared events), or NOT_FOUND.
    static func require(_ id: Int64, scope: ClientScope, in db: Database) throws -> AgendaEvent {
        guard let row = try Row.fetchOne(db, sql: "SELECT \(columns) FROM agenda_event WHERE id = ?", arguments: [id]) else {
            throw ServiceError.notFound("event", String(id), type: "conton.agenda.v1.Event")
        }
        let event = AgendaEvent(row: row)
        if case .only = scope {
            guard event.sharedWithClient, scope.contains(event.clientID) else {
                throw ServiceError.notFound("event", String(id), type: "conton.agenda.v1.Event")
            }
        }
        return event
    }
}
