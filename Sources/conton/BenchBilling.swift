import ArgumentParser
import ContonAPI
import ContonBrazil
import ContonKit
import Foundation
import GRPCCore

/// `conton bench-billing`: the bank loop at an office's scale — a remessa of --boletos boletos and
/// the import of a retorno paying every one of them (settlements and receipts included) — against
/// a real `conton serve` child process, beside ContonBrazil writing and reading the same files in
/// this process.
struct BenchBilling: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-billing",
        abstract: "Time a remessa of many boletos and the import of a retorno paying them all.",
        discussion: """
        Spawns `conton serve` on a temporary data directory, fills in Meus Dados (Banco do Brasil, \
        a Pix key), imports --boletos clients with an address and a fee each, generates next month's \
        fees, issues a boleto for every receivable, then times ExportRemessa (every pending boleto in \
        one CNAB 240 file) and ImportRetorno of a retorno in which the bank registered and paid every \
        boleto (each settled with a receipt, in one transaction). The references are the same files \
        written (Remessa) and read (Retorno) by ContonBrazil in this process. docs/BENCHMARKS.md has \
        the figures.
        """)

    @Option(help: "Boletos in the remessa and payments in the retorno.")
    var boletos = 10_000

    @Option(name: .customLong("server-log"), help: "Where the server's stderr goes. Default: discarded.")
    var serverLog: String?

    /// Meus Dados with Banco do Brasil (convênio 1234567, carteira 17) and a CNPJ Pix key.
    static func officeWithBoletos<T: ClientTransport>(_ client: GRPCClient<T>, metadata: Metadata) async throws {
        var profile = Conton_Office_V1_UpdateProfileRequest()
        profile.profile.registration.tradeName = "Conceição Contábil"
        profile.profile.registration.legalName = "Conceição Serviços Contábeis Ltda"
        profile.profile.registration.cnpj = "11222333000181"
        profile.profile.registration.address.city = "São Paulo"
        profile.profile.registration.address.uf = "SP"
        profile.profile.boleto.bankCode = "001"
        profile.profile.boleto.agency = "1234"
        profile.profile.boleto.agencyDigit = "3"
        profile.profile.boleto.account = "12345"
        profile.profile.boleto.accountDigit = "5"
        profile.profile.boleto.wallet = "17"
        profile.profile.boleto.walletVariation = "019"
        profile.profile.boleto.beneficiaryCode = "1234567"
        profile.profile.boleto.fineBasisPoints = 200
        profile.profile.boleto.monthlyInterestBasisPoints = 100
        profile.profile.pix.type = .cnpj
        profile.profile.pix.value = "11222333000181"
        profile.updateMask = ["registration", "boleto", "pix"]
        _ = try await Conton_Office_V1_Office.Client(wrapping: client).updateProfile(profile, metadata: metadata)
    }

    func run() async throws {
        var out = StandardError()
        let count = boletos
        try await BenchServer.withSignedInServer(name: "billing", serverLog: serverLog) { client, metadata in
            try await Self.officeWithBoletos(client, metadata: metadata)
            let clientsAPI = Conton_Clients_V1_Clients.Client(wrapping: client)
            let imported = try await clientsAPI.importClients(request: StreamingClientRequest(metadata: metadata) { writer in
                for i in 0..<count {
                    var row = Conton_Clients_V1_ImportClientsRequest()
                    row.client = BenchClients.syntheticClient(i)
                    row.client.monthlyFeeCents = Int64(50_000 + (i % 40) * 2_500)
                    row.client.feeDueDay = 10
                    row.client.address.street = "Rua das Flores"
                    row.client.address.number = String(1 + i % 900)
                    row.client.address.district = "Centro"
                    row.client.address.city = "Campinas"
                    row.client.address.uf = "SP"
                    row.client.address.cep = "13010000"
                    try await writer.write(row)
                }
            })
            let ids = imported.results.map(\.clientId).filter { !$0.isEmpty }
            guard ids.count == count else { throw ValidationError("only \(ids.count) of \(count) clients were imported") }
            // Next month's fee for each: due on the 10th of the month after, in the future.
            let next = CivilDate.today(SystemClock()).adding(days: 31).description.prefix(7)
            for start in stride(from: 0, to: ids.count, by: 5_000) {    // GenerateFees takes 5,000 clients a call
                var generate = Conton_Fees_V1_GenerateFeesRequest()
                generate.clientIds = Array(ids[start..<min(start + 5_000, ids.count)])
                generate.startMonth = String(next)
                _ = try await Conton_Fees_V1_Fees.Client(wrapping: client).generateFees(generate, metadata: metadata)
            }
            let receivablesAPI = Conton_Fees_V1_Receivables.Client(wrapping: client)
            var receivableIDs: [String] = []
            var page = Conton_Fees_V1_ListReceivablesRequest()
            page.pageSize = 500
            repeat {
                let response = try await receivablesAPI.listReceivables(page, metadata: metadata)
                receivableIDs += response.receivables.map(\.id)
                page.pageToken = response.nextPageToken
            } while !page.pageToken.isEmpty

            let billing = Conton_Billing_V1_Billing.Client(wrapping: client)
            let issueStarted = ContinuousClock.now
            var issued: [Conton_Billing_V1_Boleto] = []
            try await withThrowingTaskGroup(of: Conton_Billing_V1_Boleto.self) { group in
                var next = 0
                func add() {
                    var request = Conton_Billing_V1_IssueBoletoRequest()
                    request.receivableId = receivableIDs[next]
                    next += 1
                    group.addTask { try await billing.issueBoleto(request, metadata: metadata).boleto }
                }
                for _ in 0..<min(8, receivableIDs.count) { add() }
                while let boleto = try await group.next() {
                    issued.append(boleto)
                    if next < receivableIDs.count { add() }
                }
            }
            let issueSeconds = BenchProtocols.ms(since: issueStarted) / 1000
            print(String(format: "issued %d boletos (8 in flight): %.1f s, %.0f a second", issued.count, issueSeconds,
                         Double(issued.count) / issueSeconds), to: &out)

            // The remessa.
            let exportStarted = ContinuousClock.now
            let (remessa, file) = try await billing.exportRemessa(Conton_Billing_V1_ExportRemessaRequest(), metadata: metadata) { response in
                var file: [UInt8] = []
                var remessa = Conton_Billing_V1_Remessa()
                for try await chunk in response.messages {
                    switch chunk.part {
                    case .remessa(let r): remessa = r
                    case .data(let d): file += d
                    case nil: break
                    }
                }
                return (remessa, file)
            }
            let exportMs = BenchProtocols.ms(since: exportStarted)

            // The bank's copy of it (the same agreement and nosso números) and a retorno paying all.
            let settings = BankSettings(bankCode: "001", agency: "1234", agencyDigit: "3", account: "12345", accountDigit: "5", wallet: "17",
                                        walletVariation: "019", beneficiaryCode: "1234567")
            let payer = Payer(name: "Pagador", taxID: try TaxID("52998224725"), address: "Rua das Flores, 1", cep: try CEP("13010000"),
                              city: "Campinas", uf: try UF("SP"))
            let today = try BankDate(CivilDate.today(SystemClock()).description)
            let registrations = try issued.map { b in
                BoletoRegistration(nossoNumero: b.nossoNumero, documentNumber: b.receivableId, dueDate: try BankDate(b.dueDate),
                                   amountCents: b.amountCents, issueDate: today, payer: payer, fineBasisPoints: 200, monthlyInterestBasisPoints: 100)
            }
            let bankCopy = Remessa(company: BillingCompany(taxID: try TaxID("11222333000181"), name: "Conceição Serviços Contábeis Ltda",
                                                           settings: settings),
                                   fileSequence: 1, generatedOn: today, generatedAt: try ClockTime(hour: 8, minute: 0), registrations: registrations)
            let referenceWrite = ContinuousClock.now
            let referenceFile = try bankCopy.text()
            let referenceWriteMs = BenchProtocols.ms(since: referenceWrite)
            let retorno = try RetornoBuilder(remessa: bankCopy, fileSequence: 1, generatedOn: today, generatedAt: try ClockTime(hour: 6, minute: 0))
                .text(issued.map { b in
                    .init(nossoNumero: b.nossoNumero, event: .paid(.init(amountCents: b.amountCents, paidDate: today, creditDate: today)))
                })
            let referenceRead = ContinuousClock.now
            let parsed = try Retorno(parsing: retorno)
            let referenceReadMs = BenchProtocols.ms(since: referenceRead)

            let bytes = Array(retorno.utf8)
            let importStarted = ContinuousClock.now
            let result = try await billing.importRetorno(request: StreamingClientRequest(metadata: metadata) { writer in
                for start in stride(from: 0, to: bytes.count, by: 64 * 1024) {
                    var chunk = Conton_Billing_V1_RetornoChunk()
                    chunk.data = Array(bytes[start..<min(start + 64 * 1024, bytes.count)])
                    try await writer.write(chunk)
                }
            })
            let importMs = BenchProtocols.ms(since: importStarted)
            guard result.paid == Int32(count), remessa.boletos == Int32(count) else {
                throw ValidationError("remessa of \(remessa.boletos), \(result.paid) paid: expected \(count) each")
            }
            print("call                                        items    bytes        ms   reference ms (ContonBrazil in process)", to: &out)
            print(String(format: "ExportRemessa                            %8d %8d %9.0f   %9.0f (Remessa.text)", remessa.boletos, file.count, exportMs,
                         referenceWriteMs), to: &out)
            print(String(format: "ImportRetorno, every boleto paid         %8d %8d %9.0f   %9.0f (Retorno parsing, %d occurrences)", result.paid,
                         bytes.count, importMs, referenceReadMs, parsed.occurrences.count), to: &out)
            print("(the reference remessa is \(referenceFile.utf8.count) bytes)", to: &out)
        }
    }
}
