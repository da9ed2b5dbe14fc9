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
        typealias I = Conton_Identity_V1_Identity.Method
        services.register(IdentityService(context: context, settings: settings), policies: [
            I.Login.descriptor: .public,
            I.Logout.descriptor: .staffOrClient(),
            I.WhoAmI.descriptor: .authenticated,
            I.ChangePassword.descriptor: .staffOrClient(),
            I.ActivateAccount.descriptor: .public,
            I.RequestPasswordReset.descriptor: .public,
            I.ResetPassword.descriptor: .public,
        ])
        typealias U = Conton_Identity_V1_Users.Method
        services.register(UsersService(context: context, settings: settings), policies: [
            U.CreateUser.descriptor: .staff(minimumRole: .admin),
            U.ListUsers.descriptor: .staff(),
            U.UpdateUser.descriptor: .staff(minimumRole: .admin),
            U.DisableUser.descriptor: .staff(minimumRole: .admin),
            U.EnableUser.descriptor: .staff(minimumRole: .admin),
            U.ResendInvitation.descriptor: .staff(minimumRole: .admin),
        ])
        typealias S = Conton_Identity_V1_ServiceAccounts.Method
        services.register(ServiceAccountsService(context: context), policies: [
            S.CreateServiceAccount.descriptor: .staff(minimumRole: .admin),
            S.ListServiceAccounts.descriptor: .staff(minimumRole: .admin),
            S.RevokeServiceAccount.descriptor: .staff(minimumRole: .admin),
        ])
        services.register(AuditService(context: context), policies: [
            Conton_Audit_V1_Audit.Method.ListEvents.descriptor: .staff(minimumRole: .admin),
        ])
    }
}
