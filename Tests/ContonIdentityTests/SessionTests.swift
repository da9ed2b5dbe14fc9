import ContonAPI
import ContonIdentity
import ContonKit
import ContonServer
import ContonTesting
import Foundation
import GRPCCore
import Testing

/// Login, WhoAmI, logout, expiry, throttling, password change — over the real TLS transport.
@Suite struct SessionTests {
    func loginRequest(_ email: String, _ password: String) -> Conton_Identity_V1_LoginRequest {
        var request = Conton_Identity_V1_LoginRequest()
        request.email = email
        request.password = password
        return request
    }

    @Test func ownerLogsInAndWhoAmIKnowsThem() async throws {
        try await withTestServer(plugins: []) { test in
            let response = try await test.identity.login(loginRequest(TestServer.ownerEmail, TestServer.ownerPassword))
            #expect(response.token.hasPrefix("cts_") && response.token.count == 47)
            #expect(response.principal.kind == .staff && response.principal.role == .owner)
            #expect(!response.passwordChangeRequired)
            let me = try await test.identity.whoAmI(.init(), metadata: TestServer.bearer(response.token))
            #expect(me.principal.email == TestServer.ownerEmail)
            #expect(me.expiresAtMs - me.idleExpiresAtMs > 0)
            // The token itself is not stored: only its SHA-256.
            let stored = try await test.server.host.database.pool.read { db in try String.fetchAll(db, sql: "SELECT token_hash FROM identity_session") }
            #expect(stored.count == 1 && stored[0].count == 64 && !stored.contains(response.token))
        }
    }

    @Test func wrongPasswordAndUnknownEmailAnswerAlike() async throws {
        try await withTestServer(plugins: []) { test in
            func failure(_ email: String, _ password: String) async -> String {
                do {
                    _ = try await test.identity.login(loginRequest(email, password))
                    return "succeeded"
                } catch let error as RPCError {
                    return "\(error.code) \(error.message) \(error.metadata)"
                } catch {
                    return "\(error)"
                }
            }
            let wrong = await failure(TestServer.ownerEmail, "not the password")
            let unknown = await failure("nobody@example.com", "not the password")
            #expect(wrong == unknown)
            #expect(wrong.hasPrefix("unauthenticated"))
        }
    }

    @Test func sixthFailureInARowIsThrottledUntilTheBackoffEnds() async throws {
        let clock = TestClock()
        try await withTestServer(plugins: [], configure: { $0.clock = clock }) { test in
            for _ in 1...5 {
                await #expect(test.code { try await test.identity.login(loginRequest(TestServer.ownerEmail, "wrong password!")) } == .unauthenticated)
            }
            // Even the right password is refused while blocked, with the delay in the trailers.
            do {
                _ = try await test.identity.login(loginRequest(TestServer.ownerEmail, TestServer.ownerPassword))
                Issue.record("the sixth attempt was not throttled")
            } catch let error as RPCError {
                #expect(error.code == .resourceExhausted)
                #expect(error.metadata[stringValues: "retry-after-ms"].first(where: { _ in true }) == "30000")
                // The same wait as google.rpc.RetryInfo, with the reason as google.rpc.ErrorInfo.
                #expect(error.details?.retryDelayMilliseconds == 30_000)
                #expect(error.details?.reason?.reason == "TOO_MANY_SIGN_IN_ATTEMPTS")
            }
            clock.advance(milliseconds: 30_001)
            _ = try await test.login()
            // A success clears the streak: five more failures are allowed.
            for _ in 1...5 {
                await #expect(test.code { try await test.identity.login(loginRequest(TestServer.ownerEmail, "wrong password!")) } == .unauthenticated)
            }
            await #expect(test.code { try await test.identity.login(loginRequest(TestServer.ownerEmail, "wrong password!")) } == .resourceExhausted)
            // The backoff doubles: 30 s after the fifth failure, 60 s after the sixth.
            clock.advance(milliseconds: 30_001)
            await #expect(test.code { try await test.identity.login(loginRequest(TestServer.ownerEmail, "wrong password!")) } == .unauthenticated)
            clock.advance(milliseconds: 30_001)
            await #expect(test.code { try await test.identity.login(loginRequest(TestServer.ownerEmail, TestServer.ownerPassword)) } == .resourceExhausted)
            clock.advance(milliseconds: 30_000)
            _ = try await test.login()
        }
    }

    @Test func sessionsExpireWhenIdleAndAtTheirEnd() async throws {
        let clock = TestClock()
        try await withTestServer(plugins: [], configure: { $0.clock = clock }) { test in
            let idle = try await test.login()
            clock.advance(milliseconds: 8 * 3_600_000 + 1)
            await #expect(test.code { try await test.identity.whoAmI(.init(), metadata: TestServer.bearer(idle)) } == .unauthenticated)

            let busy = try await test.login()
            for _ in 0..<(30 * 3) {  // used every 8 h minus a minute for 30 days
                clock.advance(milliseconds: 8 * 3_600_000 - 60_000)
                if clock.nowMilliseconds > 1_790_000_000_000 + 8 * 3_600_000 + 30 * 86_400_000 { break }
                _ = try await test.identity.whoAmI(.init(), metadata: TestServer.bearer(busy))
            }
            clock.advance(milliseconds: 8 * 3_600_000 - 60_000)
            await #expect(test.code { try await test.identity.whoAmI(.init(), metadata: TestServer.bearer(busy)) } == .unauthenticated)
        }
    }

    @Test func logoutEndsOnlyThatSession() async throws {
        try await withTestServer(plugins: []) { test in
            let a = try await test.login(), b = try await test.login()
            _ = try await test.identity.logout(.init(), metadata: TestServer.bearer(a))
            await #expect(test.code { try await test.identity.whoAmI(.init(), metadata: TestServer.bearer(a)) } == .unauthenticated)
            _ = try await test.identity.whoAmI(.init(), metadata: TestServer.bearer(b))
        }
    }

    @Test func changingThePasswordRevokesEverySession() async throws {
        try await withTestServer(plugins: []) { test in
            let a = try await test.login(), b = try await test.login()
            var change = Conton_Identity_V1_ChangePasswordRequest()
            change.currentPassword = "not it at all"
            change.newPassword = "a brand new passphrase"
            await #expect(test.code { try await test.identity.changePassword(change, metadata: TestServer.bearer(a)) } == .invalidArgument)
            change.currentPassword = TestServer.ownerPassword
            change.newPassword = "short"
            await #expect(test.code { try await test.identity.changePassword(change, metadata: TestServer.bearer(a)) } == .invalidArgument)
            change.newPassword = "a brand new passphrase"
            let fresh = try await test.identity.changePassword(change, metadata: TestServer.bearer(a))
            for old in [a, b] {
                await #expect(test.code { try await test.identity.whoAmI(.init(), metadata: TestServer.bearer(old)) } == .unauthenticated)
            }
            _ = try await test.identity.whoAmI(.init(), metadata: TestServer.bearer(fresh.token))
            await #expect(test.code { try await test.login() } == .unauthenticated)
            _ = try await test.login(TestServer.ownerEmail, "a brand new passphrase")
        }
    }

    @Test func generatedOwnerPasswordMustBeChangedBeforeAnythingElse() async throws {
        let directory = NSTemporaryDirectory() + "conton-owner-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var printed: OwnerBootstrap.Credentials?
        try await withTestServer(plugins: [], configure: { $0.dataDirectory = directory; $0.ownerPassword = nil; $0.ownerEmail = nil }) { test in
            // The harness already bootstrapped; read what a first `serve` prints by resetting.
            printed = try await OwnerBootstrap.resetOwner(database: test.server.host.database, email: nil, password: nil,
                                                          now: Int64(Date().timeIntervalSince1970 * 1000))
            let credentials = try #require(printed)
            #expect(credentials.email == OwnerBootstrap.defaultEmail)
            let password = try #require(credentials.generatedPassword)
            let login = try await test.identity.login(loginRequest(credentials.email, password))
            #expect(login.passwordChangeRequired)
            let me = try await test.identity.whoAmI(.init(), metadata: TestServer.bearer(login.token))
            #expect(me.passwordChangeRequired)
            await #expect(test.code { try await test.users.listUsers(.init(), metadata: TestServer.bearer(login.token)) } == .failedPrecondition)
            var change = Conton_Identity_V1_ChangePasswordRequest()
            change.currentPassword = password
            change.newPassword = "the owner's own passphrase"
            let fresh = try await test.identity.changePassword(change, metadata: TestServer.bearer(login.token))
            _ = try await test.users.listUsers(.init(), metadata: TestServer.bearer(fresh.token))
        }
    }

    @Test func firstServeCreatesTheOwnerOnceOnly() async throws {
        let directory = NSTemporaryDirectory() + "conton-first-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = ServerConfiguration()
        configuration.dataDirectory = directory
        configuration.port = 0
        let server = try ContonServer(configuration: configuration)
        let first = try #require(try await server.bootstrapOwner())
        #expect(first.email == OwnerBootstrap.defaultEmail)
        #expect((first.generatedPassword?.count ?? 0) >= 20)
        #expect(try await server.bootstrapOwner() == nil)
        try server.host.database.close()
    }
}
