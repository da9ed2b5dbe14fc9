import ContonAPI
import ContonKit
import GRDB

/// Expands events into their occurrences over a window, with their exceptions: cancelled ones
/// left out, moved ones on their new day (even when the rule's day lies outside the window).
struct AgendaOccurrences: Sendable {
    typealias Occurrence = Conton_Agenda_V1_Occurrence

    /// One exception (`agenda_exception`).
    struct Exception: Sendable, Hashable {
        var cancelled: Bool
        var newDate: CivilDate?
        var newStartMinute: Int?
    }

    let zone: OfficeZone

    /// The longest window ListOccurrences takes (5 years and a leap day).
    static let maxWindowDays = 1_827

    /// Which events: every one (staff) or a client's shared ones; of one client; without the
    /// office's own; of one kind; only with reminders.
    struct Filter: Sendable {
        var scope: ClientScope = .all
        var clientID = ""
        var excludeOffice = false
        var kind: AgendaEvent.Kind = .unspecified
        var withReminders = false
        var eventID: Int64?

        func sql() -> (String, StatementArguments) {
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if case .only(let id) = scope {
                conditions.append("e.client_id = ? AND e.shared_with_client = 1")
                _ = arguments.append(contentsOf: [id])
            }
            if !clientID.isEmpty {
                conditions.append("e.client_id = ?")
                _ = arguments.append(contentsOf: [clientID])
            }
            if excludeOffice { conditions.append("e.client_id <> ''") }
            if kind != .unspecified {
                conditions.append("e.kind = ?")
                _ = arguments.append(contentsOf: [kind.rawValue])
            }
            if withReminders { conditions.append("e.reminders <> ''") }
            if let eventID {
                conditions.append("e.id = ?")
                _ = arguments.append(contentsOf: [eventID])
            }
            return (conditions.isEmpty ? "1" : conditions.joined(separator: " AND "), arguments)
        }
    }

    /// The occurrences from `from` through `through` of the events `filter` selects, in start order.
    func list(_ filter: Filter, from: CivilDate, through: CivilDate, in db: Database) throws -> [Occurrence] {
        let (condition, arguments) = filter.sql()
        let events = try Row.fetchAll(db, sql: """
            SELECT \(AgendaEvent.columns.split(separator: ",").map { "e." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", "))
            FROM agenda_event e
            WHERE e.start_date <= ? AND (e.last_date IS NULL OR e.last_date >= ?) AND \(condition)
            """, arguments: [through.description, from.description] + arguments).map(AgendaEvent.init(row:))
        var exceptions: [Int64: [CivilDate: Exception]] = [:]
        if !events.isEmpty {
            let ids = events.filter { $0.recurrence != nil }.map(\.id)
            for row in try Row.fetchAll(db, sql: """
                SELECT event_id, original_date, cancelled, new_date, new_start_minute FROM agenda_exception
                WHERE event_id IN (SELECT value FROM json_each(?))
                """, arguments: ["[" + ids.map(String.init).joined(separator: ",") + "]"]) {
                exceptions[row["event_id"], default: [:]][CivilDate(row["original_date"] as String)!] = Self.exception(row)
            }
        }
        var out: [Occurrence] = []
        for event in events {
            let dates = event.recurrence.map { $0.dates(start: event.startDate, from: from, through: through) } ?? [event.startDate]
            let own = exceptions[event.id] ?? [:]
            for date in dates where own[date] == nil {
                if let occurrence = occurrence(event, original: date, exception: nil) { out.append(occurrence) }
            }
        }
        // Occurrences moved into the window (their rule's day inside it or not).
        for row in try Row.fetchAll(db, sql: """
            SELECT x.original_date, x.cancelled, x.new_date, x.new_start_minute, \(AgendaEvent.columns.split(separator: ",").map { "e." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", "))
            FROM agenda_exception x JOIN agenda_event e ON e.id = x.event_id
            WHERE x.new_date BETWEEN ? AND ? AND \(condition)
            """, arguments: [from.description, through.description] + arguments) {
            let event = AgendaEvent(row: row)
            if let occurrence = occurrence(event, original: CivilDate(row["original_date"] as String)!, exception: Self.exception(row)) {
                out.append(occurrence)
            }
        }
        return out.sorted { ($0.startMs, $0.eventId, $0.originalDate) < ($1.startMs, $1.eventId, $1.originalDate) }
    }

    static func exception(_ row: Row) -> Exception {
        Exception(cancelled: row["cancelled"], newDate: (row["new_date"] as String?).flatMap(CivilDate.init), newStartMinute: row["new_start_minute"])
    }

    /// Occurrence `original` of `event`, moved by `exception`; nil when cancelled or when an UNTIL
    /// instant ends the rule before it starts.
    func occurrence(_ event: AgendaEvent, original: CivilDate, exception: Exception?) -> Occurrence? {
        if exception?.cancelled == true { return nil }
        let date = exception?.newDate ?? original
        let minute = event.allDay ? 0 : (exception?.newStartMinute ?? event.startMinute)
        let start = zone.instant(date, minute: minute)
        if exception == nil, case .instant(let until)? = event.recurrence?.until, start > until { return nil }
        var o = Occurrence()
        o.eventId = event.id
        o.originalDate = original.description
        o.date = date.description
        o.startMs = start
        o.endMs = event.allDay ? zone.instant(date.adding(days: 1)) : start + Int64(event.durationMinutes) * 60_000
        o.allDay = event.allDay
        o.title = event.title
        o.clientId = event.clientID
        o.kind = event.kind
        o.moved = exception != nil
        o.responsibleUserId = event.responsibleUserID
        o.sharedWithClient = event.sharedWithClient
        o.competence = event.competence
        o.delivered = event.deliveredAtMs != nil
        return o
    }

    /// Whether `date` is a day the rule of `event` gives (the occurrences MoveOccurrence and
    /// CancelOccurrence may name).
    static func isOccurrence(_ date: CivilDate, of event: AgendaEvent) -> Bool {
        guard let rule = event.recurrence else { return date == event.startDate }
        return rule.dates(start: event.startDate, from: date, through: date) == [date]
    }
}
