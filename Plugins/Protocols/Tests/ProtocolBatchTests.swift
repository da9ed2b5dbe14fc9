import ContonAPI
import ContonBrazil
import ContonKit
import ContonTesting
import Foundation
import GRDB
import GRPCCore
import Testing

/// CreateProtocolBatch: the monthly DAS for 300 clients, each file matched by the CNPJ/CPF in its
/// name, amounts per client, bad rows reported one by one while the good ones commit together.
@Suite struct ProtocolBatchTests {
    /// The three ways offices name a guide, by client number.
    static func guideName(_ document: String, n: Int) -> String {
        let formatted = TaxID.formatted(document)
        switch n % 3 {
        case 0: return "PGDASD-DAS-\(document)-202611.pdf"
        case 1: return "\(formatted.replacingOccurrences(of: "/", with: ".")) DAS 11-2026.pdf"
        default: return "DAS 11-2026 - \(formatted.replacingOccurrences(of: "/", with: "_")).pdf"
        }
    }

    @Test func aBatchOf300ClientsMatchesEachFileByTheDocumentInItsName() async throws {
        try await ProtocolsTest.run { t in
            let n = 300
            var clients: [Conton_Clients_V1_Client] = []
            var guides: [Conton_Files_V1_File] = []
            for i in 1...n {
                let c = try await t.client("Cliente \(i) Ltda", n: i)
                clients.append(c)
                guides.append(try await t.upload(Self.guideName(c.document, n: i), content: "%PDF-1.4 DAS de \(c.document)"))
            }
            let das = try await t.type("DAS")
            var r = Conton_Protocols_V1_CreateProtocolBatchRequest()
            r.item = t.item(das, due: "2026-12-20")
            r.message = "Segue o DAS de novembro."
            // The amounts come per client (each DAS has its own), some rows by id, some by CNPJ.
            for (i, c) in clients.enumerated() {
                var row = Conton_Protocols_V1_BatchRow()
                if i % 2 == 0 { row.clientId = c.id } else { row.clientDocument = TaxID.formatted(c.document) }
                row.amountCents = 10_000 + Int64(i)
                r.rows.append(row)
            }
            // The files, in another order than the rows.
            r.fileIds = guides.reversed().map(\.id)
            r.send = true

            // validate_only: the same answers, nothing written.
            var dry = r
            dry.validateOnly = true
            let preview = try await t.protocols.createProtocolBatch(dry, metadata: t.owner)
            #expect(preview.created == Int32(n) && preview.rejected == 0)
            #expect(preview.results.count == n)
            #expect(preview.results.allSatisfy { $0.protocolId.isEmpty })
            #expect(try await t.count("SELECT count(*) FROM protocols_protocol") == 0)

            let batch = try await t.protocols.createProtocolBatch(r, metadata: t.owner)
            #expect(batch.created == Int32(n) && batch.rejected == 0)
            #expect(batch.results.map(\.source) == (0..<n).map { "rows[\($0)]" })
            for (i, result) in batch.results.enumerated() {
                // Each row got its own client's file: the one whose name carries its CNPJ.
                #expect(result.clientId == clients[i].id)
                #expect(result.fileId == guides[i].id, "rows[\(i)]: \(result.fileName)")
                #expect(result.violations.isEmpty)
                #expect(!result.protocolId.isEmpty)
            }
            // Spot-check the protocols themselves: sent, the row's amount, the file in the client's area.
            for i in [0, 1, 2, 149, 299] {
                let p = try await t.get(batch.results[i].protocolId)
                #expect(p.status == .sent)
                #expect(p.clientId == clients[i].id)
                #expect(p.title == "DAS 11/2026")
                #expect(p.items.count == 1)
                #expect(p.items[0].amountCents == 10_000 + Int64(i))
                #expect(p.items[0].fileSha256 == guides[i].sha256)
                #expect(p.items[0].fileName.contains(clients[i].document) || p.items[0].fileName.contains(TaxID.formatted(clients[i].document).prefix(10)))
                #expect(try await t.verify(p.id).intact)
            }
            #expect(try await t.count("SELECT count(*) FROM protocols_protocol WHERE status = 2") == n)
            #expect(try await t.count("SELECT count(DISTINCT client_id) FROM protocols_protocol") == n)
            #expect(try await t.count("SELECT count(*) FROM files_file WHERE client_id = ''") == 0)
            #expect(try await t.count("SELECT count(*) FROM mail_outbox") == n)
            #expect(try await t.count("SELECT count(*) FROM host_outbox WHERE topic = 'protocol.sent'") == n)

            // A retry with the same key answers the same protocols and writes nothing new.
            var keyed = r
            keyed.idempotencyKey = "das-2026-11"
            keyed.fileIds = []
            keyed.rows = Array(r.rows.prefix(3))
            keyed.send = false
            let first = try await t.protocols.createProtocolBatch(keyed, metadata: t.owner)
            let again = try await t.protocols.createProtocolBatch(keyed, metadata: t.owner)
            #expect(first.results.map(\.protocolId) == again.results.map(\.protocolId))
            #expect(try await t.count("SELECT count(*) FROM protocols_protocol") == n + 3)
        }
    }

    @Test func eachBadRowReportsItsOwnViolationsAndTheGoodOnesCommitTogether() async throws {
        try await ProtocolsTest.run { t in
            let a = try await t.client("Alfa Ltda", n: 1)
            let b = try await t.client("Beta Ltda", n: 2)
            let c = try await t.client("Gama Ltda", n: 3)
            let d = try await t.client("Delta Ltda", n: 4)
            let das = try await t.type("DAS")
            let good = try await t.upload("DAS \(a.document).pdf")
            let noDocument = try await t.upload("guia sem documento.pdf")
            let unknown = try await t.upload("DAS \(try CNPJ(base: "999888770001").value).pdf")
            let twoClients = try await t.upload("DAS \(b.document) e \(c.document).pdf")
            let othersArea = try await t.upload("DAS \(b.document).pdf", clientID: d.id)
            let forC = try await t.upload("DAS \(c.document).pdf")
            let secondForC = try await t.upload("outra guia \(TaxID.formatted(c.document).replacingOccurrences(of: "/", with: "-")).pdf")

            var r = Conton_Protocols_V1_CreateProtocolBatchRequest()
            r.item = t.item(das, due: "2026-12-20", amount: 50_000)
            func row(id: String = "", document: String = "", amount: Int64 = 0) -> Conton_Protocols_V1_BatchRow {
                var row = Conton_Protocols_V1_BatchRow()
                row.clientId = id
                row.clientDocument = document
                row.amountCents = amount
                return row
            }
            r.rows = [
                row(id: a.id, amount: 12_345),                          // rows[0]: good, gets `good`
                row(document: "11.222.333/0001-81"),                     // rows[1]: no client has it
                row(document: "123"),                                    // rows[2]: not a CPF/CNPJ
                row(id: a.id),                                           // rows[3]: a twice
                row(),                                                   // rows[4]: no client
                row(id: "777777"),                                       // rows[5]: unknown id
            ]
            r.fileIds = [good.id, noDocument.id, unknown.id, twoClients.id, othersArea.id, forC.id, secondForC.id, "999999", good.id]
            r.send = true
            let batch = try await t.protocols.createProtocolBatch(r, metadata: t.owner)
            let by = Dictionary(batch.results.map { ($0.source, $0) }, uniquingKeysWith: { x, _ in x })
            func fields(_ source: String) -> [String] { by[source]?.violations.map(\.field) ?? ["missing result"] }
            #expect(by["rows[0]"]?.violations.isEmpty == true)
            #expect(by["rows[0]"]?.fileId == good.id)
            #expect(!(by["rows[0]"]?.protocolId.isEmpty ?? true))
            #expect(fields("rows[1]") == ["rows[1].client_document"])
            #expect(fields("rows[2]") == ["rows[2].client_document"])
            #expect(fields("rows[3]") == ["rows[3].client_id"])
            #expect(fields("rows[4]") == ["rows[4].client_id"])
            #expect(fields("rows[5]") == ["rows[5].client_id"])
            // file_ids[0] merged into rows[0]: no result of its own.
            #expect(by["file_ids[0]"] == nil)
            #expect(by["file_ids[1]"]?.violations.first?.description.contains("carries no CPF or CNPJ") == true)
            #expect(by["file_ids[2]"]?.violations.first?.description.contains("which no client has") == true)
            #expect(by["file_ids[3]"]?.violations.first?.description.contains("more than one client") == true)
            #expect(fields("file_ids[4]") == ["file_ids[4].file_id"], "in client D's area, named for B")
            #expect(by["file_ids[5]"]?.violations.isEmpty == true)
            #expect(by["file_ids[5]"]?.clientId == c.id)
            #expect(by["file_ids[6]"]?.violations.first?.description.contains("already has file") == true)
            #expect(by["file_ids[7]"]?.violations.first?.description.contains("no file") == true)
            #expect(by["file_ids[8]"]?.violations.first?.description.contains("already in file_ids[0]") == true)
            #expect(batch.created == 2)
            #expect(batch.rejected == Int32(batch.results.count) - 2)
            // What committed: A's and C's protocols, nothing of the rejected rows.
            #expect(try await t.count("SELECT count(*) FROM protocols_protocol") == 2)
            let aProtocol = try await t.get(by["rows[0]"]!.protocolId)
            #expect(aProtocol.items[0].amountCents == 12_345)
            let cProtocol = try await t.get(by["file_ids[5]"]!.protocolId)
            #expect(cProtocol.items[0].amountCents == 50_000, "the template's amount")
            // The rejected files stayed where they were.
            #expect(try await t.count("SELECT count(*) FROM files_file WHERE client_id = '' AND id IN (?, ?, ?)",
                                      [noDocument.id, unknown.id, twoClients.id]) == 3)

            // The request's own problems refuse the whole call.
            var bad = Conton_Protocols_V1_CreateProtocolBatchRequest()
            bad.item = t.item(das)
            bad.item.fileId = good.id
            bad.delivery.method = .inPerson
            let error = await rpcError { _ = try await t.protocols.createProtocolBatch(bad, metadata: t.owner) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.violations["rows"] != nil)
            #expect(error?.violations["item.file_id"] != nil)
            #expect(error?.violations["delivery.method"] != nil)
            // A guide without an amount anywhere: every row says so, nothing is written.
            var noAmount = Conton_Protocols_V1_CreateProtocolBatchRequest()
            noAmount.item = t.item(das, due: "2026-12-20")
            noAmount.rows = [row(id: b.id), row(id: d.id)]
            let none = try await t.protocols.createProtocolBatch(noAmount, metadata: t.owner)
            #expect(none.created == 0 && none.rejected == 2)
            #expect(none.results.map { $0.violations.map(\.field) } == [["rows[0].amount_cents"], ["rows[1].amount_cents"]])
            #expect(try await t.count("SELECT count(*) FROM protocols_protocol") == 2)
            // A client may not run a batch.
            #expect(await code { _ = try await t.protocols.createProtocolBatch(noAmount, metadata: ProtocolsTest.client(a.id)) } == .permissionDenied)
        }
    }
}
