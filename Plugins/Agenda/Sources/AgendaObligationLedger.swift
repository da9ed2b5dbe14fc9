import AgendaCapability
import GRDB

/// ``AgendaCapability/ObligationLedger`` over `agenda_event` (the events with a template).
struct AgendaObligationLedger: ObligationLedger {
    func obligation(id: Int64, in db: Database) throws -> ObligationSummary? {
        try Row.fetchOne(db, sql: """
            SELECT id, client_id, title, competence, start_date, delivered_at_ms FROM agenda_event WHERE id = ? AND template_id IS NOT NULL
            """, arguments: [id]).map { ObligationSummary(id: $0[0], clientID: $0[1], title: $0[2], competence: $0[3], dueDate: $0[4], deliveredAtMs: $0[5]) }
    }

    func markDelivered(id: Int64, atMs: Int64, in db: Database) throws -> Bool {
        try db.execute(sql: """
            UPDATE agenda_event SET delivered_at_ms = ?, version = version + 1, updated_at_ms = ?
            WHERE id = ? AND template_id IS NOT NULL AND delivered_at_ms IS NULL
            """, arguments: [atMs, atMs, id])
        return db.changesCount > 0
    }
}
