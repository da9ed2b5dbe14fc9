import ContonAPI
import ContonKit
import ContonStore
import ContonTesting
import Foundation
import GRDB
import GRPCCore
import ProtocolsPlugin
import Testing

@Suite struct ProtocolsTests {
    @Test func theCatalogueShipsTheObligationsAndGuidesNeedADueDateAndAmount() async throws {
        try await ProtocolsTest.run { t in
            let types = try await t.protocols.listDocumentTypes(.init(), metadata: t.owner).documentTypes
            #expect(types.count == 17)
            #expect(types.first { $0.name == "DAS" }?.kind == .payment)
            #expect(types.first { $0.name == "Balancete" }?.kind == .declaration)
            #expect(types.first { $0.name == "Contrato social" }?.kind == .registration)
            var dup = Conton_Protocols_V1_CreateDocumentTypeRequest()
            dup.documentType.name = "das"
            dup.documentType.kind = .payment
            #expect(await code { _ = try await t.protocols.createDocumentType(dup, metadata: t.owner) } == .alreadyExists)
            let client = try await t.client("Padaria Pão Quente Ltda", n: 1)
            let das = try await t.type("DAS")
            let error = await rpcError { _ = try await t.create(client.id, [t.item(das)]) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.violations["protocol.items[0].due_date"] != nil)
            #expect(error?.violations["protocol.items[0].amount_cents"] != nil)
            #expect(try await t.count("SELECT count(*) FROM protocols_protocol") == 0)
        }
    }

    @Test func theWholeLifeCycleLeavesAnIntactChain() async throws {
        try await ProtocolsTest.run { t in
            let client = try await t.client("Padaria Pão Quente Ltda", n: 1, email: "padaria@example.com")
            let guide = try await t.upload("DAS 11444001000195 2026-11.pdf")
            #expect(guide.clientId.isEmpty)
            let das = try await t.type("DAS")
            let p = try await t.create(client.id, [t.item(das, due: "2026-12-20", amount: 123_456, file: guide.id)], message: "Segue a guia do mês.")
            #expect(p.status == .sent)
            #expect(p.title == "DAS 11/2026")
            #expect(p.items[0].fileSha256 == guide.sha256)
            #expect(p.firstDueDate == "2026-12-20")
            // The guide moved into the client's area, where the client sees it.
            var gf = Conton_Files_V1_GetFileRequest()
            gf.fileId = guide.id
            #expect(try await t.files.getFile(gf, metadata: t.owner).file.clientId == client.id)
            // The client was e-mailed that documents await, in the same transaction.
            #expect(try await t.count("SELECT count(*) FROM mail_outbox WHERE recipients LIKE '%padaria@example.com%'") == 1)

            let me = ProtocolsTest.client(client.id)
            var unseen = Conton_Protocols_V1_ListProtocolsRequest()
            unseen.unseen = true
            #expect(try await t.protocols.listProtocols(unseen, metadata: me).protocols.map(\.id) == [p.id])
            let viewed = try await t.get(p.id, as: me)
            #expect(viewed.status == .viewed)
            #expect(try await t.protocols.listProtocols(unseen, metadata: me).protocols.isEmpty)
            _ = try await t.get(p.id, as: me)      // every opening is evidence; the first alone changes the status
            let acked = try await t.acknowledge(p.id, comment: "Recebido, obrigado", as: me)
            #expect(acked.status == .acknowledged)
            #expect(acked.acknowledgementComment == "Recebido, obrigado")
            let again = await rpcError { _ = try await t.acknowledge(p.id, as: me) }
            #expect(again?.code == .failedPrecondition)
            #expect(again?.details?.reason?.reason == "PROTOCOL_NOT_OPEN")

            let entries = try await t.evidence(p.id, as: me)
            #expect(entries.map(\.action) == [.sent, .emailed, .viewed, .viewed, .acknowledged])
            #expect(entries[0].fileSha256 == guide.sha256)
            #expect(entries[0].itemId == p.items[0].id)
            #expect(entries[2].principalKind == "client")
            #expect(entries[2].userAgent == "conton-portal-test/1.0")
            #expect(entries[4].detail == "Recebido, obrigado")
            for (a, b) in zip(entries, entries.dropFirst()) { #expect(b.previousSha256 == a.sha256) }
            let verdict = try await t.verify(p.id)
            #expect(verdict.intact)
            #expect(verdict.entries == 5)
            #expect(verdict.headSha256 == entries.last?.sha256)
            #expect(try await t.get(p.id).evidenceHeadSha256 == entries.last?.sha256)

            let topics = try await t.host.database.pool.read { db in
                try String.fetchAll(db, sql: "SELECT topic FROM host_outbox WHERE topic LIKE 'protocol.%' ORDER BY id")
            }
            #expect(topics == ["protocol.sent", "protocol.viewed", "protocol.acknowledged"])
        }
    }

    @Test func anAlteredOrRemovedEntryIsNamed() async throws {
        try await ProtocolsTest.run { t in
            let client = try await t.client("Oficina Conceição ME", n: 2)
            let p = try await t.create(client.id, [t.item(try await t.type("Balancete"))])
            let me = ProtocolsTest.client(client.id)
            _ = try await t.get(p.id, as: me)
            _ = try await t.acknowledge(p.id, as: me)
            #expect(try await t.verify(p.id).intact)
            // No method edits the log, and SQLite itself refuses while the triggers stand.
            await #expect(throws: (any Error).self) {
                try await t.host.database.pool.write { db in try db.execute(sql: "UPDATE protocols_evidence SET detail = 'x' WHERE protocol_id = ?", arguments: [Int64(p.id)!]) }
            }
            // Someone with the file drops the triggers and edits entry 3 (the view).
            try await t.host.database.pool.write { db in
                try db.execute(sql: "DROP TRIGGER protocols_evidence_no_update; DROP TRIGGER protocols_evidence_no_delete")
                try db.execute(sql: "UPDATE protocols_evidence SET at_ms = at_ms - 86400000 WHERE protocol_id = ? AND sequence = 3", arguments: [Int64(p.id)!])
            }
            let altered = try await t.verify(p.id)
            #expect(!altered.intact)
            #expect(altered.firstBadSequence == 3)
            #expect(altered.problem.contains("altered"))
            // Removing the tail is caught by the head the protocol keeps.
            try await t.host.database.pool.write { db in
                try db.execute(sql: "UPDATE protocols_evidence SET at_ms = at_ms + 86400000 WHERE protocol_id = ? AND sequence = 3", arguments: [Int64(p.id)!])
                try db.execute(sql: "DELETE FROM protocols_evidence WHERE protocol_id = ? AND sequence = 4", arguments: [Int64(p.id)!])
            }
            let truncated = try await t.verify(p.id)
            #expect(!truncated.intact)
            #expect(truncated.entries == 3)
            #expect(truncated.problem.contains("removed"))
        }
    }

    @Test func aClientReachesOnlyItsOwnSentProtocols() async throws {
        try await ProtocolsTest.run { t in
            let a = try await t.client("Cliente A Ltda", n: 3)
            let b = try await t.client("Cliente B Ltda", n: 4)
            let balancete = try await t.type("Balancete")
            let sent = try await t.create(a.id, [t.item(balancete)])
            let draft = try await t.create(a.id, [t.item(balancete)], send: false)
            let other = ProtocolsTest.client(b.id), mine = ProtocolsTest.client(a.id)
            // Every method a client may call that takes a protocol id (the list below must name them all).
            for id in [sent.id, draft.id, "999999", "x"] {
                #expect(await code { _ = try await t.get(id, as: other) } == .notFound)
                #expect(await code { _ = try await t.acknowledge(id, as: other) } == .notFound)
                #expect(await code { _ = try await t.evidence(id, as: other) } == .notFound)
                #expect(await code { _ = try await t.verify(id, as: other) } == .notFound)
                #expect(await code { _ = try await t.download(id, item: sent.items[0].id, as: other) } == .notFound)
                #expect(await code { _ = try await t.receipt(id, as: other) } == .notFound)
            }
            // Its own draft is not there yet either.
            #expect(await code { _ = try await t.get(draft.id, as: mine) } == .notFound)
            var all = Conton_Protocols_V1_ListProtocolsRequest()
            all.clientId = a.id      // ignored for a client
            #expect(try await t.protocols.listProtocols(all, metadata: other).protocols.isEmpty)
            #expect(try await t.protocols.listProtocols(all, metadata: mine).protocols.map(\.id) == [sent.id])
            // The office's own methods are refused to a client outright.
            let staffOnly = t.policies.filter { $0.key.service.fullyQualifiedService == "conton.protocols.v1.Protocols" }
                .filter { policy in
                if case .allow = policy.value.decide(.client(ClientIdentity(userID: "u", email: "c@example.com", name: "C", clientID: a.id))) { return false }
                return true
            }
            #expect(staffOnly.count == 13)
            let clientCallable = Set(t.policies.keys.filter { $0.service.fullyQualifiedService == "conton.protocols.v1.Protocols" }.map(\.method))
                .subtracting(staffOnly.keys.map(\.method))
            #expect(clientCallable == ["GetProtocol", "ListProtocols", "AcknowledgeProtocol", "ListEvidence", "VerifyEvidence",
                                       "DownloadItemFile", "PrintProtocolReceipt"], "each is checked for another client's ids above")
            var cancel = Conton_Protocols_V1_CancelProtocolRequest()
            cancel.protocolId = sent.id
            cancel.reason = "erro"
            #expect(await code { _ = try await t.protocols.cancelProtocol(cancel, metadata: mine) } == .permissionDenied)
        }
    }

    @Test func badItemsAndSentProtocolsAreRefusedWholly() async throws {
        try await ProtocolsTest.run { t in
            let a = try await t.client("Cliente A Ltda", n: 5)
            let b = try await t.client("Cliente B Ltda", n: 6)
            let theirs = try await t.upload("folha.pdf", clientID: b.id)
            let folha = try await t.type("Folha de pagamento")
            let error = await rpcError { _ = try await t.create(a.id, [t.item(folha), t.item(folha, file: theirs.id), t.item(folha, file: "nope")]) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.violations["protocol.items[1].file_id"]?.contains("another client") == true)
            #expect(error?.violations["protocol.items[2].file_id"] != nil)
            #expect(try await t.count("SELECT count(*) FROM protocols_protocol") == 0)

            var inPerson = Conton_Protocols_V1_CreateProtocolRequest()
            inPerson.protocol.clientId = a.id
            inPerson.protocol.items = [t.item(folha)]
            inPerson.protocol.delivery.method = .inPerson
            inPerson.protocol.delivery.receiverName = "José da Silva"
            inPerson.protocol.delivery.receiverDocument = "111.444.777-00"
            #expect(await rpcError { _ = try await t.protocols.createProtocol(inPerson, metadata: t.owner) }?.violations["protocol.delivery.receiver_document"] != nil)
            inPerson.protocol.delivery.receiverDocument = "111.444.777-35"
            inPerson.send = true
            let p = try await t.protocols.createProtocol(inPerson, metadata: t.owner).protocol
            #expect(try await t.evidence(p.id)[0].detail.contains("José da Silva (CPF 111.444.777-35)"))

            var update = Conton_Protocols_V1_UpdateProtocolRequest()
            update.protocol.id = p.id
            update.protocol.title = "Outro título"
            update.updateMask.paths = ["title"]
            let edit = await rpcError { _ = try await t.protocols.updateProtocol(update, metadata: t.owner) }
            #expect(edit?.code == .failedPrecondition)
            #expect(edit?.details?.reason?.reason == "PROTOCOL_NOT_DRAFT")
            var justify = Conton_Protocols_V1_JustifyProtocolRequest()
            justify.protocolId = p.id
            justify.reason = "Entregue em mãos ao sócio"
            #expect(try await t.protocols.justifyProtocol(justify, metadata: t.owner).protocol.status == .justified)
            #expect(try await t.verify(p.id).intact)

            // A draft is edited (with the version read) and then sent.
            let draft = try await t.create(a.id, [t.item(folha)], send: false)
            update.protocol.id = draft.id
            update.protocol.version = draft.version
            #expect(try await t.protocols.updateProtocol(update, metadata: t.owner).protocol.title == "Outro título")
            #expect(await code { _ = try await t.protocols.updateProtocol(update, metadata: t.owner) } == .aborted)
            var send = Conton_Protocols_V1_SendProtocolRequest()
            send.protocolId = draft.id
            #expect(try await t.protocols.sendProtocol(send, metadata: t.owner).protocol.status == .sent)
        }
    }

    @Test func thePortalListsUnseenFirstAndOverdueMarked() async throws {
        try await ProtocolsTest.run { t in
            let a = try await t.client("Cliente A Ltda", n: 7)
            let das = try await t.type("DAS")
            var made: [Conton_Protocols_V1_Protocol] = []
            for i in 0..<7 {
                made.append(try await t.create(a.id, [t.item(das, due: i < 3 ? "2026-11-20" : "2026-12-20", amount: 10_000)]))
                t.clock.advance(milliseconds: 1000)
            }
            let me = ProtocolsTest.client(a.id)
            _ = try await t.get(made[1].id, as: me)
            _ = try await t.get(made[5].id, as: me)
            var seen: [Conton_Protocols_V1_Protocol] = []
            var token = ""
            repeat {
                var r = Conton_Protocols_V1_ListProtocolsRequest()
                r.pageSize = 2
                r.pageToken = token
                let page = try await t.protocols.listProtocols(r, metadata: me)
                seen += page.protocols
                token = page.nextPageToken
            } while !token.isEmpty
            #expect(seen.map(\.id) == [6, 4, 3, 2, 0, 5, 1].map { made[$0].id })
            #expect(seen.filter(\.overdue).map(\.id) == [2, 0, 1].map { made[$0].id })
            var overdue = Conton_Protocols_V1_ListProtocolsRequest()
            overdue.overdueUnacknowledged = true
            #expect(try await t.protocols.listProtocols(overdue, metadata: t.owner).protocols.map(\.id) == [2, 1, 0].map { made[$0].id })
        }
    }
}
