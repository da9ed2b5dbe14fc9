import ContonAPI
import ContonIdentity
import ContonKit
import ContonTesting
import Foundation
import GRDB
import GRPCCore
import Testing

/// Staff users, the role rules, activation codes, and the audit log.
@Suite struct UsersAndAuditTests {
    @Test func activationCodeWorksExactlyOnce() async throws {
        try await withTestServer(plugins: []) { test in
            let owner = try await test.login()
            var create = Conton_Identity_V1_CreateUserRequest()
            create.email = "Ana@Example.com "
            create.name = "Ana Lúcia"
            create.role = .staff
            let user = try await test.users.createUser(create, metadata: TestServer.bearer(owner)).user
            #expect(user.email == "ana@example.com" && !user.activated)
            // Not activated: cannot sign in yet (same answer as a wrong password).
            await #expect(test.code { try await test.login("ana@example.com", "anything at all") } == .unauthenticated)
            let code = try #require(try await test.mailedCodes(to: "ana@example.com").last)
            var activate = Conton_Identity_V1_ActivateAccountRequest()
            activate.code = code.lowercased().replacingOccurrences(of: "-", with: " ")  // as a person may type it
            activate.newPassword = "ana's own password"
            #expect(try await test.identity.activateAccount(activate).email == "ana@example.com")
            activate.newPassword = "someone else's password"
            await #expect(test.code { try await test.identity.activateAccount(activate) } == .invalidArgument)
            _ = try await test.login("ana@example.com", "ana's own password")
            await #expect(test.code { try await test.login("ana@example.com", "someone else's password") } == .unauthenticated)
            // The e-mail carries the code, never a password.
            let mail = try String(contentsOfFile: try #require(test.outboxFiles().last), encoding: .utf8)
            #expect(!mail.contains("ana's own password"))
        }
    }

    @Test func passwordResetMailsACodeOnlyForRealAccounts() async throws {
        try await withTestServer(plugins: []) { test in
            var request = Conton_Identity_V1_RequestPasswordResetRequest()
            request.email = "nobody@example.com"
            _ = try await test.identity.requestPasswordReset(request)
            request.email = TestServer.ownerEmail
            _ = try await test.identity.requestPasswordReset(request)
            let codes = try await test.mailedCodes(to: TestServer.ownerEmail)
            #expect(codes.count == 1)
            #expect(test.outboxFiles().count == 1)  // nothing for the unknown address
            let before = try await test.login()
            var reset = Conton_Identity_V1_ResetPasswordRequest()
            reset.code = codes[0]
            reset.newPassword = "reset passphrase ok"
            _ = try await test.identity.resetPassword(reset)
            await #expect(test.code { try await test.identity.whoAmI(.init(), metadata: TestServer.bearer(before)) } == .unauthenticated)
            await #expect(test.code { try await test.identity.resetPassword(reset) } == .invalidArgument)
            _ = try await test.login(TestServer.ownerEmail, "reset passphrase ok")
        }
    }

    @Test func roleRulesProtectOwnersAndTheLastOwner() async throws {
        try await withTestServer(plugins: []) { test in
            let owner = try await test.login()
            let admin = try await test.staffUser("admin@example.com", role: .admin, ownerToken: owner)
            var create = Conton_Identity_V1_CreateUserRequest()
            create.email = "second-owner@example.com"
            create.name = "Second"
            create.role = .owner
            await #expect(test.code { try await test.users.createUser(create, metadata: TestServer.bearer(admin)) } == .permissionDenied)
            create.role = .staff
            create.email = "admin@example.com"
            await #expect(test.code { try await test.users.createUser(create, metadata: TestServer.bearer(admin)) } == .alreadyExists)
            create.email = "not an email"
            create.name = ""
            do {
                _ = try await test.users.createUser(create, metadata: TestServer.bearer(admin))
                Issue.record("invalid user accepted")
            } catch let error as RPCError {
                #expect(error.code == .invalidArgument && error.message.contains("email:") && error.message.contains("name:"))
            }
            let users = try await test.users.listUsers(.init(), metadata: TestServer.bearer(admin)).users
            let ownerID = try #require(users.first { $0.email == TestServer.ownerEmail }?.id)
            var disable = Conton_Identity_V1_DisableUserRequest()
            disable.id = ownerID
            await #expect(test.code { try await test.users.disableUser(disable, metadata: TestServer.bearer(admin)) } == .permissionDenied)
            await #expect(test.code { try await test.users.disableUser(disable, metadata: TestServer.bearer(owner)) } == .failedPrecondition)
            var demote = Conton_Identity_V1_UpdateUserRequest()
            demote.id = ownerID
            demote.role = .admin
            demote.updateMask = ["role"]
            await #expect(test.code { try await test.users.updateUser(demote, metadata: TestServer.bearer(owner)) } == .failedPrecondition)
            // Disabling a user ends their sessions at once.
            let adminID = try #require(users.first { $0.email == "admin@example.com" }?.id)
            disable.id = adminID
            _ = try await test.users.disableUser(disable, metadata: TestServer.bearer(owner))
            await #expect(test.code { try await test.identity.whoAmI(.init(), metadata: TestServer.bearer(admin)) } == .unauthenticated)
            await #expect(test.code { try await test.login("admin@example.com", "password for admin@example.com") } == .unauthenticated)
        }
    }

    @Test func everyMutationIsAuditedInItsTransactionAndFailuresAreNot() async throws {
        try await withTestServer(plugins: []) { test in
            let owner = try await test.login()
            var create = Conton_Identity_V1_CreateUserRequest()
            create.email = "bia@example.com"
            create.name = "Bia"
            create.role = .staff
            let bia = try await test.users.createUser(create, metadata: TestServer.bearer(owner)).user
            create.email = "invalid"
            _ = await test.code { try await test.users.createUser(create, metadata: TestServer.bearer(owner)) }
            let audit = Conton_Audit_V1_Audit.Client(wrapping: test.client)
            var request = Conton_Audit_V1_ListEventsRequest()
            request.entityType = "user"
            request.entityId = bia.id
            let events = try await audit.listEvents(request, metadata: TestServer.bearer(owner)).events
            #expect(events.count == 1)
            let event = try #require(events.first)
            #expect(event.method == "conton.identity.v1.Users/CreateUser")
            #expect(event.principalKind == "staff" && event.principalName == TestServer.ownerEmail)
            #expect(event.summary.contains("bia@example.com") && event.peer.hasPrefix("ipv4:127.0.0.1:"))
            // The invalid request left neither a user nor an audit row.
            let total = try await test.server.host.database.pool.read { db in
                (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM identity_user") ?? 0,
                 try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM host_audit WHERE summary LIKE '%invalid%'") ?? 0)
            }
            #expect(total.0 == 2 && total.1 == 0)
            // Paging, newest first.
            var all = Conton_Audit_V1_ListEventsRequest()
            all.pageSize = 1
            let first = try await audit.listEvents(all, metadata: TestServer.bearer(owner))
            all.pageToken = first.nextPageToken
            let second = try await audit.listEvents(all, metadata: TestServer.bearer(owner))
            #expect(first.events.count == 1 && second.events.count == 1 && first.events[0].id > second.events[0].id)
            // A write without an audit entry is refused and rolled back.
            let identity = try #require(test.server.host.plugins.first { $0.id == "identity" })
            let context = test.server.host.context(for: identity)
            await #expect(throws: MutationError.self) {
                try await context.write { m in try m.db.execute(sql: "UPDATE identity_user SET name = 'x'") }
            }
            let names = try await test.server.host.database.pool.read { db in try String.fetchAll(db, sql: "SELECT name FROM identity_user") }
            #expect(!names.contains("x"))
        }
    }
}
