import ClientsPlugin
import ContonAPI
import ContonTesting
import Foundation
import GRPCCore
import Testing

/// Portal access (informações de acesso) and what a client principal may see. Through the real
/// server (``ClientsTLSTest``): these tests are about signing in (activation codes mailed as
/// `.eml` files, first-login password change, archived and revoked logins refused at sign-in), so
/// they need the identity service's real sessions and the mail delivery.
@Suite struct ClientPortalTests {
    @Test func accessEmailCarriesASingleUseCodeNeverAPassword() async throws {
        try await ClientsTLSTest.run { t in
            let client = try await t.create(person("Joana Araújo", cpf: Docs.cpfs[6], email: "joana@example.com"),
                                            access: access(send: true))
            #expect(client.access.enabled && !client.access.activated && client.access.email == "joana@example.com")
            let mailed = try #require(try await t.test.mailedCodes(to: "joana@example.com").last)
            let mails = t.test.outboxFiles()
            #expect(mails.count == 1)
            let text = try String(contentsOfFile: try #require(mails.first), encoding: .utf8)
            #expect(text.contains("joana@example.com") && !text.lowercased().contains("senha:"))
            let identity = Conton_Identity_V1_Identity.Client(wrapping: t.test.client)
            var activate = Conton_Identity_V1_ActivateAccountRequest()
            activate.code = mailed
            activate.newPassword = "joana's own password"
            _ = try await identity.activateAccount(activate)
            #expect(await code { _ = try await identity.activateAccount(activate) } == .invalidArgument)  // once only
            let portal = TestServer.bearer(try await t.test.login("joana@example.com", "joana's own password"))
            #expect(try await t.get("", metadata: portal).id == client.id)
            #expect(try await t.get(client.id).access.activated)
            // Already active: a resend is refused (password reset is the way).
            var resend = Conton_Clients_V1_ResendAccessEmailRequest()
            resend.clientId = client.id
            #expect(await code { _ = try await t.api.resendAccessEmail(resend, metadata: t.owner) } == .failedPrecondition)
        }
    }

    @Test func aClientReadsItsOwnRecordOnlyAndNoStaffMethod() async throws {
        try await ClientsTLSTest.run { t in
            let a = try await t.create(person("Cliente A", cpf: Docs.cpfs[7], email: "a@example.com"),
                                       access: access(password: "senha inicial A1"))
            let b = try await t.create(person("Cliente B", cpf: Docs.cpfs[8], email: "b@example.com"))
            #expect(a.access.passwordChangeRequired)
            let login = Conton_Identity_V1_Identity.Client(wrapping: t.test.client)
            var signIn = Conton_Identity_V1_LoginRequest()
            signIn.email = "a@example.com"
            signIn.password = "senha inicial A1"
            let first = try await login.login(signIn)
            #expect(first.passwordChangeRequired)
            var change = Conton_Identity_V1_ChangePasswordRequest()
            change.currentPassword = "senha inicial A1"
            change.newPassword = "a's own password"
            _ = try await login.changePassword(change, metadata: TestServer.bearer(first.token))
            let portal = TestServer.bearer(try await t.test.login("a@example.com", "a's own password"))
            #expect(try await t.get("", metadata: portal).id == a.id)
            #expect(try await t.get(a.id, metadata: portal).name == "Cliente A")
            // Another client's record: NOT_FOUND, the same answer as a missing one.
            #expect(await code { _ = try await t.get(b.id, metadata: portal) } == .notFound)
            #expect(await code { _ = try await t.get("no-such-id", metadata: portal) } == .notFound)
            // Every other method is staff-only.
            #expect(await code { _ = try await t.api.listClients(.init(), metadata: portal) } == .permissionDenied)
            var record = Conton_Clients_V1_GetClientRecordRequest()
            record.clientId = a.id
            #expect(await code { _ = try await t.api.getClientRecord(record, metadata: portal) } == .permissionDenied)
            var update = Conton_Clients_V1_UpdateClientRequest()
            update.client = a
            #expect(await code { _ = try await t.api.updateClient(update, metadata: portal) } == .permissionDenied)
        }
    }

    @Test func archiveDisablesTheLoginRevokeRemovesItAndAccessCanBeSetAgain() async throws {
        try await ClientsTLSTest.run { t in
            let client = try await t.create(person("Cliente C", cpf: Docs.cpfs[9], email: "c@example.com"))
            var set = access(email: "portal-c@example.com", password: "senha inicial C1")
            set.clientId = client.id
            let granted = try await t.api.setClientAccess(set, metadata: t.owner).access
            #expect(granted.enabled && granted.email == "portal-c@example.com" && granted.passwordChangeRequired)
            #expect(await code { _ = try await t.api.setClientAccess(set, metadata: t.owner) } == .alreadyExists)
            let token = try await t.test.login("portal-c@example.com", "senha inicial C1")
            var archive = Conton_Clients_V1_ArchiveClientRequest()
            archive.clientId = client.id
            _ = try await t.api.archiveClient(archive, metadata: t.owner)
            #expect(await code { _ = try await t.get("", metadata: TestServer.bearer(token)) } == .unauthenticated)
            #expect(await code { _ = try await t.test.login("portal-c@example.com", "senha inicial C1") } == .unauthenticated)
            var restore = Conton_Clients_V1_RestoreClientRequest()
            restore.clientId = client.id
            _ = try await t.api.restoreClient(restore, metadata: t.owner)
            _ = try await t.test.login("portal-c@example.com", "senha inicial C1")
            var revoke = Conton_Clients_V1_RevokeClientAccessRequest()
            revoke.clientId = client.id
            _ = try await t.api.revokeClientAccess(revoke, metadata: t.owner)
            #expect(await code { _ = try await t.test.login("portal-c@example.com", "senha inicial C1") } == .unauthenticated)
            #expect(await code { _ = try await t.api.revokeClientAccess(revoke, metadata: t.owner) } == .failedPrecondition)
            // Neither a password nor an e-mail: the client could never sign in.
            var none = access()
            none.clientId = client.id
            let error = await rpcError { _ = try await t.api.setClientAccess(none, metadata: t.owner) }
            #expect(error?.code == .invalidArgument && error?.message.contains("send_access_email") == true)
            // The default login e-mail is the client's; a weak password is named.
            var weak = access(password: "short")
            weak.clientId = client.id
            let weakError = await rpcError { _ = try await t.api.setClientAccess(weak, metadata: t.owner) }
            #expect(weakError?.message.contains("initial_password:") == true)
            var again = access(send: true)
            again.clientId = client.id
            #expect(try await t.api.setClientAccess(again, metadata: t.owner).access.email == "c@example.com")
            var resend = Conton_Clients_V1_ResendAccessEmailRequest()
            resend.clientId = client.id
            _ = try await t.api.resendAccessEmail(resend, metadata: t.owner)
            #expect(try await t.test.mailedCodes(to: "c@example.com", atLeast: 2).count == 2)
        }
    }
}
