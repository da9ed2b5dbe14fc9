import ContonAPI
import ContonKit
import GRDB
import GRPCCore

/// Identity and access as a plugin (id `identity`): users, sessions, service accounts, client
/// logins and the audit log reader. The server always registers it; feature plugins that create
/// client logins list it as a dependency and use ``ClientLogins``.
public struct IdentityPlugin: Plugin {
    public let settings: IdentitySettings

    public init(settings: IdentitySettings = IdentitySettings()) {
        self.settings = settings
    }

    public var id: String { "identity" }

    /// The client-login API for feature plugins.
    public var clientLogins: ClientLogins { ClientLogins(settings: settings) }

    public func registerMigrations(_ migrations: inout PluginMigrations) {
        IdentitySchema.register(&migrations)
    }

    /// The staff users, for plugins that assign work to them.
    public func provideCapabilities(_ capabilities: inout CapabilityRegistrar, context: PluginContext) {
        capabilities.provide((any StaffDirectory).self, IdentityStaffDirectory())
    }

    public func registerServices(_ services: inout ServiceRegistrar, context: PluginContext) {
        services.register(IdentityService(context: context, settings: settings))
        services.register(UsersService(context: context, settings: settings))
        services.register(ServiceAccountsService(context: context))
        services.register(AuditService(context: context))
    }
}

/// ``ContonKit/StaffDirectory`` over `identity_user`.
struct IdentityStaffDirectory: StaffDirectory {
    func staffUser(id: String, in db: Database) throws -> StaffSummary? {
        guard let row = try Row.fetchOne(db, sql: "SELECT id, name, email, role, disabled FROM identity_user WHERE id = ? AND kind = 'staff'",
                                         arguments: [id]),
              let role = StaffRole(rawValue: row[3]) else { return nil }
        return StaffSummary(id: row[0], name: row[1], email: row[2], role: role, disabled: row[4])
    }

    func activeStaff(in db: Database) throws -> [StaffSummary] {
        try Row.fetchAll(db, sql: "SELECT id, name, email, role FROM identity_user WHERE kind = 'staff' AND disabled = 0 ORDER BY id").compactMap { row in
            StaffRole(rawValue: row[3]).map { StaffSummary(id: row[0], name: row[1], email: row[2], role: $0, disabled: false) }
        }
    }

    func clientLogins(clientID: String, in db: Database) throws -> [PortalLogin] {
        try Row.fetchAll(db, sql: "SELECT id, client_id, name, email FROM identity_user WHERE client_id = ? AND kind = 'client' AND disabled = 0 ORDER BY id",
                         arguments: [clientID]).map { PortalLogin(id: $0[0], clientID: $0[1], name: $0[2], email: $0[3], disabled: false) }
    }

    func portalLogin(id: String, in db: Database) throws -> PortalLogin? {
        try Row.fetchOne(db, sql: "SELECT id, client_id, name, email, disabled FROM identity_user WHERE id = ? AND kind = 'client'", arguments: [id])
            .map { PortalLogin(id: $0[0], clientID: $0[1], name: $0[2], email: $0[3], disabled: $0[4]) }
    }
}
