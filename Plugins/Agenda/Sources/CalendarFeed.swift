import ContonKit
import Foundation
import GRDB

/// An agenda as an RFC 5545 VCALENDAR: one VEVENT per event with its RRULE, EXDATEs for the
/// cancelled occurrences and one VEVENT with RECURRENCE-ID per moved one, so a calendar
/// application expands it itself and sees later changes on its next poll.
struct CalendarFeed {
    let zone: OfficeZone
    let zoneID: String

    /// The feed of the events `filter` selects.
    func render(_ filter: AgendaOccurrences.Filter, name: String, now: Int64, in db: Database) throws -> String {
        let (condition, arguments) = filter.sql()
        let events = try Row.fetchAll(db, sql: "SELECT \(AgendaEvent.columns) FROM agenda_event e WHERE \(condition) ORDER BY id",
                                      arguments: arguments).map(AgendaEvent.init(row:))
        var exceptions: [Int64: [(CivilDate, AgendaOccurrences.Exception)]] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT x.event_id, x.original_date, x.cancelled, x.new_date, x.new_start_minute
            FROM agenda_exception x JOIN agenda_event e ON e.id = x.event_id WHERE \(condition) ORDER BY x.event_id, x.original_date
            """, arguments: arguments) {
            exceptions[row["event_id"], default: []].append((CivilDate(row["original_date"] as String)!, AgendaOccurrences.exception(row)))
        }
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//ContOn//Agenda//PT-BR", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
                     "X-WR-CALNAME:" + Self.escape(name), "X-WR-TIMEZONE:" + zoneID]
        lines += timeZoneBlock()
        let stamp = Self.utc(now)
        for event in events {
            let own = exceptions[event.id] ?? []
            lines += vevent(event, stamp: stamp, original: nil, exception: nil,
                            exdates: own.filter { $0.1.cancelled }.map(\.0))
            for (original, exception) in own where !exception.cancelled {
                lines += vevent(event, stamp: stamp, original: original, exception: exception, exdates: [])
            }
        }
        lines.append("END:VCALENDAR")
        return lines.map(Self.fold).joined(separator: "\r\n") + "\r\n"
    }

    /// The office zone as it is now (Brazil has had no daylight saving time since 2019).
    private func timeZoneBlock() -> [String] {
        let offset = zone.zone.secondsFromGMT() / 60
        let text = (offset < 0 ? "-" : "+") + Self.two(abs(offset) / 60) + Self.two(abs(offset) % 60)
        return ["BEGIN:VTIMEZONE", "TZID:" + zoneID, "BEGIN:STANDARD", "DTSTART:19700101T000000", "TZOFFSETFROM:" + text,
                "TZOFFSETTO:" + text, "END:STANDARD", "END:VTIMEZONE"]
    }

    private func vevent(_ event: AgendaEvent, stamp: String, original: CivilDate?, exception: AgendaOccurrences.Exception?,
                        exdates: [CivilDate]) -> [String] {
        let date = exception?.newDate ?? original ?? event.startDate
        let minute = exception?.newStartMinute ?? event.startMinute
        var lines = ["BEGIN:VEVENT", "UID:agenda-\(event.id)@conton", "DTSTAMP:" + stamp]
        if event.allDay {
            lines.append("DTSTART;VALUE=DATE:" + Self.compact(date))
            lines.append("DTEND;VALUE=DATE:" + Self.compact(date.adding(days: 1)))
        } else {
            lines.append("DTSTART;TZID=\(zoneID):" + Self.local(date, minute))
            let end = minute + event.durationMinutes
            lines.append("DTEND;TZID=\(zoneID):" + Self.local(date.adding(days: end / 1_440), end % 1_440))
        }
        if let original {
            lines.append(event.allDay ? "RECURRENCE-ID;VALUE=DATE:" + Self.compact(original)
                                      : "RECURRENCE-ID;TZID=\(zoneID):" + Self.local(original, event.startMinute))
        } else if var rule = event.recurrence {
            // A timed event's UNTIL must be a UTC time (RFC 5545 §3.3.10): the end of its day.
            if !event.allDay, case .date(let d)? = rule.until { rule.until = .instant(milliseconds: zone.instant(d.adding(days: 1)) - 1_000) }
            lines.append("RRULE:" + rule.text)
            for d in exdates {
                lines.append(event.allDay ? "EXDATE;VALUE=DATE:" + Self.compact(d) : "EXDATE;TZID=\(zoneID):" + Self.local(d, event.startMinute))
            }
        }
        lines.append("SUMMARY:" + Self.escape(event.title))
        if !event.description.isEmpty { lines.append("DESCRIPTION:" + Self.escape(event.description)) }
        lines.append("CATEGORIES:" + (event.kind == .obligation ? "OBRIGAÇÃO" : "EVENTO"))
        lines.append("TRANSP:" + (event.allDay ? "TRANSPARENT" : "OPAQUE"))
        lines.append("LAST-MODIFIED:" + Self.utc(event.updatedAtMs))
        lines.append("END:VEVENT")
        return lines
    }

    static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    static func compact(_ d: CivilDate) -> String { d.description.replacingOccurrences(of: "-", with: "") }
    static func local(_ d: CivilDate, _ minute: Int) -> String { compact(d) + "T" + two(minute / 60) + two(minute % 60) + "00" }
    static func utc(_ ms: Int64) -> String { Recurrence.utcText(ms) }

    /// TEXT escaping (RFC 5545 §3.3.11).
    static func escape(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\n": out += "\\n"
            case "\r": continue
            default: out.append(ch)
            }
        }
        return out
    }

    /// Lines longer than 75 octets folded (RFC 5545 §3.1), never inside a UTF-8 sequence.
    static func fold(_ line: String) -> String {
        guard line.utf8.count > 75 else { return line }
        var out = "", width = 0, limit = 75
        for scalar in line.unicodeScalars {
            let n = String(scalar).utf8.count
            if width + n > limit {
                out += "\r\n "
                width = 1
                limit = 75
            }
            out.unicodeScalars.append(scalar)
            width += n
        }
        return out
    }
}
