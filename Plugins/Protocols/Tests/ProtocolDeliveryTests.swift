import ContonAPI
import ContonBrazil
import ContonKit
import ContonStore
import ContonTesting
import Foundation
import GRDB
import GRPCCore
import Testing

/// An item's file through the protocol (with its DOWNLOADED entry) and the comprovante de
/// entrega, read back with pdftotext.
@Suite struct ProtocolDeliveryTests {
    @Test func aClientsDownloadIsEvidenceWithTheFilesHash() async throws {
        try await ProtocolsTest.run { t in
            let client = try await t.client("Padaria Pão Quente Ltda", n: 1)
            let content = "%PDF-1.4 " + String(repeating: "guia do DAS ", count: 20_000)      // several chunks
            let guide = try await t.upload("DAS \(client.document).pdf", content: content)
            let das = try await t.type("DAS"), balancete = try await t.type("Balancete")
            let p = try await t.create(client.id, [t.item(das, due: "2026-12-20", amount: 9_900, file: guide.id), t.item(balancete)])
            let me = ProtocolsTest.client(client.id)
            let before = try await t.evidence(p.id).count

            let (header, bytes) = try await t.download(p.id, item: p.items[0].id, as: me)
            #expect(bytes == Array(content.utf8))
            #expect(header.sha256 == guide.sha256 && header.fileName == guide.fileName && header.sizeBytes == guide.size)
            let entries = try await t.evidence(p.id)
            #expect(entries.count == before + 1)
            let last = try #require(entries.last)
            #expect(last.action == .downloaded)
            #expect(last.itemId == p.items[0].id)
            #expect(last.fileSha256 == guide.sha256)
            #expect(last.principalKind == "client")
            #expect(last.userAgent == "conton-portal-test/1.0")
            // Downloading is opening: the unseen protocol is now VIEWED.
            #expect(try await t.get(p.id).status == .viewed)
            #expect(try await t.count("SELECT count(*) FROM host_outbox WHERE topic = 'protocol.viewed'") == 1)
            #expect(try await t.verify(p.id).intact)

            // An item without a file, an unknown item, another client, a draft for the client.
            #expect(await code { _ = try await t.download(p.id, item: p.items[1].id, as: me) } == .failedPrecondition)
            #expect(await code { _ = try await t.download(p.id, item: "424242", as: me) } == .notFound)
            let other = try await t.client("Outra Ltda", n: 2)
            #expect(await code { _ = try await t.download(p.id, item: p.items[0].id, as: ProtocolsTest.client(other.id)) } == .notFound)
            let draftFile = try await t.upload("rascunho.pdf", clientID: client.id)
            let draft = try await t.create(client.id, [t.item(balancete, file: draftFile.id)], send: false)
            #expect(await code { _ = try await t.download(draft.id, item: draft.items[0].id, as: me) } == .notFound)
            // Staff may look at a draft's file; a draft has no evidence yet, and gets none.
            _ = try await t.download(draft.id, item: draft.items[0].id)
            #expect(try await t.evidence(draft.id).isEmpty)
            #expect(await code { _ = try await t.download(p.id, item: "") } == .invalidArgument)
        }
    }

    @Test func aDamagedFileIsDataLossAndNoEvidence() async throws {
        try await ProtocolsTest.run { t in
            let client = try await t.client("Padaria Pão Quente Ltda", n: 1)
            let guide = try await t.upload("DAS \(client.document).pdf", content: "%PDF-1.4 guia original")
            let das = try await t.type("DAS")
            let p = try await t.create(client.id, [t.item(das, due: "2026-12-20", amount: 9_900, file: guide.id)])
            let before = try await t.evidence(p.id)
            // The stored content changes behind the server's back (same size, other bytes).
            let path = t.host.database.dataDirectory + "/blobs/files/sha256/\(guide.sha256.prefix(2))/\(guide.sha256)"
            try Data("%PDF-1.4 guia alterada".utf8).write(to: URL(fileURLWithPath: path))
            let me = ProtocolsTest.client(client.id)
            #expect(await code { _ = try await t.download(p.id, item: p.items[0].id, as: me) } == .dataLoss)
            // Nothing was delivered, so nothing is recorded, and the protocol is still unseen.
            #expect(try await t.evidence(p.id) == before)
            #expect(try await t.get(p.id).status == .sent)
        }
    }

    @Test func theComprovanteListsEveryEntryAndTheChainsHead() async throws {
        try await ProtocolsTest.run { t in
            let client = try await t.client("Padaria Pão Quente Ltda", n: 1, email: "padaria@example.com")
            let guide = try await t.upload("DAS \(client.document) 11-2026.pdf")
            let das = try await t.type("DAS"), balancete = try await t.type("Balancete")
            let p = try await t.create(client.id, [t.item(das, due: "2026-12-20", amount: 123_456, file: guide.id), t.item(balancete)],
                                       message: "Segue a guia do mês.")
            let me = ProtocolsTest.client(client.id)
            _ = try await t.get(p.id, as: me)
            _ = try await t.download(p.id, item: p.items[0].id, as: me)
            _ = try await t.acknowledge(p.id, comment: "Recebido, obrigado", as: me)
            let entries = try await t.evidence(p.id)
            #expect(entries.map(\.action) == [.sent, .sent, .emailed, .viewed, .downloaded, .acknowledged])

            for who in [t.owner, me] {
                let (header, pdf) = try await t.receipt(p.id, as: who)
                try PopplerTools.keep(pdf, as: "comprovante-protocolo.pdf")
                #expect(header.contentType == "application/pdf")
                #expect(!header.verificationCode.isEmpty)
                let text = try await PopplerTools.text(pdf)
                let flat = text.joined(separator: " ").split(whereSeparator: \.isWhitespace).joined(separator: " ")
                let squeezed = flat.replacingOccurrences(of: " ", with: "")
                #expect(flat.contains("Comprovante de entrega — protocolo nº \(p.number)"))
                #expect(flat.contains("Padaria Pão Quente Ltda"))
                #expect(flat.contains(TaxID.formatted(client.document)))
                #expect(squeezed.contains(guide.sha256), "the item's file SHA-256")
                #expect(flat.contains("Recebido, obrigado"))
                // Every entry: its number, what it records and its hash.
                for e in entries {
                    #expect(squeezed.contains(e.sha256), "entry \(e.sequence)'s hash")
                }
                for word in ["Envio", "E-mail", "Visualização", "Download", "Ciência"] { #expect(flat.contains(word)) }
                #expect(flat.contains("portal-test/1.0"), "the client's user agent")
                let verification = try await t.verify(p.id)
                #expect(squeezed.contains("Últimohashdacadeia(SHA-256)" + verification.headSha256))
                #expect(flat.contains("está íntegra"))
                #expect(squeezed.contains(header.verificationCode.replacingOccurrences(of: " ", with: "")))
            }
            // Printing is not evidence, and a draft has nothing to prove yet.
            #expect(try await t.evidence(p.id).count == entries.count)
            let draft = try await t.create(client.id, [t.item(balancete)], send: false)
            #expect(await code { _ = try await t.receipt(draft.id) } == .failedPrecondition)
            #expect(await code { _ = try await t.receipt(draft.id, as: me) } == .notFound)

            // An entry altered behind the server's back: the comprovante says the chain does not hold.
            try await t.host.database.pool.write { db in
                try db.execute(sql: "DROP TRIGGER protocols_evidence_no_update")
                try db.execute(sql: "UPDATE protocols_evidence SET detail = 'outro' WHERE protocol_id = ? AND sequence = 3", arguments: [Int64(p.id)!])
            }
            let text = try await PopplerTools.text(try await t.receipt(p.id).bytes).joined(separator: " ")
            #expect(text.contains("NÃO confere a partir do registro 3"))
        }
    }
}
