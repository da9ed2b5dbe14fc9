import ClientsPlugin
import ContonAPI
import ContonBrazil
import ContonKit
import ContonTesting
import DocumentsPlugin
import FilesPlugin
import Foundation
import GRDB
import GRPCCore
import OfficePlugin
import PaymentsPlugin
import Testing

/// The payments plugin in process (``withInProcessTestServer``) with the plugins it prints and
/// attaches through, as the owner, on a test clock that starts on 2026-12-01 at noon in São
/// Paulo (so "the current month" is December 2026). The plugin's sweep does not run at start:
/// the tests run it by hand (``PaymentsPlugin/sweep(context:)``).
struct PaymentsTest: Sendable {
    let grpc: GRPCClient<InProcessTestTransport>
    let host: PluginHost
    let policies: [MethodDescriptor: AccessPolicy]
    let clock: TestClock
    let suppliers: Conton_Payments_V1_Suppliers.Client<InProcessTestTransport>
    let payables: Conton_Payments_V1_Payables.Client<InProcessTestTransport>
    let owner: Metadata

    /// 2026-12-01T15:00:00Z: noon of 2026-12-01 in the office's time zone.
    static let start: Int64 = 1_796_137_200_000

    static func run<R: Sendable>(_ body: (PaymentsTest) async throws -> R) async throws -> R {
        let clock = TestClock(start)
        return try await withInProcessTestServer(plugins: [ClientsPlugin(), OfficePlugin(), DocumentsPlugin(), FilesPlugin(), PaymentsPlugin(sweepAtStart: false)],
                                                 clock: clock) { test in
            try await body(PaymentsTest(grpc: test.client, host: test.host, policies: test.policies, clock: clock,
                                        suppliers: .init(wrapping: test.client), payables: .init(wrapping: test.client),
                                        owner: InProcessTestServer.as(.owner)))
        }
    }

    /// Moves the clock `days` days on.
    func advance(days: Int) { clock.advance(milliseconds: Int64(days) * 86_400_000) }

    /// A company supplier with the n-th test CNPJ.
    func supplier(_ name: String = "Imobiliária Central Ltda", n: Int = 1, configure: (inout Conton_Payments_V1_Supplier) -> Void = { _ in }) async throws -> Conton_Payments_V1_Supplier {
        var s = Conton_Payments_V1_Supplier()
        s.personType = .company
        s.name = name
        s.document = try CNPJ(base: "11222333" + String(String(10_000 + n).suffix(4))).value
        configure(&s)
        var r = Conton_Payments_V1_CreateSupplierRequest()
        r.supplier = s
        return try await suppliers.createSupplier(r, metadata: owner).supplier
    }

    /// Creates a payable (or its instalments).
    func create(_ supplierID: String, amount: Int64, due: String, description: String = "Aluguel do escritório",
                instalments: Int32 = 0, configure: (inout Conton_Payments_V1_CreatePayablesRequest) -> Void = { _ in }) async throws -> [Conton_Payments_V1_Payable] {
        var r = Conton_Payments_V1_CreatePayablesRequest()
        r.payable.supplierId = supplierID
        r.payable.description = description
        r.payable.amountCents = amount
        r.payable.dueDate = due
        if instalments > 0 { r.instalments.count = instalments }
        configure(&r)
        return try await payables.createPayables(r, metadata: owner).payables
    }

    func list(_ configure: (inout Conton_Payments_V1_ListPayablesRequest) -> Void = { _ in }) async throws -> Conton_Payments_V1_ListPayablesResponse {
        var r = Conton_Payments_V1_ListPayablesRequest()
        configure(&r)
        return try await payables.listPayables(r, metadata: owner)
    }

    /// Every payable of a filter, through every page.
    func listAll(pageSize: Int32 = 7, _ configure: @escaping (inout Conton_Payments_V1_ListPayablesRequest) -> Void = { _ in }) async throws -> [Conton_Payments_V1_Payable] {
        var all: [Conton_Payments_V1_Payable] = []
        var token = ""
        repeat {
            var r = Conton_Payments_V1_ListPayablesRequest()
            configure(&r)
            r.pageSize = pageSize
            r.pageToken = token
            let page = try await payables.listPayables(r, metadata: owner)
            all += page.payables
            token = page.nextPageToken
        } while !token.isEmpty
        return all
    }

    func settle(_ id: String, paid: Int64 = 0, date: String = "2026-12-01", discount: Int64 = 0, interest: Int64 = 0) async throws -> Conton_Payments_V1_SettlePayableResponse {
        var r = Conton_Payments_V1_SettlePayableRequest()
        r.payableId = id
        r.paymentDate = date
        r.amountPaidCents = paid
        r.discountCents = discount
        r.interestCents = interest
        return try await payables.settlePayable(r, metadata: owner)
    }

    func get(_ id: String) async throws -> Conton_Payments_V1_Payable {
        var r = Conton_Payments_V1_GetPayableRequest()
        r.payableId = id
        return try await payables.getPayable(r, metadata: owner).payable
    }

    func count(_ sql: String, _ arguments: StatementArguments = []) async throws -> Int {
        try await host.database.pool.read { db in try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0 }
    }

    /// The outbox's events of `topic`, decoded as JSON objects, oldest first.
    func events(_ topic: String) async throws -> [[String: Any]] {
        let payloads = try await host.database.pool.read { db in
            try Data.fetchAll(db, sql: "SELECT payload FROM host_outbox WHERE topic = ? ORDER BY id", arguments: [topic])
        }
        return payloads.compactMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
    }

    /// The payments plugin's context (to run the sweep by hand).
    var paymentsContext: PluginContext {
        get throws {
            let plugin = try #require(host.plugins.first { $0.id == "payments" })
            return host.context(for: plugin)
        }
    }
}

/// The RPC error a call fails with (nil when it succeeds).
func failure(_ body: () async throws -> Void) async -> RPCError? {
    do {
        try await body()
        return nil
    } catch let error as RPCError {
        return error
    } catch {
        Issue.record("not an RPCError: \(error)")
        return nil
    }
}
