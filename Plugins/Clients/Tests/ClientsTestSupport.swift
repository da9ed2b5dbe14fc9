import ClientsPlugin
import ContonAPI
import ContonKit
import ContonTesting
import ContonStore
import ContonTransport
import ContonBrazil
import GRDB
import GRPCCore
import Testing

typealias Client = Conton_Clients_V1_Client

/// A clients test: the API stub, the owner's credentials and the host, over either harness.
/// ``ClientsTest`` (in process: no TLS, callers named per call) is the default;
/// ``ClientsTLSTest`` (``withTestServer``: TLS, real sign-in, mail written as `.eml` files) is
/// for the tests of portal sign-in and access e-mails.
struct ClientsHarness<Transport: ClientTransport>: Sendable {
    let api: Conton_Clients_V1_Clients.Client<Transport>
    /// The documents plugin's public service (VerifyDocument), on the same connection.
    let documents: Conton_Documents_V1_Documents.Client<Transport>
    let owner: Metadata
    let host: PluginHost
    /// The real server, for sign-in and mail (nil in process).
    let server: TestServer?

    /// The real server of a ``ClientsTLSTest``.
    var test: TestServer {
        guard let server else { preconditionFailure("this test needs the real server: ClientsTLSTest.run") }
        return server
    }

    /// Creates a client; returns it as stored.
    @discardableResult
    func create(_ client: Client, access: Conton_Clients_V1_SetClientAccessRequest? = nil) async throws -> Client {
        var request = Conton_Clients_V1_CreateClientRequest()
        request.client = client
        if let access { request.access = access }
        return try await api.createClient(request, metadata: owner).client
    }

    func list(_ configure: (inout Conton_Clients_V1_ListClientsRequest) -> Void = { _ in }) async throws -> Conton_Clients_V1_ListClientsResponse {
        var request = Conton_Clients_V1_ListClientsRequest()
        configure(&request)
        return try await api.listClients(request, metadata: owner)
    }

    func get(_ id: String, metadata: Metadata? = nil) async throws -> Client {
        var request = Conton_Clients_V1_GetClientRequest()
        request.clientId = id
        return try await api.getClient(request, metadata: metadata ?? owner).client
    }

    func count(_ sql: String, _ arguments: StatementArguments = []) async throws -> Int {
        try await host.database.pool.read { db in try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0 }
    }
}

typealias ClientsTest = ClientsHarness<InProcessTestTransport>
typealias ClientsTLSTest = ClientsHarness<ContonClientTransport>

extension ClientsHarness where Transport == InProcessTestTransport {
    /// In process, as the owner (``InProcessTestServer``).
    static func run<R: Sendable>(extraPlugins: [any Plugin] = [], _ body: (ClientsTest) async throws -> R) async throws -> R {
        try await withInProcessTestServer(plugins: [ClientsPlugin()] + extraPlugins) { test in
            try await body(ClientsTest(api: .init(wrapping: test.client), documents: .init(wrapping: test.client),
                                       owner: InProcessTestServer.as(.owner), host: test.host, server: nil))
        }
    }
}

extension ClientsHarness where Transport == ContonClientTransport {
    /// Through the real server, signed in as the owner.
    static func run<R: Sendable>(extraPlugins: [any Plugin] = [], _ body: (ClientsTLSTest) async throws -> R) async throws -> R {
        try await withTestServer(plugins: [ClientsPlugin()] + extraPlugins) { test in
            let owner = TestServer.bearer(try await test.login())
            return try await body(ClientsTLSTest(api: .init(wrapping: test.client), documents: .init(wrapping: test.client), owner: owner,
                                                 host: test.server.host, server: test))
        }
    }
}

/// A PF client.
func person(_ name: String, cpf: String, email: String = "pf@example.com") -> Client {
    var c = Client()
    c.personType = .individual
    c.name = name
    c.document = cpf
    c.email = email
    return c
}

/// A PJ client.
func company(_ name: String, trade: String = "", cnpj: String, email: String = "pj@example.com") -> Client {
    var c = Client()
    c.personType = .company
    c.name = name
    c.tradeName = trade
    c.document = cnpj
    c.email = email
    return c
}

/// Valid CPFs and CNPJs for tests (check digits computed by ContonBrazil's tests' oracle).
enum Docs {
    static let cpfs = ["111.444.777-35", "529.982.247-25", "123.456.789-09", "987.654.321-00", "390.533.447-05",
                       "168.995.350-09", "779.612.338-81", "275.484.389-23", "714.602.380-01", "853.513.468-93"]
    /// The n-th of a run of distinct valid CPFs (n < 800,000,000).
    static func cpf(_ n: Int) -> String {
        let base = String(100_000_000 + n)
        return (try? CPF(base: base).formatted) ?? ""
    }

    static let cnpjs = ["12.ABC.345/01DE-35", "11.222.333/0001-81", "11.444.777/0001-61", "45.997.418/0001-53"]
}
