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
}
