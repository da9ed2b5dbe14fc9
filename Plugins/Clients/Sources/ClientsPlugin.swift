import ContonAPI
import ContonIdentity
import ContonKit
import GRDB
import GRPCCore

/// Clientes (plugin id `clients`): the office's clients — registration with Brazilian document
/// rules, accent-insensitive search, portal access (informações de acesso), archive and
/// permanent deletion, the ficha, bulk import and export (docs/CLIENTS.md).
///
/// It provides the ``ContonKit/ClientDirectory`` lookup every other plugin uses to validate a
/// client id, and refuses to delete a client while other plugins still hold its records.
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

    public func registerServices(_ services: inout ServiceRegistrar, context: PluginContext) {
        context.clients.provide(ClientsLookup())
        services.register(ClientsService(context: context, logins: logins))
    }
}

/// ``ContonKit/ClientLookup`` over `clients_client`.
struct ClientsLookup: ClientLookup {
    func client(id: String, in db: Database) throws -> ClientSummary? {
        guard let row = try Row.fetchOne(db, sql: "SELECT id, name, document, email, archived_at_ms FROM clients_client WHERE id = ?", arguments: [id]) else {
            return nil
        }
        return ClientSummary(id: row["id"], name: row["name"], document: row["document"], email: row["email"],
                             archived: (row["archived_at_ms"] as Int64?) != nil)
    }
}
