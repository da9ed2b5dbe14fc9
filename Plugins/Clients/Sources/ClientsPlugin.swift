import ClientsCapability
import ContonAPI
import ContonBrazil
import ContonIdentity
import ContonKit
import Foundation
import GRDB
import GRPCCore

/// Clientes (plugin id `clients`): the office's clients — registration with Brazilian document
/// rules, accent-insensitive search, portal access (informações de acesso), archive and
/// permanent deletion, the ficha, bulk import and export (docs/CLIENTS.md).
///
/// It provides ``ClientsCapability/ClientRegistry``, which every other plugin uses to validate a
/// client id and read its fee defaults, and refuses to delete a client while other plugins still
/// hold its records (their ``ClientsCapability/ClientRecordHolder`` contributions).
public struct ClientsPlugin: Plugin {
    let logins: ClientLogins

    /// - Parameter logins: the identity layer's client-login API, with the server's identity
    ///   settings (office name in e-mails, activation code lifetime).
    public init(logins: ClientLogins = ClientLogins()) {
        self.logins = logins
    }

    public var id: String { "clients" }
    public var dependencies: [String] { ["identity"] }

    public func registerMigrations(_ migrations: inout PluginMigrations) {
        ClientsSchema.register(&migrations)
    }

    public func provideCapabilities(_ capabilities: inout CapabilityRegistrar, context: PluginContext) {
        capabilities.provide((any ClientRegistry).self, ClientsRegistry())
    }

    public func registerServices(_ services: inout ServiceRegistrar, context: PluginContext) {
        services.register(ClientsService(context: context, logins: logins))
    }
}

/// ``ClientsCapability/ClientRegistry`` over `clients_client`.
struct ClientsRegistry: ClientRegistry {
    func client(id: String, in db: Database) throws -> ClientSummary? {
        guard let row = try Row.fetchOne(try db.cachedStatement(sql: "SELECT id, name, document, email, archived_at_ms FROM clients_client WHERE id = ?"),
                                         arguments: [id]) else {
            return nil
        }
        return ClientSummary(id: row["id"], name: row["name"], document: row["document"], email: row["email"],
                             archived: (row["archived_at_ms"] as Int64?) != nil)
    }

    func clients(ids: [String], in db: Database) throws -> [String: ClientSummary] {
        Dictionary(try summaries(where: "id", in: ids, db).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    func clients(documents: [String], in db: Database) throws -> [String: ClientSummary] {
        Dictionary(try summaries(where: "document", in: documents, db).map { ($0.document, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// The clients whose `column` is one of `values`: one query, the values as a JSON array.
    private func summaries(where column: String, in values: [String], _ db: Database) throws -> [ClientSummary] {
        let json = String(decoding: try JSONSerialization.data(withJSONObject: values), as: UTF8.self)
        return try Row.fetchAll(db, sql: """
            SELECT id, name, document, email, archived_at_ms FROM clients_client
            WHERE \(column) IN (SELECT value FROM json_each(?))
            """, arguments: [json]).map { row in
            ClientSummary(id: row[0], name: row[1], document: row[2], email: row[3], archived: (row[4] as Int64?) != nil)
        }
    }

    func postalAddress(of id: String, in db: Database) throws -> ClientPostalAddress? {
        guard let data = try Data.fetchOne(db, sql: "SELECT data FROM clients_client WHERE id = ?", arguments: [id]) else { return nil }
        let a = try Conton_Clients_V1_Client(serializedBytes: data).address
        return ClientPostalAddress(cep: a.cep, street: a.street, number: a.number, complement: a.complement, district: a.district,
                                   city: a.city, uf: a.uf)
    }

    func setMonthlyFee(of id: String, to cents: Int64, why: String, in m: inout Mutation) throws {
        var client = try ClientStore.require(id, in: m.db)
        guard (0...ClientValidation.maxFeeCents).contains(cents) else {
            throw FieldErrors.single("monthly_fee_cents", "must be 0 to \(ClientValidation.maxFeeCents) centavos")
        }
        let previous = client.monthlyFeeCents
        client.monthlyFeeCents = cents
        _ = try ClientStore.update(id, with: client, now: m.now, in: m.db)
        m.audit("client", id, "monthly fee \(previous) → \(cents) centavos: \(why)")
        try m.publish(ClientUpdated(clientID: id, fields: ["monthly_fee_cents"]))
    }

    func obligationProfiles(_ id: String?, in db: Database) throws -> [ClientObligationProfile] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT id, name, tax_regime, data, archived_at_ms FROM clients_client
            WHERE \(id == nil ? "archived_at_ms IS NULL" : "id = ?") ORDER BY id
            """, arguments: id.map { [$0] } ?? [])
        return try rows.map { row in
            let client = try Conton_Clients_V1_Client(serializedBytes: row["data"] as Data)
            return ClientObligationProfile(clientID: row["id"], name: row["name"], taxRegime: row["tax_regime"],
                                           hasEmployees: client.hasEmployees, archived: (row["archived_at_ms"] as Int64?) != nil)
        }
    }

    func feeDefaults(_ ids: [String], in db: Database) throws -> [String: ClientFeeDefaults] {
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
