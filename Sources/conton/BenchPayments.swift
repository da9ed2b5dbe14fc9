import ArgumentParser
import ContonAPI
import ContonBrazil
import ContonStore
import GRDB
import Foundation
import GRPCCore
import Histogram

/// `conton bench-payments`: the payments plugin at scale — BatchCreatePayables of 1,000 payables
/// in 12 instalments each (12,000 rows, one transaction) until the payables reach a target, then
/// ListPayables with its totals for a month and for a whole year, against a real `conton serve`
/// child process; the same totals queried in SQLite itself on the server's file, as the
/// reference measured in the same run.
struct BenchPayments: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-payments",
        abstract: "Time BatchCreatePayables (1,000 × 12 instalments) and ListPayables with totals over many payables.",
        discussion: """
        Spawns `conton serve` on a temporary data directory, creates --suppliers suppliers, then calls \
        BatchCreatePayables with --entries payables of 12 instalments each (first due dates spread over \
        2025 and 2026), until --payables payables exist. Then runs each ListPayables query --rounds \
        times, one call in flight, first page of 100 with the totals of the whole filter, and the same \
        totals as one SQL statement in SQLite on the server's database file. Latency is measured at \
        the client, over TLS on loopback. docs/BENCHMARKS.md has the figures.
        """)

    @Option(help: "Suppliers the payables are spread over.")
    var suppliers = 200

    @Option(help: "Payables per BatchCreatePayables call, each in 12 instalments.")
    var entries = 1_000

    @Option(help: "Payables (instalments) to reach.")
    var payables = 100_000

    @Option(help: "Times each list query runs.")
    var rounds = 200

    @Option(name: .customLong("server-log"), help: "Where the server's stderr goes. Default: discarded.")
    var serverLog: String?

    /// The reference for BatchCreatePayables, measured in the same run: SQLite alone inserting the
    /// same number of rows into a fresh file with the plugin's schema (copied from the server's
    /// database: its tables, indexes and triggers) and the per-day sums, in one transaction, with
    /// one prepared statement and no validation, events or audit.
    static func referenceInserts(schemaFrom database: ContonDatabase, entries: Int, out: inout StandardError) async throws {
        let schema = try await database.pool.read { db in
            try String.fetchAll(db, sql: """
                SELECT sql FROM sqlite_master WHERE name LIKE 'payments_%' AND sql IS NOT NULL
                ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END, rowid
                """)
        }
        let directory = NSTemporaryDirectory() + "conton-bench-sqlite-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let reference = try ContonDatabase(dataDirectory: directory)
        try await reference.pool.write { db in
            for statement in schema { try db.execute(sql: statement) }
            try db.execute(sql: "INSERT INTO payments_supplier (id, document, name_key, search_key, emails_key, version, record) VALUES (1, 'x', 'x', 'x', '', 1, x'')")
        }
        let clock = ContinuousClock()
        var millis: [Double] = []
        for call in 0..<9 {
            let started = clock.now
            try await reference.pool.write { db in
                let insert = try db.cachedStatement(sql: """
                    INSERT INTO payments_payable (supplier_id, supplier_name, supplier_document, payee_document, description, amount_cents,
                      competence, due_date, status, instalment_number, instalment_count, group_id, search_key, created_at_ms, updated_at_ms)
                    VALUES (1, 'Fornecedor', '11222333000181', '11222333000181', ?, ?, ?, ?, 1, ?, 12, ?, ?, 0, 0)
                    """)
                let sums = try db.cachedStatement(sql: """
                    INSERT INTO payments_due_totals VALUES (?, 1, 1, ?, 0, 0)
                    ON CONFLICT (due_date, status) DO UPDATE SET n = n + 1, amount = amount + excluded.amount
                    """)
                for j in 0..<entries {
                    let n = call * entries + j
                    var group: Int64?
                    for k in 0..<12 {
                        let month = (n % 12 + k) % 12 + 1, year = 2025 + (n / 12) % 2 + (n % 12 + k) / 12
                        let due = String(format: "%04d-%02d-%02d", year, month, 1 + n % 28)
                        try insert.execute(arguments: ["Aluguel \(n)", 12_000 + (n * 7_919) % 900_000, String(due.prefix(7)), due, k + 1, group,
                                                       "aluguel \(n) \u{2022} fornecedor"])
                        if group == nil { group = db.lastInsertedRowID }
                        try sums.execute(arguments: [due, 12_000 + (n * 7_919) % 900_000])
                    }
                }
            }
            millis.append(Double((clock.now - started) / .microseconds(1)) / 1000)
        }
        let sorted = millis.sorted()
        print(String(format: "SQLite alone, the same %d rows and sums in one transaction: min %.1f ms, median %.1f ms, max %.1f ms", entries * 12,
                     sorted.first!, sorted[sorted.count / 2], sorted.last!), to: &out)
    }

    func run() async throws {
        var out = StandardError()
        try await BenchServer.withSignedInServer(name: "payments", serverLog: serverLog) { client, metadata, dataDir in
            let suppliersAPI = Conton_Payments_V1_Suppliers.Client(wrapping: client)
            let payablesAPI = Conton_Payments_V1_Payables.Client(wrapping: client)
            let clock = ContinuousClock()
            var supplierIDs: [String] = []
            for i in 0..<suppliers {
                var r = Conton_Payments_V1_CreateSupplierRequest()
                r.supplier.personType = .company
                r.supplier.name = ["Imobiliária", "Energia", "Telecom", "Software", "Papelaria", "Consultoria"][i % 6] + " Fornecedor \(i)"
                r.supplier.document = try CNPJ(base: "9" + String(String(10_000_000_000 + i).suffix(11))).value
                supplierIDs.append(try await suppliersAPI.createSupplier(r, metadata: metadata).supplier.id)
            }
            print("created \(supplierIDs.count) suppliers", to: &out)

            print("BatchCreatePayables (\(entries) payables × 12 instalments, one transaction each)", to: &out)
            var made = 0, call = 0
            var millis: [Double] = [], encodeMillis: [Double] = []
            while made < payables {
                var batch = Conton_Payments_V1_BatchCreatePayablesRequest()
                for j in 0..<entries {
                    var e = Conton_Payments_V1_CreatePayablesRequest()
                    let n = call * entries + j
                    e.payable.supplierId = supplierIDs[n % supplierIDs.count]
                    e.payable.description = ["Aluguel", "Conta de luz", "Internet", "Licença de software", "Material", "Honorários"][n % 6] + " \(n)"
                    e.payable.amountCents = Int64(12_000 + (n * 7_919) % 900_000)
                    e.payable.dueDate = String(format: "%04d-%02d-%02d", 2025 + (n / 12) % 2, 1 + n % 12, 1 + n % 28)
                    e.instalments.count = 12
                    batch.entries.append(e)
                }
                // What the client spends encoding the request (inside the call's time below: the
                // transport encodes as it sends), measured apart once per call.
                let encodeStarted = clock.now
                let bytes = batch.serializedBytes().count
                let encodeMs = Double((clock.now - encodeStarted) / .microseconds(1)) / 1000
                let started = clock.now
                let response = try await payablesAPI.batchCreatePayables(batch, metadata: metadata)
                let ms = Double((clock.now - started) / .microseconds(1)) / 1000
                made += Int(response.created)
                millis.append(ms)
                encodeMillis.append(encodeMs)
                print(String(format: "  call %2d: %6d payables in %8.1f ms (total %d; request %d bytes, encoded by the client in %.1f ms)",
                             call + 1, response.created, ms, made, bytes, encodeMs), to: &out)
                call += 1
            }
            let sorted = millis.sorted()
            print(String(format: "BatchCreatePayables %d × 12: min %.1f ms, median %.1f ms, max %.1f ms over %d calls", entries,
                         sorted.first!, sorted[sorted.count / 2], sorted.last!, sorted.count), to: &out)
            print(String(format: "  of which the client's encoding of the request: median %.1f ms", encodeMillis.sorted()[encodeMillis.count / 2]), to: &out)

            let queries: [(String, String, (inout Conton_Payments_V1_ListPayablesRequest) -> Void)] = [
                ("month 2026-03", "due_date BETWEEN '2026-03-01' AND '2026-03-31'", { $0.period.from = "2026-03-01"; $0.period.to = "2026-03-31" }),
                ("year 2026", "due_date BETWEEN '2026-01-01' AND '2026-12-31'", { $0.period.from = "2026-01-01"; $0.period.to = "2026-12-31" }),
                ("year pending", "due_date BETWEEN '2026-01-01' AND '2026-12-31' AND status = 1",
                 { $0.period.from = "2026-01-01"; $0.period.to = "2026-12-31"; $0.status = .pending }),
                ("year supplier", "due_date BETWEEN '2026-01-01' AND '2026-12-31' AND supplier_id IN (SELECT id FROM payments_supplier WHERE instr(search_key, 'energia') > 0)",
                 { $0.period.from = "2026-01-01"; $0.period.to = "2026-12-31"; $0.supplier = "energia" }),
                ("year text", "due_date BETWEEN '2026-01-01' AND '2026-12-31' AND instr(search_key, 'internet') > 0",
                 { $0.period.from = "2026-01-01"; $0.period.to = "2026-12-31"; $0.text = "internet" }),
            ]
            let database = try ContonDatabase(dataDirectory: dataDir)
            try await Self.referenceInserts(schemaFrom: database, entries: entries, out: &out)
            print("ListPayables over \(made) payables, first page of 100 + totals of the filter; SQLite: the totals statement alone", to: &out)
            print("query           matches   p50 ms   p90 ms   p99 ms   max ms   SQLite p50 ms   p99 ms", to: &out)
            for (name, sql, configure) in queries {
                var request = Conton_Payments_V1_ListPayablesRequest()
                configure(&request)
                var matches: Int64 = 0
                let histogram = try await BenchServer.latencies(rounds: rounds) {
                    matches = Int64(try await payablesAPI.listPayables(request, metadata: metadata).totals.count)
                }
                let statement = """
                    SELECT CASE WHEN status = 1 AND due_date < '2026-12-01' THEN 4 ELSE status END AS s, count(*), sum(amount_cents),
                           sum(CASE WHEN status = 1 THEN amount_cents - settled_cents ELSE 0 END), sum(paid_cents)
                    FROM payments_payable WHERE \(sql) GROUP BY s
                    """
                let reference = try await BenchServer.latencies(rounds: rounds) {
                    _ = try await database.pool.read { db in try Row.fetchAll(db, sql: statement).count }
                }
                print(BenchServer.row(name, matches, histogram, width: 14) +
                      String(format: "   %13.2f %8.2f", Double(reference.valueAtPercentile(50)) / 1e6, Double(reference.valueAtPercentile(99)) / 1e6), to: &out)
            }
        }
    }
}
