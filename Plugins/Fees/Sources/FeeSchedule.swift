import ContonKit
import Foundation
import GRDB

/// Which monthly fee a client is charged for a competence: the default fee of its registration,
/// except for competences before a readjustment's first month, which keep the fee in force before
/// it (`fees_fee_change.previous_cents` of the earliest change starting after the competence).
///
/// So a readjustment from 2027-01 entered in November 2026 changes the registration at once, and
/// a generation of December 2026 made after it still charges the old fee.
struct FeeSchedule {
    /// Per client, its changes by first month, oldest first.
    private var changes: [String: [(from: String, previous: Int64)]] = [:]

    /// The changes of `clientIDs`, in one query.
    init(_ clientIDs: [String], in db: Database) throws {
        let json = String(decoding: try JSONSerialization.data(withJSONObject: clientIDs), as: UTF8.self)
        let rows = try Row.fetchCursor(db, sql: """
            SELECT client_id, effective_from, previous_cents FROM fees_fee_change
            WHERE client_id IN (SELECT value FROM json_each(?)) ORDER BY client_id, effective_from, id
            """, arguments: [json])
        while let row = try rows.next() {
            changes[row[0], default: []].append((row[1], row[2]))
        }
    }

    /// The fee for `competence` (YYYY-MM) of a client whose registration says `current`.
    func amount(of clientID: String, current: Int64, for competence: String) -> Int64 {
        guard let list = changes[clientID] else { return current }
        return list.first(where: { $0.from > competence })?.previous ?? current
    }

    /// The first month of the client's latest readjustment, if any.
    func latestChange(of clientID: String) -> String? {
        changes[clientID]?.last?.from
    }
}
