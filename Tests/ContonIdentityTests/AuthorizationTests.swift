import ContonAPI
import ContonIdentity
import ContonKit
import ContonServer
import ContonStore
import ContonTLS
import ContonTesting
import ContonTransport
import Foundation
import GRPCCore
import Testing

/// Every method has a policy and the host enforces it before the handler runs.
@Suite struct AuthorizationTests {
    /// Calls any method with an empty message (raw bytes), as any kind of call.
    func rawCall(_ client: GRPCClient<ContonClientTransport>, _ method: MethodDescriptor, token: String?) async -> RPCError.Code? {
        let request = StreamingClientRequest<[UInt8]>(metadata: token.map(TestServer.bearer) ?? [:]) { writer in
            try await writer.write([])
        }
        do {
            try await client.bidirectionalStreaming(request: request, descriptor: method, serializer: RawBytesCodec(),
                                                    deserializer: RawBytesCodec(), options: .defaults) { response in
                for try await _ in response.messages {}
            }
            return nil
        } catch let error as RPCError {
            return error.code
        } catch {
            return .unknown
        }
    }

    @Test func everyMethodHasAPolicyAndTheHostEnforcesIt() async throws {
        try await withTestServer(plugins: [], configure: { $0.enableTestService = true }) { test in
            let policies = test.server.policies
            // Every method the server answers has a declared policy: reflection lists them all.
            let reflection = Conton_Reflection_V1_Reflection.Client(wrapping: test.client)
            let services = try await reflection.listServices(.init()).services
            var listed = 0
            for service in services {
                for method in service.methods {
                    listed += 1
                    #expect(policies.keys.contains { $0.fullyQualifiedMethod == method.fullName }, "\(method.fullName) has no policy")
                }
            }
            #expect(listed == policies.count && listed > 20)

            let owner = try await test.login()
            let client = try await test.clientLogin(clientID: "client-1", email: "cliente@example.com")
            let staff = try await test.staffUser("staff@example.com", role: .staff, ownerToken: owner)
            var checked = 0
            for (method, policy) in policies.sorted(by: { $0.key.fullyQualifiedMethod < $1.key.fullyQualifiedMethod }) where policy != .public {
                // Anonymous callers are refused every non-public method.
                let anonymous = await rawCall(test.client, method, token: nil)
                #expect(anonymous == .unauthenticated, "\(method.fullyQualifiedMethod) anonymous → \(String(describing: anonymous))")
                // A client principal is refused every method it may not call: every staff method.
                if policy.decide(.client(ClientIdentity(userID: "u", email: "e", name: "n", clientID: "c"))) != .allow {
                    let code = await rawCall(test.client, method, token: client)
                    #expect(code == .permissionDenied, "\(method.fullyQualifiedMethod) as client → \(String(describing: code))")
                    checked += 1
                }
                // A plain staff user is refused the admin-only methods.
                if case .denied = policy.decide(.staff(StaffIdentity(userID: "u", email: "e", name: "n", role: .staff))) {
                    let code = await rawCall(test.client, method, token: staff)
                    #expect(code == .permissionDenied, "\(method.fullyQualifiedMethod) as staff → \(String(describing: code))")
                }
            }
            #expect(checked >= 10)
            // A bad token on a public method is ignored; on any other it is UNAUTHENTICATED.
            _ = try await Conton_Health_V1_Health.Client(wrapping: test.client).check(.init(), metadata: TestServer.bearer("cts_forged"))
            await #expect(test.code { try await test.identity.whoAmI(.init(), metadata: TestServer.bearer("cts_forged")) } == .unauthenticated)
            await #expect(test.code { try await test.identity.whoAmI(.init(), metadata: ["authorization": "Basic b3duZXI="]) } == .unauthenticated)
        }
    }

    @Test func clientPrincipalCarriesItsClientID() async throws {
        try await withTestServer(plugins: []) { test in
            let token = try await test.clientLogin(clientID: "client-42", email: "maria@example.com")
            let me = try await test.identity.whoAmI(.init(), metadata: TestServer.bearer(token))
            #expect(me.principal.kind == .client && me.principal.clientId == "client-42")
            #expect(try ClientScope.scope(of: .client(ClientIdentity(userID: "u", email: "e", name: "n", clientID: "client-42"))) == .only(clientID: "client-42"))
            let scope = ClientScope.only(clientID: "client-42")
            #expect(throws: RPCError.self) { try scope.check("client-7") }
            do {
                try scope.check("client-7", "file")
                Issue.record("another client's record passed the scope")
            } catch let error as RPCError {
                #expect(error.code == .notFound && error.message == "file not found")
            }
        }
    }

    @Test func serviceAccountKeysAuthenticateUntilRevoked() async throws {
        try await withTestServer(plugins: [ScopedTestPlugin()]) { test in
            let owner = try await test.login()
            let accounts = Conton_Identity_V1_ServiceAccounts.Client(wrapping: test.client)
            var create = Conton_Identity_V1_CreateServiceAccountRequest()
            create.name = "billing job"
            create.scopes = ["fees:write", "BAD SCOPE"]
            await #expect(test.code { try await accounts.createServiceAccount(create, metadata: TestServer.bearer(owner)) } == .invalidArgument)
            // A scope no method accepts (a typo, or a role name) would give a key with no access:
            // refused, naming the known scopes.
            for typo in ["admin", "fees:writ", "x"] {
                create.scopes = ["fees:write", typo]
                let error = await rpcError { _ = try await accounts.createServiceAccount(create, metadata: TestServer.bearer(owner)) }
                #expect(error?.code == .invalidArgument)
                #expect(error?.message == "scopes[1]: '\(typo)' is not a scope any method accepts; the known scopes are fees:write, receivables:read, receivables:write")
            }
            create.scopes = ["fees:write", "receivables:read"]
            let created = try await accounts.createServiceAccount(create, metadata: TestServer.bearer(owner))
            #expect(created.apiKey.hasPrefix("ctk_"))
            let me = try await test.identity.whoAmI(.init(), metadata: TestServer.bearer(created.apiKey))
            #expect(me.principal.kind == .service && me.principal.scopes == ["fees:write", "receivables:read"])
            // A service account is not staff.
            await #expect(test.code { try await test.users.listUsers(.init(), metadata: TestServer.bearer(created.apiKey)) } == .permissionDenied)
            let listed = try await accounts.listServiceAccounts(.init(), metadata: TestServer.bearer(owner))
            #expect(listed.accounts.map(\.name) == ["billing job"])
            var revoke = Conton_Identity_V1_RevokeServiceAccountRequest()
            revoke.id = created.account.id
            _ = try await accounts.revokeServiceAccount(revoke, metadata: TestServer.bearer(owner))
            await #expect(test.code { try await test.identity.whoAmI(.init(), metadata: TestServer.bearer(created.apiKey)) } == .unauthenticated)
        }
    }

    @Test func mappedClientCertificateSignsInAsItsServiceAccount() async throws {
        try await withTestServer(plugins: [ScopedTestPlugin()], configure: { configuration in
            _ = try? configuration.developmentCertificates.ensure()
            configuration.clientCAPath = configuration.developmentCertificates.caCertificatePath
        }) { test in
            let certs = DevelopmentCertificates(directory: test.dataDirectory + "/tls")
            let cert = test.dataDirectory + "/svc.pem", key = test.dataDirectory + "/svc-key.pem"
            try certs.issueClientCertificate(commonName: "bank-reconciliation", certificatePath: cert, keyPath: key)
            let fingerprint = try await Self.sha256Fingerprint(cert)
            let owner = try await test.login()
            var create = Conton_Identity_V1_CreateServiceAccountRequest()
            create.name = "bank reconciliation"
            create.scopes = ["receivables:write"]
            create.certificateSha256 = fingerprint
            _ = try await Conton_Identity_V1_ServiceAccounts.Client(wrapping: test.client).createServiceAccount(create, metadata: TestServer.bearer(owner))

            let port = try await test.server.listeningAddress.port!
            let tls = try SSLContext(client: TLSClientConfiguration(trustRootsPath: certs.caCertificatePath, certificateChainPath: cert, privateKeyPath: key))
            let client = GRPCClient(transport: ContonClientTransport(host: "127.0.0.1", port: port, tls: tls, serverHostname: "localhost"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await client.runConnections() }
                let me = try await Conton_Identity_V1_Identity.Client(wrapping: client).whoAmI(.init())
                #expect(me.principal.kind == .service && me.principal.name == "bank reconciliation")
                client.beginGracefulShutdown()
                try await group.waitForAll()
            }
            // Without the certificate the same call is anonymous.
            await #expect(test.code { try await test.identity.whoAmI(.init()) } == .unauthenticated)
        }
    }

    /// `AB:CD:…` from `openssl x509 -fingerprint -sha256`, waited for off the cooperative pool.
    static func sha256Fingerprint(_ path: String) async throws -> String {
        try await BlockingWork.run(name: "openssl-fingerprint") { try sha256FingerprintBlocking(path) }
    }

    private static func sha256FingerprintBlocking(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["x509", "-in", path, "-noout", "-fingerprint", "-sha256"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return String(output.split(separator: "=").last ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
