import ContonAPI
import ContonIdentity
import GRDB

/// A client's portal login as the API shows it.
enum ClientAccessInfo {
    static func access(of clientID: String, logins: ClientLogins, in db: Database) throws -> Conton_Clients_V1_ClientAccess {
        var access = Conton_Clients_V1_ClientAccess()
        guard let login = try logins.logins(of: clientID, in: db).first else { return access }
        access.enabled = true
        access.email = login.email
        access.userId = login.userID
        access.activated = login.activated
        access.disabled = login.disabled
        access.passwordChangeRequired = login.passwordChangeRequired
        access.lastLoginAtMs = login.lastLoginAt ?? 0
        return access
    }

    /// `client` with its `access` filled in.
    static func attach(to client: Conton_Clients_V1_Client, logins: ClientLogins, in db: Database) throws -> Conton_Clients_V1_Client {
        var client = client
        client.access = try access(of: client.id, logins: logins, in: db)
        return client
    }
}
