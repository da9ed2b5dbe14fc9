import ArgumentParser
import ContonAPI
import DocumentsCapability
import Foundation
import GRPCCore
import ContonKit
import Histogram

/// `conton bench-documents`: documents rendered and streamed end to end — one-page documents
/// (the ficha, the recibo) and 1,000-row lists (clients, receivables) as PDF and CSV — against a
/// real `conton serve` child process, each beside the same data read without rendering.
struct BenchDocuments: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-documents",
        abstract: "Time documents rendered and streamed: one-page PDFs and 1,000-row lists.",
        discussion: """
        Spawns `conton serve` on a temporary data directory, fills in Meus Dados, imports --rows clients \
        with a fee, settles one receivable, then times, one call in flight, over TLS on loopback, at the \
        client until the last chunk: PrintClientRecord, PrintReceipt and PrintBoleto (one page) --rounds times, and \
        ExportClientList and ExportReceivables over --rows rows (PDF and CSV) --list-rounds times. \
        The reference beside each is the same data without rendering (GetClientRecord, GetReceipt, \
        ListClients/ListReceivables pages). docs/BENCHMARKS.md has the figures.
        """)

    @Option(help: "Rows of the lists (clients and their receivables).")
    var rows = 1_000

    @Option(help: "Times each one-page document is printed.")
    var rounds = 200

    @Option(name: .customLong("list-rounds"), help: "Times each list is printed.")
    var listRounds = 10

    @Option(name: .customLong("server-log"), help: "Where the server's stderr goes. Default: discarded.")
    var serverLog: String?

    /// Collects a document stream (checked); its page count.
    @Sendable static func collect(_ response: StreamingClientResponse<Conton_Documents_V1_DocumentChunk>) async throws -> Int {
        Int(try await DocumentReceiver.collect(response.messages).header.pages)
    }

    func run() async throws {
        var out = StandardError()
        try await BenchServer.withSignedInServer(name: "documents", serverLog: serverLog) { client, metadata in
            try await BenchBilling.officeWithBoletos(client, metadata: metadata)
            let clientsAPI = Conton_Clients_V1_Clients.Client(wrapping: client)
            let clock = ContinuousClock()

            let count = rows
            let ids = try await BenchClients.importWithFees(count, into: clientsAPI, metadata: metadata)
            print("imported \(ids.count) clients", to: &out)
            // One fee (and receivable) each; the first one settled, for its receipt.
            let fees = Conton_Fees_V1_Fees.Client(wrapping: client)
            let receivablesAPI = Conton_Fees_V1_Receivables.Client(wrapping: client)
            var generate = Conton_Fees_V1_GenerateFeesRequest()
            generate.clientIds = ids
            generate.startMonth = "2026-01"
            _ = try await fees.generateFees(generate, metadata: metadata)
            var first = Conton_Fees_V1_ListReceivablesRequest()
            first.clientId = ids[0]
            let receivable = try await receivablesAPI.listReceivables(first, metadata: metadata).receivables[0]
            var settle = Conton_Fees_V1_SettleReceivableRequest()
            settle.receivableId = receivable.id
            settle.paymentDate = "2026-01-10"
            settle.amountPaidCents = receivable.balanceCents
            settle.method = .pix
            let receipt = try await receivablesAPI.settleReceivable(settle, metadata: metadata).receipt
            // A boleto for the second client's receivable, the client's address set for the payer.
            var read = Conton_Clients_V1_GetClientRequest()
            read.clientId = ids[1]
            var address = Conton_Clients_V1_UpdateClientRequest()
            address.client.id = ids[1]
            address.client.version = try await clientsAPI.getClient(read, metadata: metadata).client.version
            address.client.address.street = "Rua das Flores"
            address.client.address.number = "12"
            address.client.address.city = "Campinas"
            address.client.address.uf = "SP"
            address.client.address.cep = "13010000"
            address.updateMask.paths = ["address"]
            _ = try await clientsAPI.updateClient(address, metadata: metadata)
            var second = Conton_Fees_V1_ListReceivablesRequest()
            second.clientId = ids[1]
            let billing = Conton_Billing_V1_Billing.Client(wrapping: client)
            var issue = Conton_Billing_V1_IssueBoletoRequest()
            issue.receivableId = try await receivablesAPI.listReceivables(second, metadata: metadata).receivables[0].id
            issue.dueDate = CivilDate.today(SystemClock()).adding(days: 10).description
            let boleto = try await billing.issueBoleto(issue, metadata: metadata).boleto

            func time(_ name: String, _ times: Int, _ body: () async throws -> Int) async throws -> String {
                for _ in 0..<min(5, times) { _ = try await body() }  // warm-up: fonts, caches, connections
                var histogram = BenchServer.histogram()
                var pages = 0
                for _ in 0..<times {
                    let started = clock.now
                    pages = try await body()
                    _ = histogram.record(UInt64((clock.now - started) / .nanoseconds(1)))
                }
                return BenchServer.row(name, Int64(pages), histogram, width: 30)
            }

            var record = Conton_Clients_V1_GetClientRecordRequest()
            record.clientId = ids[0]
            var list = Conton_Clients_V1_ExportClientListRequest()
            list.filter.status = .all
            var csv = list
            csv.format = .csv
            var page = Conton_Clients_V1_ListClientsRequest()
            page.status = .all
            page.pageSize = 500
            print("document (one call in flight)       pages   p50 ms   p90 ms   p99 ms   max ms", to: &out)
            let lines = [
                try await time("GetClientRecord (reference)", rounds) { _ = try await clientsAPI.getClientRecord(record, metadata: metadata); return 0 },
                try await time("PrintClientRecord PDF", rounds) {
                    try await clientsAPI.printClientRecord(record, metadata: metadata, onResponse: Self.collect)
                },
                try await time("ListClients \(rows) (reference)", listRounds) {
                    var request = page
                    var n = 0
                    repeat {
                        let response = try await clientsAPI.listClients(request, metadata: metadata)
                        n += response.clients.count
                        request.pageToken = response.nextPageToken
                    } while !request.pageToken.isEmpty
                    return n == count ? 0 : -1
                },
                try await time("ExportClientList \(rows) PDF", listRounds) {
                    try await clientsAPI.exportClientList(list, metadata: metadata, onResponse: Self.collect)
                },
                try await time("ExportClientList \(rows) CSV", listRounds) {
                    try await clientsAPI.exportClientList(csv, metadata: metadata, onResponse: Self.collect)
                },
                try await time("GetReceipt (reference)", rounds) {
                    var request = Conton_Fees_V1_GetReceiptRequest()
                    request.number = receipt.number
                    _ = try await receivablesAPI.getReceipt(request, metadata: metadata)
                    return 0
                },
                try await time("PrintReceipt PDF", rounds) {
                    var request = Conton_Fees_V1_PrintReceiptRequest()
                    request.number = receipt.number
                    return try await receivablesAPI.printReceipt(request, metadata: metadata, onResponse: Self.collect)
                },
                try await time("GetBoleto (reference)", rounds) {
                    var request = Conton_Billing_V1_GetBoletoRequest()
                    request.boletoId = boleto.id
                    _ = try await billing.getBoleto(request, metadata: metadata)
                    return 0
                },
                try await time("PrintBoleto PDF", rounds) {
                    var request = Conton_Billing_V1_PrintBoletoRequest()
                    request.boletoId = boleto.id
                    return try await billing.printBoleto(request, metadata: metadata, onResponse: Self.collect)
                },
                try await time("ListReceivables \(rows) (reference)", listRounds) {
                    var request = Conton_Fees_V1_ListReceivablesRequest()
                    request.pageSize = 500
                    var n = 0
                    repeat {
                        let response = try await receivablesAPI.listReceivables(request, metadata: metadata)
                        n += response.receivables.count
                        request.pageToken = response.nextPageToken
                    } while !request.pageToken.isEmpty
                    return n == count ? 0 : -1
                },
                try await time("ExportReceivables \(rows) PDF", listRounds) {
                    try await receivablesAPI.exportReceivables(Conton_Fees_V1_ExportReceivablesRequest(), metadata: metadata,
                                                               onResponse: Self.collect)
                },
                try await time("ExportReceivables \(rows) CSV", listRounds) {
                    var request = Conton_Fees_V1_ExportReceivablesRequest()
                    request.format = .csv
                    return try await receivablesAPI.exportReceivables(request, metadata: metadata, onResponse: Self.collect)
                },
            ]
            for line in lines { print(line, to: &out) }
        }
    }
}
