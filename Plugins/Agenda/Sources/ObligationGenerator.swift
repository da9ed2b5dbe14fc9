import AgendaCapability
import ClientsCapability
import ContonAPI
import ContonKit
import GRDB

/// Puts a year of obligation occurrences on the clients' agendas (GenerateObligations): one
/// all-day event per client, applicable template and competence, due on the template's day of
/// the month after the competence, moved by its non-business-day rule. Idempotent: the unique
/// (client, template, competence) row is created once, moved when its due date changed, and an
/// undelivered one that no longer applies is removed.
struct ObligationGenerator {
    struct Template: Sendable, Hashable {
        var id: Int64
        var code: String
        var name: String
        var dueDay: Int
        var rule: NonBusinessDayRule
        var taxRegimes: Set<Int>
        var requiresEmployees: Bool
        var sharedWithClient: Bool

        init(row: Row) {
            id = row["id"]
            code = row["code"]
            name = row["name"]
            dueDay = row["due_day"]
            rule = NonBusinessDayRule(rawValue: row["non_business_day"]) ?? .postpone
            taxRegimes = Set((row["tax_regimes"] as String).split(separator: ",").compactMap { Int($0) })
            requiresEmployees = row["requires_employees"]
            sharedWithClient = row["shared_with_client"]
        }

        func applies(to client: ClientObligationProfile) -> Bool {
            (taxRegimes.isEmpty || taxRegimes.contains(client.taxRegime)) && (!requiresEmployees || client.hasEmployees)
        }

        /// The due date of `competence`'s occurrence before the business-day rule.
        func nominalDue(_ competence: Competence) -> CivilDate {
            let month = competence.adding(months: 1)!
            return CivilDate(year: month.year, month: month.month, day: min(dueDay, CivilDate.daysIn(year: month.year, month: month.month)))!
        }
    }

    /// Reminder of an obligation: three days before its day.
    static let reminderMinutes = [3 * 1_440]

    struct Result: Sendable { var created = 0, updated = 0, unchanged = 0, removed = 0, clients = 0 }

    static func generate(year: Int, clientID: String?, clients: any ClientRegistry, calendar: some BusinessCalendar,
                         now: Int64, in db: Database) throws -> Result {
        let profiles = try clients.obligationProfiles(clientID, in: db)
        let templates = try Row.fetchAll(db, sql: "SELECT * FROM agenda_obligation_template WHERE active = 1 ORDER BY id").map(Template.init(row:))
        var result = Result(clients: profiles.count)
        let competences = (1...12).map { Competence(year: year, month: $0)! }
        var dueCache: [Int64: [CivilDate]] = [:]
        for template in templates {
            dueCache[template.id] = try competences.map { try calendar.adjust(template.nominalDue($0), template.rule, in: db) }
        }
        let prefix = String(year) + "-"
        for client in profiles {
            var existing: [String: (id: Int64, start: String, delivered: Bool)] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT id, template_id, competence, start_date, delivered_at_ms FROM agenda_event
                WHERE client_id = ? AND template_id IS NOT NULL AND competence LIKE ? || '%'
                """, arguments: [client.clientID, prefix]) {
                existing["\(row["template_id"] as Int64)/\(row["competence"] as String)"] = (row["id"], row["start_date"], (row["delivered_at_ms"] as Int64?) != nil)
            }
            var kept = Set<String>()
            for template in templates where !client.archived && template.applies(to: client) {
                for (i, competence) in competences.enumerated() {
                    let key = "\(template.id)/\(competence)"
                    kept.insert(key)
                    let due = dueCache[template.id]![i]
                    if let found = existing[key] {
                        if found.start == due.description || found.delivered { result.unchanged += 1; continue }
                        try db.execute(sql: "UPDATE agenda_event SET start_date = ?, last_date = ?, version = version + 1, updated_at_ms = ? WHERE id = ?",
                                       arguments: [due.description, due.description, now, found.id])
                        result.updated += 1
                        continue
                    }
                    var event = AgendaEvent(startDate: due)
                    event.clientID = client.clientID
                    event.kind = .obligation
                    event.title = "\(template.name) — competência \(competence.month < 10 ? "0" : "")\(competence.month)/\(competence.year)"
                    event.description = "Vencimento: dia \(template.dueDay) do mês seguinte à competência; "
                        + (template.rule == .postpone ? "prorrogado para o próximo dia útil." : "antecipado para o dia útil anterior.")
                    event.sharedWithClient = template.sharedWithClient
                    event.reminders = reminderMinutes
                    event.templateID = template.id
                    event.competence = competence.description
                    _ = try event.save(now: now, in: db)
                    result.created += 1
                }
            }
            for (key, found) in existing where !kept.contains(key) && !found.delivered {
                try db.execute(sql: "DELETE FROM agenda_event WHERE id = ?", arguments: [found.id])
                result.removed += 1
            }
        }
        return result
    }
}
