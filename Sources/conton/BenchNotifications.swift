import ArgumentParser
import ContonAPI
import ContonBench
import ContonBrazil
import ContonTLS
import ContonTransport
import Foundation
import GRPCCore
import Histogram
import Synchronization

/// `conton bench-notifications`: live `Subscribe` fan-out against a real `conton serve` child
/// process — --subscribers streams of the owner over --connections TLS connections, then events
/// one after another, each timed from the call that commits it to its arrival on every stream;
/// and the server's memory per idle subscriber.
struct BenchNotifications: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-notifications",
        abstract: "Time an event's notification reaching --subscribers live streams, and their memory.",
        discussion: """
        Spawns `conton serve` on a temporary data directory, opens --subscribers Subscribe streams of \
        the owner spread over --connections connections, and reads the server's VmRSS and heap \
        (RssAnon) before and after. Then --rounds times a service account creates a payable (so the \
        owner, not its author, is told): each stream's latency runs from just before that call to the \
        message's arrival — the commit, the outbox delivery, the notification's own transaction, \
        the wake-up and the write to every stream. A GetUnreadCounts call is the floor. \
        docs/BENCHMARKS.md has the figures.
        """)

    @Option(help: "Live streams, all of the owner.")
    var subscribers = 1_000

    @Option(help: "TLS connections they share (each carries at most 100 calls).")
    var connections = 20

    @Option(help: "Events timed.")
    var rounds = 30

    @Option(name: .customLong("server-log"), help: "Where the server's stderr goes. Default: discarded.")
    var serverLog: String?

    /// What the streams saw: how many are open, and each notification's arrival by round.
    final class Arrivals: Sendable {
        struct State {
            var ready = 0
            var arrivals: [Int: [ContinuousClock.Instant]] = [:]
        }

        let state = Mutex(State())

        func ready() { state.withLock { $0.ready += 1 } }
        var readyCount: Int { state.withLock { $0.ready } }
        func arrived(round: Int, at instant: ContinuousClock.Instant) { state.withLock { $0.arrivals[round, default: []].append(instant) } }
        func arrivals(_ round: Int) -> [ContinuousClock.Instant] { state.withLock { $0.arrivals[round] ?? [] } }
    }

    /// Polls `condition` every 2 ms for up to `seconds`.
    static func wait(seconds: Double, _ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while !condition() {
            if ContinuousClock.now > deadline { return false }
            try await Task.sleep(for: .milliseconds(2))
        }
        return true
    }

    func run() async throws {
        var out = StandardError()
        let subscribers = self.subscribers, connections = max(1, self.connections), rounds = self.rounds
        try await BenchServer.withSignedInServer(name: "notifications", serverLog: serverLog) { grpc, owner, dataDir, server in
            // The author of the events: a service account (its payables tell every staff user).
            var account = Conton_Identity_V1_CreateServiceAccountRequest()
            account.name = "bench notifications"
            account.scopes = ["payments:write"]
            let key = try await Conton_Identity_V1_ServiceAccounts.Client(wrapping: grpc).createServiceAccount(account, metadata: owner).apiKey
            var service = Metadata()
            service.addString("Bearer " + key, forKey: "authorization")
            var supplier = Conton_Payments_V1_CreateSupplierRequest()
            supplier.supplier.personType = .company
            supplier.supplier.name = "Imobiliária Bench"
            supplier.supplier.document = try CNPJ(base: "912345670001").value
            let supplierID = try await Conton_Payments_V1_Suppliers.Client(wrapping: grpc).createSupplier(supplier, metadata: owner).supplier.id
            let payables = Conton_Payments_V1_Payables.Client(wrapping: grpc)
            let notifications = Conton_Notifications_V1_Notifications.Client(wrapping: grpc)

            let tls = try SSLContext(client: TLSClientConfiguration(trustRootsPath: DevelopmentCertificates(directory: dataDir + "/tls").caCertificatePath))
            let transports = (0..<connections).map { _ in
                ContonClientTransport(host: server.host, port: server.port, tls: tls, serverHostname: "localhost")
            }
            let before = BenchProtocols.memory(server.pid)
            let arrivals = Arrivals()
            try await withClients(transports) { clients in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for i in 0..<subscribers {
                        let api = Conton_Notifications_V1_Notifications.Client(wrapping: clients[i % clients.count])
                        group.addTask {
                            try await api.subscribe(.init(), metadata: owner) { response in
                                var first = true
                                for try await m in response.messages {
                                    let now = ContinuousClock.now
                                    if first {
                                        first = false
                                        arrivals.ready()
                                    }
                                    for n in m.notifications {
                                        if let round = Int(n.title.split(separator: " ").last ?? "") { arrivals.arrived(round: round, at: now) }
                                    }
                                }
                            }
                        }
                    }
                    guard try await Self.wait(seconds: 120, { arrivals.readyCount == subscribers }) else {
                        throw ValidationError("only \(arrivals.readyCount) of \(subscribers) streams opened")
                    }
                    // Idle memory: a moment for the server to settle after the last stream opened.
                    try await Task.sleep(for: .seconds(1))
                    let idle = BenchProtocols.memory(server.pid)
                    print(String(format: "%d streams over %d connections; server VmRSS %.1f → %.1f MiB, heap %.1f → %.1f MiB: %.1f KiB per idle subscriber (heap %.1f KiB)",
                                 subscribers, connections, before.rss, idle.rss, before.anon, idle.anon,
                                 (idle.rss - before.rss) * 1024 / Double(subscribers), (idle.anon - before.anon) * 1024 / Double(subscribers)), to: &out)

                    var each = BenchServer.histogram()
                    var all = BenchServer.histogram()
                    for round in 0..<rounds {
                        var r = Conton_Payments_V1_CreatePayablesRequest()
                        r.payable.supplierId = supplierID
                        // The title ends with the round ("Nova conta a pagar: Aluguel 3").
                        r.payable.description = "Aluguel \(round)"
                        r.payable.amountCents = 100_000 + Int64(round)
                        r.payable.dueDate = "2027-01-10"
                        let started = ContinuousClock.now
                        _ = try await payables.createPayables(r, metadata: service)
                        guard try await Self.wait(seconds: 30, { arrivals.arrivals(round).count >= subscribers }) else {
                            throw ValidationError("round \(round): \(arrivals.arrivals(round).count) of \(subscribers) streams told in 30 s")
                        }
                        let times = arrivals.arrivals(round).map { UInt64(($0 - started) / .nanoseconds(1)) }
                        for t in times { _ = each.record(t) }
                        _ = all.record(times.max() ?? 0)
                    }
                    let floor = try await BenchServer.latencies(rounds: 200) { _ = try await notifications.getUnreadCounts(.init(), metadata: owner) }
                    print("measure                          count   p50 ms   p90 ms   p99 ms   max ms", to: &out)
                    print(BenchServer.row("event → one stream", Int64(rounds * subscribers), each, width: 30), to: &out)
                    print(BenchServer.row("event → the last of all streams", Int64(rounds), all, width: 30), to: &out)
                    print(BenchServer.row("GetUnreadCounts (floor)", 200, floor, width: 30), to: &out)
                    group.cancelAll()
                }
            }
        }
    }
}
