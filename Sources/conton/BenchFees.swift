import ArgumentParser
import ContonAPI
import Foundation
import GRPCCore
import Histogram

/// `conton bench-fees`: the fees plugin at scale — GenerateFees for N clients × 12 months in one
/// transaction, repeated over fresh months until the receivables reach a target, then
/// ListReceivables with its per-status totals over all of them, against a real `conton serve`
/// child process.
struct BenchFees: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-fees",
        abstract: "Time GenerateFees (N clients × 12 months) and ListReceivables with totals over many receivables.",
        discussion: """
        Spawns `conton serve` on a temporary data directory, imports --clients clients with a default \
        fee, then calls GenerateFees for all of them, 12 months at a time over fresh months, until \
        --receivables receivables exist (each call: clients × 12 fees and receivables in one \
        transaction). Then runs every ListReceivables query of the set --rounds times, one call in \
        flight, first page of 100 with the totals of the whole filter. Latency is measured at the \
        client, over TLS on loopback. docs/BENCHMARKS.md has the figures.
        """)

    @Option(help: "Clients per generation.")
    var clients = 1_000

    @Option(help: "Receivables to reach (generations of clients × 12 months, the last one shorter).")
    var receivables = 100_000

    @Option(help: "Times each list query runs.")
    var rounds = 50

    @Option(name: .customLong("server-log"), help: "Where the server's stderr goes. Default: discarded.")
    var serverLog: String?

    func run() async throws {
        var out = StandardError()
        try await BenchServer.withSignedInServer(name: "fees", serverLog: serverLog) { client, metadata in
            let clientsAPI = Conton_Clients_V1_Clients.Client(wrapping: client)
            let fees = Conton_Fees_V1_Fees.Client(wrapping: client)
            let receivablesAPI = Conton_Fees_V1_Receivables.Client(wrapping: client)
            let clock = ContinuousClock()
            let count = clients
            let ids = try await BenchClients.importWithFees(count, into: clientsAPI, metadata: metadata)
            print("imported \(ids.count) clients", to: &out)

            print("GenerateFees (\(clients) clients, one transaction each)", to: &out)
            var made = 0
            var year = 2000
            var generateMillis: [Double] = []
            while made < receivables {
                let months = min(12, (receivables - made + clients - 1) / clients)
                var request = Conton_Fees_V1_GenerateFeesRequest()
                request.clientIds = ids
                request.startMonth = String(year) + "-01"
                request.repeat = true
                request.times = Int32(months)
                let started = clock.now
                let response = try await fees.generateFees(request, metadata: metadata)
                let ms = Double((clock.now - started) / .microseconds(1)) / 1000
                made += Int(response.created)
                print(String(format: "  %d-01 × %2d: %6d fees + receivables in %8.1f ms (total %d)", year, months, response.created, ms, made),
                      to: &out)
                if months == 12 { generateMillis.append(ms) }
                year += 1
            }
            let sorted = generateMillis.sorted()
            if !sorted.isEmpty {
                print(String(format: "GenerateFees %d × 12: min %.1f ms, median %.1f ms, max %.1f ms over %d runs", clients,
                             sorted.first!, sorted[sorted.count / 2], sorted.last!, sorted.count), to: &out)
            }

            let sample = ids[ids.count / 2]
            let queries: [(String, (inout Conton_Fees_V1_ListReceivablesRequest) -> Void)] = [
                ("all", { _ in }),
                ("overdue", { $0.statuses = [.overdue] }),
                ("due 2003", { $0.dueFrom = "2003-01-01"; $0.dueTo = "2003-12-31" }),
                ("one client", { $0.clientId = sample }),
                ("text padaria", { $0.text = "padaria" }),
            ]
            print("ListReceivables over \(made) receivables, first page of 100 + totals of the filter", to: &out)
            print("query          matches   p50 ms   p90 ms   p99 ms   max ms", to: &out)
            for (name, configure) in queries {
                var histogram = BenchServer.histogram()
                var matches: Int64 = 0
                for _ in 0..<rounds {
                    var request = Conton_Fees_V1_ListReceivablesRequest()
                    configure(&request)
                    let started = clock.now
                    let response = try await receivablesAPI.listReceivables(request, metadata: metadata)
                    _ = histogram.record(UInt64((clock.now - started) / .nanoseconds(1)))
                    matches = response.total.count
                }
                print(BenchServer.row(name, matches, histogram), to: &out)
            }
        }
    }
}
