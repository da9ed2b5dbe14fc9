import ClientsPlugin
import ContonAPI
import ContonKit
import ContonStore
import ContonTesting
import DocumentsCapability
import DocumentsPlugin
import Foundation
import GRDB
import GRPCCore
import OfficePlugin
import Testing

/// The ficha and the client list on paper (PDF, read back with poppler) and as CSV.
@Suite struct ClientDocumentsTests {
    static let plugins: [any Plugin] = [OfficePlugin(), DocumentsPlugin()]

    typealias Downloaded = (header: Conton_Documents_V1_DocumentHeader, bytes: [UInt8])

    /// Collects a document stream, checking the announced size and SHA-256.
    @Sendable static func collect(_ response: StreamingClientResponse<Conton_Documents_V1_DocumentChunk>) async throws -> Downloaded {
        try await DocumentReceiver.collect(response.messages)
    }

    static func printRecord(_ t: ClientsTest, _ id: String, as caller: Metadata? = nil) async throws -> (header: Conton_Documents_V1_DocumentHeader, bytes: [UInt8]) {
        var request = Conton_Clients_V1_GetClientRecordRequest()
        request.clientId = id
        return try await t.api.printClientRecord(request, metadata: caller ?? t.owner, onResponse: collect)
    }

    static func exportList(_ t: ClientsTest, format: Conton_Documents_V1_DocumentFormat,
                           _ configure: (inout Conton_Clients_V1_ListClientsRequest) -> Void = { _ in })
        async throws -> (header: Conton_Documents_V1_DocumentHeader, bytes: [UInt8]) {
        var request = Conton_Clients_V1_ExportClientListRequest()
        configure(&request.filter)
        request.format = format
        return try await t.api.exportClientList(request, metadata: t.owner, onResponse: collect)
    }

    static func fullClient() -> Client {
        var c = company("Padaria Conceição Ltda", trade: "Pão Quente São João", cnpj: "11.222.333/0001-81", email: "contato@paoquente.com.br")
        c.otherEmails = ["fiscal@paoquente.com.br"]
        c.phones = ["(11) 98765-4321"]
        c.address.cep = "01310-100"
        c.address.street = "Avenida Paulista"
        c.address.number = "1000"
        c.address.district = "Bela Vista"
        c.address.city = "São Paulo"
        c.address.uf = "SP"
        c.stateRegistration = "ISENTO"
        c.taxRegime = .simplesNacional
        c.contactPerson = "João da Conceição"
        c.monthlyFeeCents = 123_456
        c.feeDueDay = 10
        c.clientSince = "2020-03-01"
        c.notes = "Entrega a documentação até o dia 5; preferência por e-mail."
        return c
    }

    @Test func theFichaPrintsEveryFieldWithItsAccentsAndIsVerifiable() async throws {
        try await ClientsTest.run(extraPlugins: Self.plugins) { t in
            let client = try await t.create(Self.fullClient())
            let (header, bytes) = try await Self.printRecord(t, client.id)
            try PopplerTools.keep(bytes, as: "client-sheet.pdf")
            #expect(header.contentType == "application/pdf" && header.pages == 1 && header.fileName == "ficha-\(client.id).pdf")
            let text = try await PopplerTools.text(bytes).joined()
            let folded = text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
            for expected in ["Ficha de cliente", "Padaria Conceição Ltda", "Pão Quente São João", "11.222.333/0001-81", "Pessoa jurídica",
                             "ISENTO", "Simples Nacional", "01/03/2020", "contato@paoquente.com.br", "fiscal@paoquente.com.br",
                             "(11) 98765-4321", "João da Conceição", "Avenida Paulista, 1000", "Bela Vista", "São Paulo/SP",
                             "CEP 01310-100", "R$ 1.234,56", "dia 10", "nenhum gerado", "sem acesso",
                             "Entrega a documentação até o dia 5", "Ativo", header.verificationCode] {
                #expect(folded.contains(expected), "\(expected) is not on the ficha")
            }
            let info = try await PopplerTools.info(bytes)
            #expect(info["Page size"]?.contains("(A4)") == true && info["Pages"] == "1")
            #expect(try await PopplerTools.qrCodes(bytes) == [header.verificationCode])
            // Recorded: VerifyDocument knows it by its bytes.
            var verify = Conton_Documents_V1_VerifyDocumentRequest()
            verify.sha256 = SHA256.hex(bytes)
            let verified = try await t.documents.verifyDocument(verify)
            #expect(verified.issued && verified.document.kind == "client-sheet" && verified.document.title == "Ficha de cliente")
        }
    }

    @Test func unknownClientIsNotFoundAndClientsCannotPrint() async throws {
        try await ClientsTest.run(extraPlugins: Self.plugins) { t in
            let client = try await t.create(Self.fullClient())
            await #expect(code { _ = try await Self.printRecord(t, "nope") } == .notFound)
            await #expect(code { _ = try await Self.printRecord(t, client.id, as: InProcessTestServer.as(.client(client.id))) } == .permissionDenied)
            await #expect(code { _ = try await Self.exportList(t, format: .pdf) { $0.pageSize = 10 } } == .invalidArgument)
            let error = await rpcError { _ = try await Self.exportList(t, format: .csv) { $0.pageToken = "x" } }
            #expect(error?.details?.fieldViolations.map(\.field) == ["filter.page_token"])
        }
    }

    @Test func theListHasEveryMatchAcrossPagesAndTheCSVGivesBackTheSameRowsAndTotal() async throws {
        try await ClientsTest.run(extraPlugins: Self.plugins) { t in
            let rows = (0..<1_200).map { i -> Conton_Clients_V1_ImportClientsRequest in
                var c = person("Cliente \(i) da Conceição", cpf: Docs.cpf(i), email: "c\(i)@example.com")
                c.monthlyFeeCents = Int64(10_000 + i)
                var row = Conton_Clients_V1_ImportClientsRequest()
                row.client = c
                return row
            }
            let imported = try await t.api.importClients(metadata: t.owner) { writer in try await writer.write(contentsOf: rows) }
            #expect(imported.imported == 1_200)
            let expectedSum = (0..<1_200).reduce(Int64(0)) { $0 + Int64(10_000 + $1) }

            let (header, pdf) = try await Self.exportList(t, format: .pdf) { $0.query = "conceicao" }
            try PopplerTools.keep(pdf, as: "clients-list.pdf")
            let pages = try await PopplerTools.text(pdf)
            #expect(header.pages > 10 && pages.count == Int(header.pages))
            for (index, page) in pages.enumerated() {
                #expect(page.contains("Nome / razão social") && page.contains("Página \(index + 1) de \(pages.count)"))
                #expect(page.contains("1200 clientes") == (index == pages.count - 1))
            }
            #expect(pages[0].contains("Clientes ativos, nome com “conceicao”"))
            #expect(pages.last?.contains(DocumentFormat.money(cents: expectedSum)) == true)

            let (csvHeader, csv) = try await Self.exportList(t, format: .csv) { $0.query = "conceicao" }
            #expect(csvHeader.contentType == "text/csv; charset=utf-8" && Array(csv.prefix(3)) == [0xEF, 0xBB, 0xBF])
            let records = String(decoding: csv.dropFirst(3), as: UTF8.self).split(separator: "\r\n").map { $0.split(separator: ";", omittingEmptySubsequences: false).map(String.init) }
            #expect(records.first == ["Nome / razão social", "CPF/CNPJ", "Regime", "E-mail", "Telefone", "Honorário", "Situação"])
            let body = records.dropFirst().dropLast()
            #expect(body.count == 1_200)
            let listed = try await t.list { $0.query = "conceicao"; $0.pageSize = 500 }
            #expect(Array(body.prefix(500).map { $0[0] }) == listed.clients.map(\.name))
            let cents = body.map { Int64($0[5].replacingOccurrences(of: ",", with: ""))! }
            #expect(cents.reduce(0, +) == expectedSum)
            #expect(records.last?[0] == "Total: 1200" && records.last?[5] == DocumentFormat.csvMoney(cents: expectedSum))
        }
    }

    @Test func moreThan50000ClientsIsFailedPreconditionAskingForANarrowerFilter() async throws {
        try await ClientsTest.run(extraPlugins: Self.plugins) { t in
            // Rows written straight into the table (a test may; a plugin may not): an import of
            // 50,001 would take seconds this test does not need.
            try await t.host.database.pool.write { db in
                for i in 0...ClientsService_maxListed {
                    try db.execute(sql: """
                        INSERT INTO clients_client (id, person_type, name, document, email, tax_regime, name_key, search_key, data, version,
                                                    created_at_ms, updated_at_ms)
                        VALUES (?, 1, ?, ?, 'x@example.com', 0, ?, ?, '{}', 1, 0, 0)
                        """, arguments: ["id\(i)", "Cliente \(i)", "D\(i)", "cliente \(i)", "cliente \(i)"])
                }
            }
            let error = await rpcError { _ = try await Self.exportList(t, format: .csv) }
            #expect(error?.code == .failedPrecondition && error?.details?.reason?.reason == "LIST_TOO_LONG")
            #expect(error?.message.contains("narrow the filter") == true)
        }
    }
}

/// The limit the clients plugin documents (50,000), as the test fills the table past it.
let ClientsService_maxListed = 50_000
