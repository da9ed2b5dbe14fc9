import ContonAPI
import ContonKit
import GRDB

/// ImportClients' commit: the valid rows are inserted in one transaction, each with its audit
/// entry and `client.created` event; a row whose document is already registered, or repeats an
/// earlier row of the same import, is reported instead.
enum ClientImport {
    struct Row: Sendable {
        var number: Int
        var client: Conton_Clients_V1_Client
        var violations: [(field: String, description: String)]
    }

    static func commit(_ rows: [Row], in m: inout Mutation) throws -> [Conton_Clients_V1_ImportRowResult] {
        var firstRow: [String: Int] = [:]
        var results: [Conton_Clients_V1_ImportRowResult] = []
        results.reserveCapacity(rows.count)
        for row in rows {
            var result = Conton_Clients_V1_ImportRowResult()
            result.row = Int32(row.number)
            var violations = row.violations
            if violations.isEmpty {
                if let earlier = firstRow[row.client.document] {
                    violations.append(("client.document", "repeats row \(earlier) of this import"))
                } else if let existing = try String.fetchOne(m.db, sql: "SELECT id FROM clients_client WHERE document = ?", arguments: [row.client.document]) {
                    violations.append(("client.document", "is already the document of client \(existing)"))
                }
            }
            if violations.isEmpty {
                firstRow[row.client.document] = row.number
                let client = try ClientStore.insert(row.client, now: m.now, in: m.db)
                m.audit("client", client.id, "created client (import row \(row.number))")
                try m.publish(ClientCreated(clientID: client.id))
                result.clientId = client.id
            } else {
                result.violations = violations.map { field, description in
                    var v = Conton_Clients_V1_FieldViolation()
                    v.field = field
                    v.description = description
                    return v
                }
            }
            results.append(result)
        }
        return results
    }
}
