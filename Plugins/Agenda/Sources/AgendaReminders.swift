import ContonKit
import GRDB

/// The reminder sweep: every reminder whose time has come (the occurrence's start minus its
/// minutes) and whose occurrence has not started yet publishes ``AgendaReminderDue`` once —
/// `agenda_reminder_sent` keeps which were sent, in the same transaction as the event.
enum AgendaReminders {
    static func sweep(context: PluginContext, zone: OfficeZone) async throws -> Int {
        try await context.write { m in
            let now = m.now
            let today = zone.date(of: now)
            // The furthest a reminder reaches ahead: 60 days, plus a day for all-day events.
            let horizon = zone.date(of: now + Int64(AgendaEvent.maxReminderMinutes) * 60_000).adding(days: 1)
            let occurrences = try AgendaOccurrences(zone: zone).list(AgendaOccurrences.Filter(withReminders: true), from: today, through: horizon, in: m.db).occurrences
            guard !occurrences.isEmpty else { return 0 }
            var reminders: [Int64: [Int]] = [:]
            for row in try Row.fetchAll(m.db, sql: "SELECT id, reminders FROM agenda_event WHERE reminders <> ''") {
                reminders[row["id"]] = (row["reminders"] as String).split(separator: ",").compactMap { Int($0) }
            }
            var sent = 0
            for o in occurrences where o.startMs > now {
                for minutes in reminders[o.eventId] ?? [] where o.startMs - Int64(minutes) * 60_000 <= now {
                    try m.db.execute(sql: """
                        INSERT INTO agenda_reminder_sent (event_id, original_date, minutes, sent_at_ms) VALUES (?, ?, ?, ?)
                        ON CONFLICT DO NOTHING
                        """, arguments: [o.eventId, o.originalDate, minutes, now])
                    guard m.db.changesCount > 0 else { continue }
                    try m.publish(AgendaReminderDue(eventID: o.eventId, clientID: o.clientId, title: o.title, originalDate: o.originalDate,
                                                    startMs: o.startMs, minutesBefore: minutes, sharedWithClient: o.sharedWithClient,
                                                    responsibleUserID: o.responsibleUserId))
                    sent += 1
                }
            }
            if sent > 0 { m.audit("agenda", "reminders", "sent \(sent) reminder(s)") }
            return sent
        }
    }
}
