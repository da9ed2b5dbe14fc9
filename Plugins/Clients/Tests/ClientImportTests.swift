import ClientsPlugin
import ContonAPI
import ContonTesting
import GRPCCore
import Testing

/// ImportClients (client streaming) and ExportClients (server streaming).
@Suite struct ClientImportTests {
    static func importRows(_ t: ClientsTest, _ clients: [Client]) async throws -> Conton_Clients_V1_ImportClientsResponse {
        try await t.api.importClients(request: StreamingClientRequest(metadata: t.owner) { writer in
            for client in clients {
                var row = Conton_Clients_V1_ImportClientsRequest()
                row.client = client
                try await writer.write(row)
            }
        })
    }

    @Test func validRowsCommitAndInvalidRowsAreReportedRowByRow() async throws {
        try await ClientsTest.run { t in
            let existing = try await t.create(person("Já Cadastrado", cpf: Docs.cpfs[0]))
            let rows = [
                person("Primeiro", cpf: Docs.cpfs[1]),
                person("CPF errado", cpf: "111.444.777-36"),
                company("Empresa Boa Ltda", cnpj: Docs.cnpjs[0]),
                person("Repetido", cpf: "52998224725"),          // row 1's CPF again
                person("Já existe", cpf: Docs.cpfs[0]),           // in the database already
                person("", cpf: Docs.cpfs[2], email: "x"),        // two violations
            ]
            let response = try await Self.importRows(t, rows)
            #expect(response.imported == 2 && response.rejected == 4)
            #expect(response.results.map(\.row) == [1, 2, 3, 4, 5, 6])
            #expect(response.results.map { !$0.clientId.isEmpty } == [true, false, true, false, false, false])
            #expect(response.results[1].violations.map(\.field) == ["client.document"])
            #expect(response.results[3].violations.first?.description.contains("row 1") == true)
            #expect(response.results[4].violations.first?.description.contains(existing.id) == true)
            #expect(Set(response.results[5].violations.map(\.field)) == ["client.name", "client.email"])
            #expect(try await t.list { $0.status = .all }.totalCount == 3)
            #expect(try await t.count("SELECT count(*) FROM host_outbox WHERE topic = 'client.created'") == 3)
        }
    }

    @Test func exportStreamsEveryClientInNameOrder() async throws {
        try await ClientsTest.run { t in
            let clients = (0..<1_203).map { i in person("Exportado \(String(format: "%04d", 1_202 - i))", cpf: Docs.cpf(i)) }
            #expect(try await Self.importRows(t, clients).imported == 1_203)
            var archive = Conton_Clients_V1_ArchiveClientRequest()
            archive.clientId = try await t.list { $0.query = "exportado 0000" }.clients[0].id
            _ = try await t.api.archiveClient(archive, metadata: t.owner)
            let names = try await t.api.exportClients(request: ClientRequest(message: .init(), metadata: t.owner)) { response in
                var names: [String] = []
                for try await client in response.messages { names.append(client.name) }
                return names
            }
            #expect(names.count == 1_202)  // the archived one is not active
            #expect(names == names.sorted() && names.first == "Exportado 0001")
            var all = Conton_Clients_V1_ExportClientsRequest()
            all.status = .all
            let count = try await t.api.exportClients(request: ClientRequest(message: all, metadata: t.owner)) { response in
                var n = 0
                for try await _ in response.messages { n += 1 }
                return n
            }
            #expect(count == 1_203)
        }
    }
}
