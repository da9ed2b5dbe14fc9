import ArgumentParser
import ContonAPI
import ContonBrazil
import ContonStore
import Foundation
import GRDB
import GRPCCore
import Histogram

/// `conton bench-protocols`: the protocols plugin at scale, against a real `conton serve` child
/// process — 1,000 clients, one 100 KiB guide each uploaded to the office's area, one
/// CreateProtocolBatch that matches every file by the CNPJ in its name and sends them all (time and
/// the server's memory); then protocols up to 100,000 and the portal's "unseen" ListProtocols by a
/// client login, with the same query in SQLite itself on the server's file as the reference.
struct BenchProtocols: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-protocols",
        abstract: "Time a 1,000-client protocol batch with files, and the portal's unseen list over 100,000 protocols.",
        discussion: """
        Spawns `conton serve` on a temporary data directory, creates --clients clients (the first with a \
        portal login), uploads one --file-kib KiB guide per client to the office's own area (named with \
        the client's CNPJ), then one CreateProtocolBatch with every file (matched by name, sent in the \
        same transaction), reporting its time and the server's resident memory (VmRSS before, the peak \
        during the call through /proc/<pid>/clear_refs and VmHWM). Then batches without files until \
        --protocols protocols exist, the first client opens half of its own, and each ListProtocols \
        query runs --rounds times, one call in flight, beside the same query in SQLite on the server's \
        file. docs/BENCHMARKS.md has the figures.
        """)

    @Option(help: "Clients, each with one guide in the batch.")
    var clients = 1_000

    @Option(name: .customLong("file-kib"), help: "Size of each guide, KiB.")
    var fileKiB = 100

    @Option(help: "Protocols to reach before timing the lists.")
    var protocols = 100_000

    @Option(help: "Times each list query runs.")
    var rounds = 500

    @Option(name: .customLong("server-log"), help: "Where the server's stderr goes. Default: discarded.")
    var serverLog: String?

    /// VmRSS, VmHWM, RssAnon (the heap) and RssFile (mapped files: the database's `mmap`) of
    /// `pid`, MiB.
    static func memory(_ pid: Int32) -> (rss: Double, peak: Double, anon: Double, file: Double) {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        func field(_ name: String) -> Double {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return -1 }
            return (Double(line.split(separator: " ").dropFirst().first ?? "") ?? -1) / 1024
        }
        return (field("VmRSS"), field("VmHWM"), field("RssAnon"), field("RssFile"))
    }

    /// Resets VmHWM to the current RSS (Linux ≥ 4.0); false when refused.
    static func resetPeak(_ pid: Int32) -> Bool {
        let fd = open("/proc/\(pid)/clear_refs", O_WRONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return write(fd, "5", 1) == 1
    }

    static func ms(since start: ContinuousClock.Instant) -> Double {
        Double((ContinuousClock.now - start) / .microseconds(1)) / 1000
    }

    func run() async throws {
        var out = StandardError()
        let clients = self.clients, fileKiB = self.fileKiB, target = self.protocols, rounds = self.rounds
        try await BenchServer.withSignedInServer(name: "protocols", serverLog: serverLog) { grpc, metadata, dataDir, server in
            let clientsAPI = Conton_Clients_V1_Clients.Client(wrapping: grpc)
            let filesAPI = Conton_Files_V1_Files.Client(wrapping: grpc)
            let protocolsAPI = Conton_Protocols_V1_Protocols.Client(wrapping: grpc)
            let portalPassword = "bench client password 1"

            var started = ContinuousClock.now
            var ids: [String] = [], documents: [String] = []
            for i in 0..<clients {
                var r = Conton_Clients_V1_CreateClientRequest()
                r.client.personType = .company
                r.client.name = "Cliente \(i) Ltda"
                r.client.document = try CNPJ(base: "8" + String(String(10_000_000_000 + i).suffix(11))).value
                r.client.email = "cliente\(i)@example.com"
                if i == 0 { r.access.initialPassword = "initial password 1" }
                ids.append(try await clientsAPI.createClient(r, metadata: metadata).client.id)
                documents.append(r.client.document)
            }
            print(String(format: "created %d clients in %.1f s", clients, Self.ms(since: started) / 1000), to: &out)

            started = ContinuousClock.now
            var fileIDs: [String] = []
            for (i, document) in documents.enumerated() {
                var bytes = [UInt8](repeating: 0, count: fileKiB * 1024)
                var g = SystemRandomNumberGenerator()
                for j in stride(from: 0, to: bytes.count, by: 8) {
                    withUnsafeBytes(of: g.next() as UInt64) { raw in
                        for k in 0..<min(8, bytes.count - j) { bytes[j + k] = raw[k] }
                    }
                }
                var head = Conton_Files_V1_UploadRequest()
                head.metadata.fileName = i % 2 == 0 ? "PGDASD-DAS-\(document)-202611.pdf"
                                                    : "DAS \(TaxID.formatted(document).replacingOccurrences(of: "/", with: ".")) 11-2026.pdf"
                head.metadata.size = Int64(bytes.count)
                head.metadata.officeArea = true
                var chunk = Conton_Files_V1_UploadRequest()
                chunk.chunk = bytes
                let messages = [head, chunk]
                let file = try await filesAPI.upload(request: StreamingClientRequest(metadata: metadata) { writer in
                    for message in messages { try await writer.write(message) }
                }).file
                fileIDs.append(file.id)
            }
            let uploadMs = Self.ms(since: started)
            print(String(format: "uploaded %d files of %d KiB in %.1f s (%.1f MiB/s)", clients, fileKiB, uploadMs / 1000,
                         Double(clients * fileKiB) / 1024 / (uploadMs / 1000)), to: &out)

            let types = try await protocolsAPI.listDocumentTypes(.init(), metadata: metadata).documentTypes
            guard let das = types.first(where: { $0.name == "DAS" }), let balancete = types.first(where: { $0.name == "Balancete" }) else {
                throw ValidationError("the catalogue lacks DAS or Balancete")
            }
            var batch = Conton_Protocols_V1_CreateProtocolBatchRequest()
            batch.item.documentTypeId = das.id
            batch.item.competence = "2026-11"
            batch.item.dueDate = "2026-12-20"
            batch.item.amountCents = 45_678
            batch.message = "Segue o DAS de novembro."
            batch.fileIds = fileIDs
            batch.send = true
            let before = Self.memory(server.pid)
            let peakReset = Self.resetPeak(server.pid)
            started = ContinuousClock.now
            let result = try await protocolsAPI.createProtocolBatch(batch, metadata: metadata)
            let batchMs = Self.ms(since: started)
            let after = Self.memory(server.pid)
            guard result.created == Int32(clients), result.rejected == 0 else {
                throw ValidationError("the batch created \(result.created) and rejected \(result.rejected)")
            }
            print(String(format: "CreateProtocolBatch, %d clients with files matched by name, sent: %.1f ms (%.2f ms per protocol)",
                         clients, batchMs, batchMs / Double(clients)), to: &out)
            print(String(format: "  server memory: VmRSS %.1f MiB before (heap %.1f), %.1f MiB after (heap %.1f, mapped files %.1f); peak during the call %.1f MiB%@",
                         before.rss, before.anon, after.rss, after.anon, after.file, after.peak,
                         peakReset ? "" : " (peak since start: clear_refs refused)"), to: &out)

            // Up to the target: batches without files (a balancete for every client), sent.
            var made = clients
            var fill = Conton_Protocols_V1_CreateProtocolBatchRequest()
            fill.item.documentTypeId = balancete.id
            fill.send = true
            fill.rows = ids.map { id in
                var row = Conton_Protocols_V1_BatchRow()
                row.clientId = id
                return row
            }
            var fillMillis: [Double] = []
            var month = 0
            while made < target {
                fill.item.competence = String(format: "%04d-%02d", 2020 + month / 12, 1 + month % 12)
                started = ContinuousClock.now
                made += Int(try await protocolsAPI.createProtocolBatch(fill, metadata: metadata).created)
                fillMillis.append(Self.ms(since: started))
                month += 1
            }
            let fillSorted = fillMillis.sorted()
            print(String(format: "filled to %d protocols: %d batches of %d without files, median %.1f ms", made, fillSorted.count, clients,
                         fillSorted[fillSorted.count / 2]), to: &out)

            // The first client's portal login, which opens half of its own protocols.
            let identity = Conton_Identity_V1_Identity.Client(wrapping: grpc)
            var login = Conton_Identity_V1_LoginRequest()
            login.email = "cliente0@example.com"
            login.password = "initial password 1"
            var portal = Metadata()
            portal.addString("Bearer " + (try await identity.login(login).token), forKey: "authorization")
            var change = Conton_Identity_V1_ChangePasswordRequest()
            change.currentPassword = login.password
            change.newPassword = portalPassword
            _ = try await identity.changePassword(change, metadata: portal)
            login.password = portalPassword
            portal = Metadata()
            portal.addString("Bearer " + (try await identity.login(login).token), forKey: "authorization")
            portal.addString("conton-bench/1.0", forKey: "user-agent")
            var mine = Conton_Protocols_V1_ListProtocolsRequest()
            mine.pageSize = 500
            let own = try await protocolsAPI.listProtocols(mine, metadata: portal).protocols
            for p in own.enumerated().filter({ $0.offset % 2 == 0 }).map(\.element) {
                var get = Conton_Protocols_V1_GetProtocolRequest()
                get.protocolId = p.id
                _ = try await protocolsAPI.getProtocol(get, metadata: portal)
            }
            print("the first client has \(own.count) protocols and opened \((own.count + 1) / 2)", to: &out)

            let database = try ContonDatabase(dataDirectory: dataDir)
            let first = ids[0]
            let queries: [(String, Metadata, (inout Conton_Protocols_V1_ListProtocolsRequest) -> Void, String)] = [
                ("portal unseen", portal, { $0.unseen = true },
                 "SELECT * FROM protocols_protocol WHERE client_id = '\(first)' AND status = 2 AND portal_sort IS NOT NULL ORDER BY portal_sort, id LIMIT 50"),
                ("portal all", portal, { _ in },
                 "SELECT * FROM protocols_protocol WHERE client_id = '\(first)' AND portal_sort IS NOT NULL ORDER BY portal_sort, id LIMIT 50"),
                ("staff unseen", metadata, { $0.unseen = true },
                 "SELECT * FROM protocols_protocol WHERE status = 2 ORDER BY id DESC LIMIT 50"),
                ("staff client", metadata, { $0.clientId = first },
                 "SELECT * FROM protocols_protocol WHERE client_id = '\(first)' ORDER BY id DESC LIMIT 50"),
                ("staff open", metadata, { $0.statuses = [.sent, .viewed] },
                 "SELECT * FROM protocols_protocol WHERE status IN (2, 3) ORDER BY id DESC LIMIT 50"),
            ]
            func queued() async throws -> Int {
                try await database.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM mail_outbox WHERE status = 'queued'") ?? 0 }
            }
            func measure(_ when: String) async throws {
                print("ListProtocols over \(made) protocols, first page of 50, \(when); SQLite: the page's rows alone", to: &out)
                print("query             rows   p50 ms   p90 ms   p99 ms   max ms   SQLite p50 ms   p99 ms", to: &out)
                for (name, who, configure, sql) in queries {
                    var request = Conton_Protocols_V1_ListProtocolsRequest()
                    configure(&request)
                    var rows: Int64 = 0
                    let histogram = try await BenchServer.latencies(rounds: rounds) {
                        rows = Int64(try await protocolsAPI.listProtocols(request, metadata: who).protocols.count)
                    }
                    let reference = try await BenchServer.latencies(rounds: rounds) {
                        _ = try await database.pool.read { db in try Row.fetchAll(db, sql: sql).count }
                    }
                    print(BenchServer.row(name, rows, histogram, width: 14) +
                          String(format: "   %13.2f %8.2f", Double(reference.valueAtPercentile(50)) / 1e6, Double(reference.valueAtPercentile(99)) / 1e6), to: &out)
                }
            }
            // Every send queued an e-mail: first while the server still delivers them (as .eml
            // files, no SMTP server here), then once the outbox is empty.
            let waiting = try await queued()
            try await measure("while the server delivers \(waiting) queued e-mails")
            started = ContinuousClock.now
            let left = try await queued()
            while try await queued() > 0 {
                guard Self.ms(since: started) < 1_800_000 else { throw ValidationError("the server's mail outbox did not drain in 30 minutes") }
                try await Task.sleep(for: .milliseconds(500))
            }
            let drained = Self.ms(since: started) / 1000
            print(String(format: "the outbox drained: %d e-mails in %.0f s (%.0f per second)", left, drained, Double(left) / drained), to: &out)
            try await measure("the outbox empty")
            let end = Self.memory(server.pid)
            print(String(format: "server memory at the end: VmRSS %.1f MiB (heap %.1f, mapped files %.1f), peak since the batch %.1f MiB",
                         end.rss, end.anon, end.file, end.peak), to: &out)
        }
    }
}
