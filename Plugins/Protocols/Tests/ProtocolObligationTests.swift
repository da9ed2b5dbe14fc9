import AgendaPlugin
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
import ProtocolsPlugin
import Testing

/// A protocol item that delivers an obligation of the agenda (the DAS of a competence) marks it
/// delivered when the protocol is sent — in the same transaction, through the agenda's
/// `ObligationLedger`, without reading the agenda's tables.
@Suite struct ProtocolObligationTests {
    @Test func sendingAProtocolMarksItsObligationDelivered() async throws {
        let clock = TestClock(ProtocolsTest.start)
        try await withInProcessTestServer(plugins: [ClientsPlugin(), OfficePlugin(), DocumentsPlugin(), FilesPlugin(), AgendaPlugin(sweepAtStart: false),
                                                    ProtocolsPlugin(sweepAtStart: false)], clock: clock) { test in
            let owner = InProcessTestServer.as(.owner)
            let clients = Conton_Clients_V1_Clients.Client(wrapping: test.client)
            let agenda = Conton_Agenda_V1_Agenda.Client(wrapping: test.client)
            let protocols = Conton_Protocols_V1_Protocols.Client(wrapping: test.client)
            func client(_ n: Int) async throws -> String {
                var c = Conton_Clients_V1_CreateClientRequest()
                c.client.personType = .company
                c.client.name = "Simples \(n) Ltda"
                c.client.document = try CNPJ(base: "55666" + String(String(1_000_000 + n).suffix(3)) + "0001").value
                c.client.email = "simples\(n)@example.com"
                c.client.taxRegime = .simplesNacional
                return try await clients.createClient(c, metadata: owner).client.id
            }
            let (a, b) = (try await client(1), try await client(2))
            var generate = Conton_Agenda_V1_GenerateObligationsRequest()
            generate.year = 2026
            _ = try await agenda.generateObligations(generate, metadata: owner)
            func das(_ clientID: String, _ competence: String) async throws -> Conton_Agenda_V1_Occurrence {
                var r = Conton_Agenda_V1_ListOccurrencesRequest()
                (r.fromDate, r.toDate, r.clientId, r.kind) = ("2026-01-01", "2027-01-31", clientID, .obligation)
                let all = try await agenda.listOccurrences(r, metadata: owner).occurrences
                return try #require(all.first { $0.competence == competence && $0.title.hasPrefix("DAS") })
            }
            let november = try await das(a, "2026-11")
            #expect(!november.delivered)
            let types = try await protocols.listDocumentTypes(.init(), metadata: owner).documentTypes
            var item = Conton_Protocols_V1_ProtocolItem()
            item.documentTypeId = try #require(types.first { $0.name == "DAS" }).id
            (item.dueDate, item.amountCents, item.competence) = (november.date, 54_321, "2026-11")
            item.obligationEventId = november.eventId

            // Bad links, every one at once: another client's obligation, one that does not exist.
            var bad = Conton_Protocols_V1_CreateProtocolRequest()
            bad.protocol.clientId = a
            var other = item
            other.obligationEventId = try await das(b, "2026-11").eventId
            var missing = item
            missing.obligationEventId = 999_999
            bad.protocol.items = [other, missing]
            let error = await rpcError { _ = try await protocols.createProtocol(bad, metadata: owner) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.violations["protocol.items[0].obligation_event_id"] == "obligation \(other.obligationEventId) is another client's")
            #expect(error?.violations["protocol.items[1].obligation_event_id"] == "no obligation 999999 on the agenda")
            // A batch's item is every client's: it names none.
            var batch = Conton_Protocols_V1_CreateProtocolBatchRequest()
            batch.item = item
            var row = Conton_Protocols_V1_BatchRow()
            row.clientId = a
            batch.rows = [row]
            #expect(await rpcError { _ = try await protocols.createProtocolBatch(batch, metadata: owner) }?
                .violations["item.obligation_event_id"] != nil)

            // A draft links it; sending delivers it.
            var create = Conton_Protocols_V1_CreateProtocolRequest()
            create.protocol.clientId = a
            create.protocol.items = [item]
            let draft = try await protocols.createProtocol(create, metadata: owner).protocol
            #expect(draft.items.first?.obligationEventId == november.eventId)
            #expect(try await !das(a, "2026-11").delivered)
            var send = Conton_Protocols_V1_SendProtocolRequest()
            send.protocolId = draft.id
            _ = try await protocols.sendProtocol(send, metadata: owner)
            #expect(try await das(a, "2026-11").delivered)
            #expect(try await !das(a, "2026-10").delivered)
            #expect(try await !das(b, "2026-11").delivered)
            // Delivered obligations survive a regeneration (GenerateObligations keeps them).
            _ = try await agenda.generateObligations(generate, metadata: owner)
            #expect(try await das(a, "2026-11").delivered)
        }
    }
}
