import ContonAPI
import ContonBrazil
import ContonKit
import Foundation
import GRDB

/// What the fees plugin needs of a client to generate its monthly fees: the default monthly fee
/// (honorário) and due day of its registration, its name and document, whether it is archived.
///
/// Read-only and inside the caller's transaction, so a generation sees the clients as they are
/// when it commits.
public struct ClientFeeDefaults: Sendable, Hashable {
    public var clientID: String
    /// The person's name (PF) or the razão social (PJ).
    public var name: String
    /// CPF or CNPJ, normalised (digits and upper-case letters).
    public var document: String
    /// The formatted CPF or CNPJ: "111.444.777-35".
    public var documentFormatted: String
    /// Default monthly fee in centavos (0: not set).
    public var monthlyFeeCents: Int64
    /// Day of the month fees fall due, 1–31 (0: not set).
    public var feeDueDay: Int
    public var archived: Bool

    /// The defaults of every client of `ids` that exists, by id (unknown ids are absent).
    public static func lookup(_ ids: [String], in db: Database) throws -> [String: ClientFeeDefaults] {
        var result: [String: ClientFeeDefaults] = [:]
        result.reserveCapacity(ids.count)
        // One query for the whole list: the ids as a JSON array, joined through json_each.
        let json = String(decoding: try JSONSerialization.data(withJSONObject: ids), as: UTF8.self)
        let rows = try Row.fetchCursor(db, sql: """
            SELECT id, name, document, data, archived_at_ms FROM clients_client
            WHERE id IN (SELECT value FROM json_each(?))
            """, arguments: [json])
        while let row = try rows.next() {
            let client = try Conton_Clients_V1_Client(serializedBytes: row["data"] as Data)
            let id: String = row["id"], document: String = row["document"]
            result[id] = ClientFeeDefaults(clientID: id, name: row["name"], document: document,
                                           documentFormatted: TaxID.formatted(document),
                                           monthlyFeeCents: client.monthlyFeeCents, feeDueDay: Int(client.feeDueDay),
                                           archived: (row["archived_at_ms"] as Int64?) != nil)
        }
        return result
    }
}
