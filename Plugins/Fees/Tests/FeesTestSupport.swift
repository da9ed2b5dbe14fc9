import ClientsPlugin
import ContonAPI
import ContonBrazil
import ContonKit
import ContonTesting
import ContonTransport
import DocumentsPlugin
import FeesPlugin
import GRDB
import GRPCCore
import OfficePlugin
import Testing

/// The clients, office and fees plugins, called as the owner, over either harness. ``FeesTest``
/// runs in process (``withInProcessTestServer``): nothing in these suites needs TLS, a real
/// sign-in or mail delivery, and a client principal is named (`InProcessTestServer.as(.client(id))`),
/// reaching the same scoping code a portal login does. ``FeesTLSTest`` (``withTestServer``) is for
/// what needs the real transport: a client cancelling a streaming call (the CANCEL frame; GRPCCore's
/// in-process transport does not carry a client's cancellation to the handler).
struct FeesHarness<Transport: ClientTransport>: Sendable {
    let grpc: GRPCClient<Transport>
    let host: PluginHost
    /// Every served method's policy.
    let policies: [MethodDescriptor: AccessPolicy]
    let clients: Conton_Clients_V1_Clients.Client<Transport>
    let fees: Conton_Fees_V1_Fees.Client<Transport>
    let receivables: Conton_Fees_V1_Receivables.Client<Transport>
    let owner: Metadata

    init(grpc: GRPCClient<Transport>, host: PluginHost, policies: [MethodDescriptor: AccessPolicy], owner: Metadata) {
        self.grpc = grpc
        self.host = host
        self.policies = policies
        self.clients = .init(wrapping: grpc)
        self.fees = .init(wrapping: grpc)
        self.receivables = .init(wrapping: grpc)
        self.owner = owner
    }

    /// Creates a client (PF with the n-th test CPF) with a default fee and due day.
    func client(_ name: String, n: Int, fee: Int64 = 150_000, dueDay: Int32 = 10, email: String? = nil) async throws -> Conton_Clients_V1_Client {
        var c = Conton_Clients_V1_Client()
        c.personType = .individual
        c.name = name
        c.document = try CPF(base: String(200_000_000 + n)).digits
        c.email = email ?? "cliente\(n)@example.com"
        c.monthlyFeeCents = fee
        c.feeDueDay = dueDay
        var request = Conton_Clients_V1_CreateClientRequest()
        request.client = c
        return try await clients.createClient(request, metadata: owner).client
    }

    /// Imports `count` clients in one ImportClients call (fast setup for large generations).
    func importClients(_ count: Int, fee: Int64 = 100_000) async throws -> [String] {
        let response = try await clients.importClients(request: StreamingClientRequest(metadata: owner) { writer in
            for i in 0..<count {
                var c = Conton_Clients_V1_Client()
                c.personType = .individual
                c.name = "Cliente em Lote \(i)"
                c.document = try CPF(base: String(300_000_000 + i)).digits
                c.email = "lote\(i)@example.com"
                c.monthlyFeeCents = fee
                c.feeDueDay = 5
                var row = Conton_Clients_V1_ImportClientsRequest()
                row.client = c
                try await writer.write(row)
            }
        })
        return response.results.map(\.clientId)
    }

    func generate(_ ids: [String], start: String, repeat: Bool = true, times: Int32 = 12,
                  configure: (inout Conton_Fees_V1_GenerateFeesRequest) -> Void = { _ in }) async throws -> Conton_Fees_V1_GenerateFeesResponse {
        var r = Conton_Fees_V1_GenerateFeesRequest()
        r.clientIds = ids
        r.startMonth = start
        r.repeat = `repeat`
        r.times = times
        configure(&r)
        return try await fees.generateFees(r, metadata: owner)
    }

    func list(metadata: Metadata? = nil, _ configure: (inout Conton_Fees_V1_ListReceivablesRequest) -> Void = { _ in }) async throws -> Conton_Fees_V1_ListReceivablesResponse {
        var r = Conton_Fees_V1_ListReceivablesRequest()
        configure(&r)
        return try await receivables.listReceivables(r, metadata: metadata ?? owner)
    }

    /// Every receivable of a filter, through every page.
    func listAll(pageSize: Int32 = 50, _ configure: (inout Conton_Fees_V1_ListReceivablesRequest) -> Void = { _ in }) async throws -> [Conton_Fees_V1_Receivable] {
        var all: [Conton_Fees_V1_Receivable] = []
        var token = ""
        repeat {
            let page = try await list { r in
                configure(&r)
                r.pageSize = pageSize
                r.pageToken = token
            }
            all += page.receivables
            token = page.nextPageToken
        } while !token.isEmpty
        return all
    }

    func create(client: String, amount: Int64, due: String, description: String = "Serviço avulso") async throws -> Conton_Fees_V1_Receivable {
        var r = Conton_Fees_V1_CreateReceivableRequest()
        r.clientId = client
        r.amountCents = amount
        r.dueDate = due
        r.description = description
        return try await receivables.createReceivable(r, metadata: owner).receivable
    }

    func settle(_ id: String, paid: Int64, date: String = "2024-01-10", discount: Int64 = 0, interest: Int64 = 0, fine: Int64 = 0,
                method: Conton_Fees_V1_PaymentMethod = .pix) async throws -> Conton_Fees_V1_SettleReceivableResponse {
        var r = Conton_Fees_V1_SettleReceivableRequest()
        r.receivableId = id
        r.paymentDate = date
        r.amountPaidCents = paid
        r.discountCents = discount
        r.interestCents = interest
        r.fineCents = fine
        r.method = method
        return try await receivables.settleReceivable(r, metadata: owner)
    }

    /// Sets the office profile: name, CNPJ, city, fine and interest rates.
    func setOffice(fineBasisPoints: Int32 = 200, interestBasisPoints: Int32 = 100) async throws {
        var p = Conton_Office_V1_OfficeProfile()
        p.registration.legalName = "Contabilidade Exemplo Ltda"
        p.registration.tradeName = "Exemplo Contábil"
        p.registration.cnpj = "11.222.333/0001-81"
        p.registration.address.city = "São Paulo"
        p.registration.address.uf = "SP"
        p.boleto.fineBasisPoints = fineBasisPoints
        p.boleto.monthlyInterestBasisPoints = interestBasisPoints
        var update = Conton_Office_V1_UpdateProfileRequest()
        update.profile = p
        _ = try await Conton_Office_V1_Office.Client(wrapping: grpc).updateProfile(update, metadata: owner)
    }

    /// A direct count on the server's database. Retried on SQLITE_INTERRUPT: a direct read
    /// running next to the server's calls has, rarely, met a stray interrupt (an open item in
    /// docs/FEES.md; it looks like a cancelled handler's GRDB read interrupting a pooled
    /// connection just as it is handed over).
    func count(_ sql: String, _ arguments: StatementArguments = []) async throws -> Int {
        let pool = host.database.pool
        return try await pool.read { db in try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0 }
    }

    /// The fees plugin's context (to run the overdue sweep by hand).
    var feesContext: PluginContext {
        get throws {
            let plugin = try #require(host.plugins.first { $0.id == "fees" })
            return host.context(for: plugin)
        }
    }
}

typealias FeesTest = FeesHarness<InProcessTestTransport>
typealias FeesTLSTest = FeesHarness<ContonClientTransport>

extension FeesHarness where Transport == InProcessTestTransport {
    /// In process, as the owner.
    static func run<R: Sendable>(_ body: (FeesTest) async throws -> R) async throws -> R {
        try await withInProcessTestServer(plugins: [ClientsPlugin(), OfficePlugin(), DocumentsPlugin(), FeesPlugin()]) { test in
            try await body(FeesTest(grpc: test.client, host: test.host, policies: test.policies, owner: InProcessTestServer.as(.owner)))
        }
    }
}

extension FeesHarness where Transport == ContonClientTransport {
    /// Through the real server (TLS on loopback), signed in as the owner.
    static func run<R: Sendable>(_ body: (FeesTLSTest) async throws -> R) async throws -> R {
        try await withTestServer(plugins: [ClientsPlugin(), OfficePlugin(), DocumentsPlugin(), FeesPlugin()]) { test in
            let owner = TestServer.bearer(try await test.login())
            return try await body(FeesTLSTest(grpc: test.client, host: test.server.host, policies: test.server.policies, owner: owner))
        }
    }
}

/// Today in the office's time zone (UTC−3), YYYY-MM-DD.
func officeToday() -> CivilDate { CivilDate(milliseconds: SystemClock().nowMilliseconds) }
