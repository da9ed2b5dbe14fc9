import ContonAPI
import ContonKit
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

    public func registerServices(_ services: inout ServiceRegistrar, context: PluginContext) {
        services.register(IdentityService(context: context, settings: settings))
        services.register(UsersService(context: context, settings: settings))
        services.register(ServiceAccountsService(context: context))
        services.register(AuditService(context: context))
    }
}
