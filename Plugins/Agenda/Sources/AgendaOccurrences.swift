import ContonAPI
import ContonKit
import Foundation
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

    /// Where a page ends: the last occurrence returned (occurrences sort by start, event, day).
    struct Cursor: Sendable, Hashable, Comparable {
        var startMs: Int64
        var eventID: Int64
        var originalDay: Int

        static func < (a: Cursor, b: Cursor) -> Bool {
            (a.startMs, a.eventID, a.originalDay) < (b.startMs, b.eventID, b.originalDay)
        }

        /// `o1:<start>:<event>:<day>` in base64, opaque to clients.
        var token: String { Data("o1:\(startMs):\(eventID):\(originalDay)".utf8).base64EncodedString() }

        init(startMs: Int64, eventID: Int64, originalDay: Int) {
            self.startMs = startMs
            self.eventID = eventID
            self.originalDay = originalDay
        }

        init?(token: String) {
            guard let data = Data(base64Encoded: token) else { return nil }
            let parts = String(decoding: data, as: UTF8.self).split(separator: ":")
            guard parts.count == 4, parts[0] == "o1", let s = Int64(parts[1]), let e = Int64(parts[2]), let d = Int(parts[3]) else { return nil }
            self.init(startMs: s, eventID: e, originalDay: d)
        }
    }

    /// One occurrence before it becomes a message: its event, days and start.
    private struct Item {
        var key: Cursor
        var event: Int
        var day: Int
        var minute: Int
        var moved: Bool
    }

    /// The occurrences from `from` through `through` of the events `filter` selects, in start order:
    /// all of them, or the `limit` after `after` (and whether more follow).
    func list(_ filter: Filter, from: CivilDate, through: CivilDate, after: Cursor? = nil, limit: Int = .max,
              in db: Database) throws -> (occurrences: [Occurrence], more: Bool) {
        // A page after a cursor needs nothing that starts before the cursor's day.
        var from = from
        if let after { from = max(from, zone.date(of: after.startMs).adding(days: -1)) }
        guard from <= through else { return ([], false) }
        let (condition, arguments) = filter.sql()
        let columns = AgendaEvent.columns.split(separator: ",").map { "e." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")
        var events = try Row.fetchAll(db, sql: """
            SELECT \(columns) FROM agenda_event e
            WHERE e.start_date <= ? AND (e.last_date IS NULL OR e.last_date >= ?) AND \(condition)
            """, arguments: [through.description, from.description] + arguments).map(AgendaEvent.init(row:))
        var index = Dictionary(uniqueKeysWithValues: events.enumerated().map { ($1.id, $0) })
        var exceptions: [Int64: [Int: Exception]] = [:]
        let recurring = events.filter { $0.recurrence != nil }.map(\.id)
        if !recurring.isEmpty {
            for row in try Row.fetchAll(db, sql: """
                SELECT event_id, original_date, cancelled, new_date, new_start_minute FROM agenda_exception
                WHERE event_id IN (SELECT value FROM json_each(?))
                """, arguments: ["[" + recurring.map(String.init).joined(separator: ",") + "]"]) {
                exceptions[row["event_id"], default: [:]][CivilDate(row["original_date"] as String)!.dayNumber] = Self.exception(row)
            }
        }
        // Instants by (day, minute) and texts by day: a year of 500 events shares a few hundred of each.
        var instants: [Int: Int64] = [:]
        func instant(_ day: Int, _ minute: Int) -> Int64 {
            let key = day &* 1_440 &+ minute
            if let known = instants[key] { return known }
            let value = zone.instant(CivilDate(dayNumber: day), minute: minute)
            instants[key] = value
            return value
        }
        var items: [Item] = []
        for (i, event) in events.enumerated() {
            let dates = event.recurrence.map { $0.dates(start: event.startDate, from: from, through: through) } ?? [event.startDate]
            let own = exceptions[event.id]
            var untilMs: Int64?
            if case .instant(let until)? = event.recurrence?.until { untilMs = until }
            for date in dates {
                let day = date.dayNumber
                if own?[day] != nil { continue }
                let minute = event.allDay ? 0 : event.startMinute
                let start = instant(day, minute)
                if let untilMs, start > untilMs { continue }
                items.append(Item(key: Cursor(startMs: start, eventID: event.id, originalDay: day), event: i, day: day, minute: minute, moved: false))
            }
        }
        // Occurrences moved into the window (their rule's day inside it or not).
        for row in try Row.fetchAll(db, sql: """
            SELECT x.original_date, x.cancelled, x.new_date, x.new_start_minute, \(columns)
            FROM agenda_exception x JOIN agenda_event e ON e.id = x.event_id
            WHERE x.new_date BETWEEN ? AND ? AND \(condition)
            """, arguments: [from.description, through.description] + arguments) {
            let event = AgendaEvent(row: row)
            let exception = Self.exception(row)
            guard !exception.cancelled, let newDate = exception.newDate else { continue }
            let i: Int
            if let known = index[event.id] { i = known } else { i = events.count; events.append(event); index[event.id] = i }
            let minute = event.allDay ? 0 : (exception.newStartMinute ?? event.startMinute)
            let original = CivilDate(row["original_date"] as String)!.dayNumber
            items.append(Item(key: Cursor(startMs: instant(newDate.dayNumber, minute), eventID: event.id, originalDay: original),
                              event: i, day: newDate.dayNumber, minute: minute, moved: true))
        }
        if let after { items.removeAll { $0.key <= after } }
        let more = items.count > limit
        // Only the days that hold the page need sorting (a start instant grows with its day): count
        // the occurrences per day, keep the days up to the one where the page fills, sort those.
        if limit < items.count - 1, let first = items.lazy.map(\.day).min(), let last = items.lazy.map(\.day).max() {
            var perDay = [Int](repeating: 0, count: last - first + 1)
            for item in items { perDay[item.day - first] += 1 }
            var seen = 0
            var cutoff = last
            for (offset, n) in perDay.enumerated() {
                seen += n
                if seen > limit {
                    cutoff = first + offset
                    break
                }
            }
            items.removeAll { $0.day > cutoff }
        }
        items.sort { $0.key < $1.key }
        var texts: [Int: String] = [:]
        func text(_ day: Int) -> String {
            if let known = texts[day] { return known }
            let value = CivilDate(dayNumber: day).description
            texts[day] = value
            return value
        }
        let page = items.prefix(limit).map { item -> Occurrence in
            let event = events[item.event]
            let original = text(item.key.originalDay)
            let end = event.allDay ? instant(item.day + 1, 0) : item.key.startMs + Int64(event.durationMinutes) * 60_000
            return Self.message(event, originalDate: original, date: item.moved ? text(item.day) : original, start: item.key.startMs, end: end, moved: item.moved)
        }
        return (page, more)
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
        let end = event.allDay ? zone.instant(date.adding(days: 1)) : start + Int64(event.durationMinutes) * 60_000
        return Self.message(event, originalDate: original.description, date: date.description, start: start, end: end, moved: exception != nil)
    }

    /// The message of one occurrence of `event`.
    static func message(_ event: AgendaEvent, originalDate: String, date: String, start: Int64, end: Int64, moved: Bool) -> Occurrence {
        var o = Occurrence()
        o.eventId = event.id
        o.originalDate = originalDate
        o.date = date
        o.startMs = start
        o.endMs = end
        o.allDay = event.allDay
        o.title = event.title
        o.clientId = event.clientID
        o.kind = event.kind
        o.moved = moved
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
