import ContonAPI
import ContonBrazil
import ContonKit
import Foundation
import GRDB
import GRPCCore

/// Reads and writes `clients_client` rows. Every function runs inside the caller's
/// transaction.
enum ClientStore {
    typealias Client = Conton_Clients_V1_Client

    static let columns = "id, data, version, created_at_ms, updated_at_ms, archived_at_ms"

    /// The client of a row selected with ``columns``.
    static func client(_ row: Row) throws -> Client {
        var c = try Client(serializedBytes: row["data"] as Data)
        c.id = row["id"]
        c.documentFormatted = TaxID.formatted(c.document)
        c.version = row["version"]
        c.createdAtMs = row["created_at_ms"]
        c.updatedAtMs = row["updated_at_ms"]
        let archived: Int64? = row["archived_at_ms"]
        c.archivedAtMs = archived ?? 0
        c.status = archived == nil ? .active : .archived
        return c
    }

    static func find(_ id: String, in db: Database) throws -> Client? {
        try Row.fetchOne(db, sql: "SELECT \(columns) FROM clients_client WHERE id = ?", arguments: [id]).map(client)
    }

    /// The client `id`, or NOT_FOUND.
    static func require(_ id: String, in db: Database) throws -> Client {
        guard !id.isEmpty else { throw FieldErrors.single("client_id", "is required") }
        guard let client = try find(id, in: db) else { throw ServiceError.notFound("client", id, type: "conton.clients.v1.Client") }
        return client
    }

    /// ALREADY_EXISTS naming the client that already has `document` (other than `except`): its id in
    /// the error's `google.rpc.ResourceInfo`.
    static func checkUnique(document: String, except id: String? = nil, in db: Database) throws {
        guard let row = try Row.fetchOne(db, sql: "SELECT id, name FROM clients_client WHERE document = ?", arguments: [document]),
              (row["id"] as String) != id else { return }
        let name: String = row["name"]
        throw ServiceError.alreadyExists("\(TaxID.formatted(document)) is already the document of client \(row["id"] as String) (\(name))",
                                         reason: "CLIENT_DOCUMENT_TAKEN",
                                         existing: ErrorDetails.Resource(type: "conton.clients.v1.Client", name: row["id"], description: name))
    }

    /// Inserts a validated, normalised client with a new id; returns it as stored.
    static func insert(_ input: Client, now: Int64, in db: Database) throws -> Client {
        let id = UUID().uuidString.lowercased()
        try db.execute(sql: """
            INSERT INTO clients_client (id, person_type, name, document, email, tax_regime, name_key, search_key, data, version,
                                        created_at_ms, updated_at_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
            """, arguments: [id, input.personType.rawValue, input.name, input.document, input.email, input.taxRegime.rawValue,
                             SearchKey.fold(input.name), searchKey(input), stored(input), now, now])
        return try find(id, in: db)!
    }

    /// Replaces the registration of `id` (already validated) and bumps its version.
    static func update(_ id: String, with input: Client, now: Int64, in db: Database) throws -> Client {
        try db.execute(sql: """
            UPDATE clients_client SET person_type = ?, name = ?, document = ?, email = ?, tax_regime = ?, name_key = ?, search_key = ?,
              data = ?, version = version + 1, updated_at_ms = ?
            WHERE id = ?
            """, arguments: [input.personType.rawValue, input.name, input.document, input.email, input.taxRegime.rawValue,
                             SearchKey.fold(input.name), searchKey(input), stored(input), now, id])
        return try find(id, in: db)!
    }

    /// Archives (`archived` true) or restores `id`, bumping its version.
    static func setArchived(_ id: String, _ archived: Bool, now: Int64, in db: Database) throws -> Client {
        try db.execute(sql: "UPDATE clients_client SET archived_at_ms = ?, version = version + 1, updated_at_ms = ? WHERE id = ?",
                       arguments: [archived ? now : nil, now, id])
        return try find(id, in: db)!
    }

    static func delete(_ id: String, in db: Database) throws {
        try db.execute(sql: "DELETE FROM clients_client WHERE id = ?", arguments: [id])
    }

    /// What the trigram index searches: the names folded (lower case, no accents).
    static func searchKey(_ c: Client) -> String {
        SearchKey.fold(c.tradeName.isEmpty ? c.name : c.name + " \u{2022} " + c.tradeName)
    }

    /// The registration as stored: output-only fields live in columns, not in the bytes.
    private static func stored(_ input: Client) -> Data {
        Data(registration(of: input).serializedBytes())
    }

    /// `client` without its output-only fields (id, formatted document, status, version,
    /// timestamps, access): what a caller may write and what the `data` column keeps.
    static func registration(of client: Client) -> Client {
        var c = client
        c.id = ""
        c.documentFormatted = ""
        c.status = .unspecified
        c.version = 0
        c.createdAtMs = 0
        c.updatedAtMs = 0
        c.archivedAtMs = 0
        c.clearAccess()
        return c
    }
}
