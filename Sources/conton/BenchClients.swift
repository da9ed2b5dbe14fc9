import ArgumentParser
import ContonAPI
import ContonBrazil
import Foundation
import GRPCCore
import Histogram

/// `conton bench-clients`: the clients plugin at scale — import N clients, then time
/// accent-insensitive `ListClients` queries against a real `conton serve` child process.
struct BenchClients: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-clients",
        abstract: "Import N synthetic clients into a fresh server, then time ListClients searches (p50/p99).",
        discussion: """
        Spawns `conton serve` on a temporary data directory, signs in as its owner, imports the \
        clients through ImportClients (client streaming, 50,000 rows per call), then runs every \
        query of the set --rounds times, one call in flight, first page of 50 by name. Latency is \
        measured at the client, over TLS on loopback. docs/BENCHMARKS.md has the figures.
        """)

    @Option(help: "Clients to import.")
    var clients = 100_000

    @Option(help: "Times each query of the set runs.")
    var rounds = 200

    @Option(name: .customLong("server-log"), help: "Where the server's stderr goes. Default: discarded.")
    var serverLog: String?

    /// Folded, accent-free queries over names written with accents.
    static let queries = ["joao", "sao paulo", "conceicao", "padaria", "silva", "ltda", "jose souza", "acougue", "ana"]

    func run() async throws {
        var out = StandardError()
        try await BenchServer.withSignedInServer(name: "clients", serverLog: serverLog) { client, metadata in
            let api = Conton_Clients_V1_Clients.Client(wrapping: client)

            let clock = ContinuousClock()
            var imported = 0
            let importTime = try await clock.measure {
                var start = 0
                while start < clients {
                    let end = min(clients, start + 50_000)
                    let batch = start..<end
                    let response = try await api.importClients(request: StreamingClientRequest(metadata: metadata) { writer in
                        for i in batch {
                            var row = Conton_Clients_V1_ImportClientsRequest()
                            row.client = Self.syntheticClient(i)
                            try await writer.write(row)
                        }
                    })
                    imported += Int(response.imported)
                    start = end
                }
            }
            let importSeconds = Double(importTime.components.seconds) + Double(importTime.components.attoseconds) / 1e18
            print(String(format: "imported %d of %d clients in %.2f s (%.0f rows/s)", imported, clients, importSeconds,
                         Double(imported) / importSeconds), to: &out)
            guard imported == clients else { throw ValidationError("only \(imported) of \(clients) rows were imported") }

            print("query          matches   p50 ms   p90 ms   p99 ms   max ms", to: &out)
            var all = BenchServer.histogram()
            for query in Self.queries {
                var histogram = BenchServer.histogram()
                var matches: Int64 = 0
                for _ in 0..<rounds {
                    var request = Conton_Clients_V1_ListClientsRequest()
                    request.query = query
                    let started = clock.now
                    let response = try await api.listClients(request, metadata: metadata)
                    let nanos = UInt64((clock.now - started) / .nanoseconds(1))
                    _ = histogram.record(nanos)
                    _ = all.record(nanos)
                    matches = response.totalCount
                }
                print(BenchServer.row(query, matches, histogram), to: &out)
            }
            print(BenchServer.row("(all)", -1, all), to: &out)
        }
    }

    static let firstNames = ["João", "José", "Maria", "Ana", "Antônio", "Francisco", "Luís", "Conceição", "Sebastião", "Cláudia",
                             "Márcia", "Fábio", "Sérgio", "Mônica", "Vitória", "Luíza", "Júlio", "Inês", "Íris", "Otávio"]
    static let surnames = ["Silva", "Souza", "Conceição", "Araújo", "Gonçalves", "Simões", "Magalhães", "Lopes", "Brandão",
                           "Falcão", "Assunção", "Estêvão", "Guimarães", "Pinheiro", "Damião", "Romão", "Aragão", "Leão"]
    static let businesses = ["Padaria", "Açougue", "Farmácia", "Mercearia", "Construtora", "Oficina", "Papelaria", "Distribuidora",
                             "Confecções", "Transportes", "Clínica", "Restaurante", "Lanchonete", "Autopeças"]
    static let places = ["São Paulo", "São João", "Nossa Senhora", "Boa Vista", "Santa Luzia", "Três Corações", "Belém",
                         "Paraná", "Maranhão", "Ceará", "Goiânia", "Petrópolis"]

    /// The i-th synthetic client: 60 % people, 40 % companies, names with accents.
    /// Imports `count` synthetic clients, each with a monthly fee and a due day; their ids.
    static func importWithFees<Transport: ClientTransport>(_ count: Int, into clientsAPI: Conton_Clients_V1_Clients.Client<Transport>,
                                                          metadata: Metadata) async throws -> [String] {
        let imported = try await clientsAPI.importClients(request: StreamingClientRequest(metadata: metadata) { writer in
            for i in 0..<count {
                var row = Conton_Clients_V1_ImportClientsRequest()
                row.client = syntheticClient(i)
                row.client.monthlyFeeCents = Int64(50_000 + (i % 40) * 2_500)
                row.client.feeDueDay = Int32(1 + i % 28)
                try await writer.write(row)
            }
        })
        let ids = imported.results.map(\.clientId).filter { !$0.isEmpty }
        guard ids.count == count else { throw ValidationError("only \(ids.count) of \(count) clients were imported") }
        return ids
    }

    static func syntheticClient(_ i: Int) -> Conton_Clients_V1_Client {
        var c = Conton_Clients_V1_Client()
        var x = UInt64(i) &* 0x9E37_79B9_7F4A_7C15
        func pick<T>(_ list: [T]) -> T {
            x = (x ^ (x >> 29)) &* 0xBF58_476D_1CE4_E5B9
            return list[Int(x % UInt64(list.count))]
        }
        if i % 5 < 3 {
            c.personType = .individual
            c.name = "\(pick(firstNames)) \(pick(surnames)) \(pick(surnames))"
            c.document = (try? CPF(base: String(100_000_000 + i)).digits) ?? ""
        } else {
            c.personType = .company
            c.name = "\(pick(businesses)) \(pick(places)) \(pick(surnames)) Ltda"
            c.tradeName = "\(pick(businesses)) \(pick(surnames))"
            c.document = (try? CNPJ(base: String(10_000_000 + i) + "0001").value) ?? ""
        }
        c.email = "cliente\(i)@example.com"
        return c
    }
}
