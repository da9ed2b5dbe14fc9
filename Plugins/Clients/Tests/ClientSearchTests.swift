@testable import ClientsPlugin
import ContonAPI
import ContonTesting
import GRPCCore
import Testing

/// ListClients: accent-insensitive substring search, documents, e-mails, filters, pagination.
@Suite struct ClientSearchTests {
    @Test func searchIsCaseAndAccentInsensitiveAndMatchesInsideWords() async throws {
        try await ClientsTest.run { t in
            let joao = try await t.create(person("João da Silva", cpf: Docs.cpfs[0], email: "joao@example.com"))
            let sp = try await t.create(company("SÃO PAULO LTDA", trade: "Paulistinha", cnpj: Docs.cnpjs[1], email: "sp@example.com"))
            let pao = try await t.create(company("Padaria Pão Quente Ltda", trade: "Pão Quente", cnpj: Docs.cnpjs[0],
                                                 email: "contato@paoquente.com.br"))
            try await t.create(person("Maria Conceição", cpf: Docs.cpfs[1], email: "maria@example.com"))
            func names(_ query: String) async throws -> [String] {
                try await t.list { $0.query = query }.clients.map(\.name)
            }
            #expect(try await names("joao") == ["João da Silva"])
            #expect(try await names("JOÃO") == ["João da Silva"])
            #expect(try await names("sao paulo") == ["SÃO PAULO LTDA"])
            #expect(try await names("conceicao") == ["Maria Conceição"])
            #expect(try await names("ilv") == ["João da Silva"])              // inside a word
            #expect(try await names("quente") == ["Padaria Pão Quente Ltda"])  // trade name too
            #expect(try await names("paulistinha") == ["SÃO PAULO LTDA"])
            #expect(try await names("ltda") == ["Padaria Pão Quente Ltda", "SÃO PAULO LTDA"])  // by name, accents ignored
            #expect(try await names("joao silva") == ["João da Silva"])       // every word, any order
            #expect(try await names("silva joao") == ["João da Silva"])
            #expect(try await names("da") == ["João da Silva", "Padaria Pão Quente Ltda", "SÃO PAULO LTDA"])  // short: substring
            #expect(try await names("joao xyz").isEmpty)
            #expect(try await names("\"joao\" OR *").isEmpty)  // FTS syntax is text, not an expression
            #expect(try await t.list { $0.query = "ltda" }.totalCount == 2)
            // Documents: with or without punctuation, by prefix; the alphanumeric CNPJ in any case.
            #expect(try await t.list { $0.document = "111.444" }.clients.map(\.id) == [joao.id])
            #expect(try await t.list { $0.document = "11144477735" }.clients.map(\.id) == [joao.id])
            #expect(try await t.list { $0.document = "12.abc.345/01de-35" }.clients.map(\.id) == [pao.id])
            #expect(try await t.list { $0.document = "12ABC" }.clients.map(\.id) == [pao.id])
            #expect(try await t.list { $0.document = "11.222.333/0001-81" }.clients.map(\.id) == [sp.id])
            #expect(try await t.list { $0.document = "999" }.clients.isEmpty)
            #expect(try await t.list { $0.document = "./-" }.clients.isEmpty)
            // E-mail: a case-insensitive part.
            #expect(try await t.list { $0.email = "PAOQUENTE" }.clients.map(\.id) == [pao.id])
            // Filters combine.
            var update = Conton_Clients_V1_UpdateClientRequest()
            update.client.id = sp.id
            update.client.version = sp.version
            update.client.taxRegime = .lucroPresumido
            update.updateMask.paths = ["tax_regime"]
            _ = try await t.api.updateClient(update, metadata: t.owner)
            #expect(try await t.list { $0.taxRegime = .lucroPresumido }.clients.map(\.id) == [sp.id])
            #expect(try await t.list { $0.taxRegime = .lucroPresumido; $0.query = "quente" }.clients.isEmpty)
        }
    }

    @Test func anUpdatedNameIsFoundByItsNewNameOnly() async throws {
        try await ClientsTest.run { t in
            let client = try await t.create(person("Antônio Velho", cpf: Docs.cpfs[5]))
            var update = Conton_Clients_V1_UpdateClientRequest()
            update.client.id = client.id
            update.client.version = client.version
            update.client.name = "Antônio Novo"
            update.updateMask.paths = ["name"]
            _ = try await t.api.updateClient(update, metadata: t.owner)
            #expect(try await t.list { $0.query = "velho" }.clients.isEmpty)
            #expect(try await t.list { $0.query = "antonio novo" }.clients.map(\.id) == [client.id])
        }
    }

    /// Keyset pages in name order: inserting clients between reads neither repeats nor skips
    /// any of the clients that were there from the start.
    @Test func paginationStaysStableWhileClientsAreInserted() async throws {
        try await ClientsTest.run { t in
            var original: [String: String] = [:]
            for i in 0..<60 {
                let name = "Cliente \(String(format: "%03d", i * 2))"
                original[try await t.create(person(name, cpf: Docs.cpf(i))).id] = name
            }
            var seen: [String] = []
            var token = ""
            var pages = 0
            var inserted = 0
            repeat {
                let page = try await t.list { $0.pageSize = 7; $0.pageToken = token; $0.query = "cliente" }
                #expect(page.clients.count <= 7)
                seen += page.clients.map(\.id)
                token = page.nextPageToken
                pages += 1
                // Between pages: one client sorting before everything read, one in the middle.
                for name in ["Cliente 000a \(pages)", "Cliente 0\(50 + pages)x"] {
                    try await t.create(person(name, cpf: Docs.cpf(1000 + inserted)))
                    inserted += 1
                }
            } while !token.isEmpty && pages < 40
            #expect(Set(seen).count == seen.count, "a client was returned twice")
            #expect(Set(original.keys).isSubset(of: Set(seen)), "a client present from the start was skipped")
            let names = try await t.list { $0.pageSize = 500; $0.query = "cliente" }
            #expect(names.totalCount == Int64(60 + inserted))
            #expect(names.clients.map(\.name) == names.clients.map(\.name).sorted { $0.lowercased() < $1.lowercased() })
            // A page size over 500 is clamped; a forged token is refused.
            #expect(await code { _ = try await t.list { $0.pageToken = "bm90IGEgdG9rZW4=" } } == .invalidArgument)
            #expect(await code { _ = try await t.list { $0.pageSize = -1 } } == .invalidArgument)
        }
    }
}

/// Both page plans (sorting the FTS matches, or scanning in name order with `instr`) and both
/// counts (FTS index minus archived matches, or the full condition) give the same answers.
@Suite struct ClientSearchPlanTests {
    @Test func bothPlansAgree() async throws {
        try await ClientsTest.run { t in
            let names = ["João da Silva", "Joana Silveira", "SÃO PAULO LTDA", "Padaria São João Ltda", "Maria Conceição",
                         "Conceição Araújo", "José Souza", "Ana Paula", "Mariana Souza", "Silvana Ltda"]
            var ids: [String] = []
            for (i, name) in names.enumerated() {
                ids.append(try await t.create(person(name, cpf: Docs.cpf(500 + i))).id)
            }
            for id in [ids[0], ids[4], ids[9]] {
                var archive = Conton_Clients_V1_ArchiveClientRequest()
                archive.clientId = id
                _ = try await t.api.archiveClient(archive, metadata: t.owner)
            }
            let pool = t.host.database.pool
            for query in ["silva", "joao", "sao", "ltda", "conceicao souza", "ana", "a", "sil ana", "zzz", ""] {
                for status in [Conton_Clients_V1_StatusFilter.unspecified, .archived, .all] {
                    let sorted = ClientSearch(query: query, status: status, taxRegime: .unspecified, denseThreshold: .max)
                    let scanned = ClientSearch(query: query, status: status, taxRegime: .unspecified, denseThreshold: 0)
                    let (a, b, countA, countB) = try await pool.read { db in
                        let matches = try sorted.indexMatches(in: db)
                        var pageA: [String] = [], pageB: [String] = []
                        var cursor: (nameKey: String, id: String)?
                        repeat {  // pages of 2, to cross the cursor too
                            let rows = try sorted.page(after: cursor, limit: 2, indexMatches: matches, in: db)
                            pageA += rows.map(\.client.id)
                            cursor = rows.last.map { ($0.nameKey, $0.client.id) }
                        } while cursor != nil
                        repeat {
                            let rows = try scanned.page(after: cursor, limit: 2, indexMatches: matches, in: db)
                            pageB += rows.map(\.client.id)
                            cursor = rows.last.map { ($0.nameKey, $0.client.id) }
                        } while cursor != nil
                        // The second count takes the full condition (no FTS shortcut).
                        return (pageA, pageB, try sorted.count(indexMatches: matches, in: db),
                                try scanned.count(indexMatches: nil, in: db))
                    }
                    #expect(a == b, "\(query) \(status)")
                    #expect(countA == Int64(a.count) && countB == countA, "\(query) \(status)")
                }
            }
        }
    }
}
