import ContonAPI
import ContonKit
import ContonServer
import ContonTesting
import ContonTransport
import Foundation
import GRPCCore
import Testing

typealias IdentityClient = Conton_Identity_V1_Identity.Client<ContonClientTransport>
typealias UsersClient = Conton_Identity_V1_Users.Client<ContonClientTransport>

extension TestServer {
    var identity: IdentityClient { IdentityClient(wrapping: client) }
    var users: UsersClient { UsersClient(wrapping: client) }

    /// The error code a call fails with (nil if it succeeds).
    func code<T: Sendable>(_ call: () async throws -> T) async -> RPCError.Code? {
        do {
            _ = try await call()
            return nil
        } catch let error as RPCError {
            return error.code
        } catch {
            return .unknown
        }
    }

    /// Creates a staff user as the owner and activates it with the mailed code; returns its token.
    func staffUser(_ email: String, role: Conton_Identity_V1_Role, ownerToken: String) async throws -> String {
        var create = Conton_Identity_V1_CreateUserRequest()
        create.email = email
        create.name = "Test \(email)"
        create.role = role
        _ = try await users.createUser(create, metadata: TestServer.bearer(ownerToken))
        let code = try #require(try await mailedCodes(to: email).last)
        var activate = Conton_Identity_V1_ActivateAccountRequest()
        activate.code = code
        activate.newPassword = "password for \(email)"
        _ = try await identity.activateAccount(activate)
        return try await login(email, "password for \(email)")
    }
}


/// A plugin serving `conton.testing.v1.ScopedService`, whose methods accept the service scopes
/// the identity tests grant, so they are known scopes (the server refuses scopes no method
/// accepts).
struct ScopedTestPlugin: Plugin {
    var id: String { "scoped-test" }

    func registerServices(_ services: inout ServiceRegistrar, context: PluginContext) {
        services.register(Unanswered())
    }

    struct Unanswered: Conton_Testing_V1_ScopedService.SimpleServiceProtocol {
        func writeFees(request: Conton_Testing_V1_Empty, context: ServerContext) async throws -> Conton_Testing_V1_Empty {
            throw RPCError(code: .unimplemented, message: "not implemented")
        }
        func readReceivables(request: Conton_Testing_V1_Empty, context: ServerContext) async throws -> Conton_Testing_V1_Empty {
            throw RPCError(code: .unimplemented, message: "not implemented")
        }
        func writeReceivables(request: Conton_Testing_V1_Empty, context: ServerContext) async throws -> Conton_Testing_V1_Empty {
            throw RPCError(code: .unimplemented, message: "not implemented")
        }
    }
}
