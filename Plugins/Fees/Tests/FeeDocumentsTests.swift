import ContonAPI
import ContonKit
import ContonStore
import ContonTesting
import Foundation
import GRDB
import GRPCCore
import Testing

/// The fees plugin's documents: the printed receipt (PrintReceipt) and the receivables list as
/// PDF or CSV (ExportReceivables), checked the way a person would — pdftotext, pdfinfo, the QR
/// code — and against VerifyDocument and ListReceivables. In process (nothing here needs TLS).
@Suite struct FeeDocumentsTests {
    /// The header and the bytes of a streamed document.
    static func collect(_ response: StreamingClientResponse<Conton_Documents_V1_DocumentChunk>) async throws -> (Conton_Documents_V1_DocumentHeader, [UInt8]) {
        var header: Conton_Documents_V1_DocumentHeader?
        var bytes: [UInt8] = []
        for try await chunk in response.messages {
            switch chunk.part {
            case .header(let h):
                #expect(header == nil && bytes.isEmpty, "the header comes first, once")
                header = h
            case .data(let d):
                #expect(header != nil && d.count <= 64 * 1024)
                bytes += d
            case nil: Issue.record("an empty chunk")
            }
        }
        let h = try #require(header)
        // CONTON_DOCS_OUT=/some/dir keeps every document a test downloads, to look at.
        if let dir = ProcessInfo.processInfo.environment["CONTON_DOCS_OUT"] {
            try Data(bytes).write(to: URL(fileURLWithPath: dir).appendingPathComponent(h.verificationCode + "-" + h.fileName))
        }
        return (h, bytes)
    }

    static func printReceipt(_ t: FeesTest, number: Int64, metadata: Metadata? = nil) async throws -> (Conton_Documents_V1_DocumentHeader, [UInt8]) {
        var r = Conton_Fees_V1_PrintReceiptRequest()
        r.number = number
        return try await t.receivables.printReceipt(r, metadata: metadata ?? t.owner) { try await collect($0) }
    }

    static func export(_ t: FeesTest, format: Conton_Documents_V1_DocumentFormat = .pdf, metadata: Metadata? = nil,
                       _ configure: (inout Conton_Fees_V1_ListReceivablesRequest) -> Void = { _ in }) async throws -> (Conton_Documents_V1_DocumentHeader, [UInt8]) {
        var r = Conton_Fees_V1_ExportReceivablesRequest()
        configure(&r.filter)
        r.format = format
        return try await t.receivables.exportReceivables(r, metadata: metadata ?? t.owner) { try await collect($0) }
    }

    static func verify(_ t: FeesTest, code: String? = nil, sha256: String? = nil) async throws -> Conton_Documents_V1_VerifyDocumentResponse {
        var r = Conton_Documents_V1_VerifyDocumentRequest()
        if let code { r.code = code }
        if let sha256 { r.sha256 = sha256 }
        return try await Conton_Documents_V1_Documents.Client(wrapping: t.grpc).verifyDocument(r)
    }

    /// pdftotext's words with every run of white space (line breaks of wrapped text, layout
    /// columns) as one space.
    static func flat(_ pages: [String]) -> String {
        pages.joined(separator: " ").split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// A `;` CSV as Excel writes it (RFC 4180 quotes, CRLF), without the BOM.
    static func parseCSV(_ text: String) -> [[String]] {
        var records: [[String]] = [], field = "", record: [String] = [], quoted = false
        var chars = Array(text).makeIterator()
        var pending: Character? = nil
        while let c = pending ?? chars.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let n = chars.next() {
                        if n == "\"" { field.append("\"") } else { quoted = false; pending = n }
                    } else { quoted = false }
                } else { field.append(c) }
            } else if c == "\"" {
                quoted = true
            } else if c == ";" {
                record.append(field); field = ""
            } else if c == "\r\n" || c == "\n" {
                record.append(field); field = ""
                records.append(record); record = []
            } else if c != "\r" {
                field.append(c)
            }
        }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        return records
    }

    /// A settled receipt of R$ 1.234,56 paid by "João da Conceição" with interest, fine and a
    /// discount, the office's profile filled.
    static func settledReceipt(_ t: FeesTest) async throws -> (Conton_Clients_V1_Client, Conton_Fees_V1_Receipt) {
        try await t.setOffice()
        let client = try await t.client("João da Conceição", n: 1)
        var create = Conton_Fees_V1_CreateReceivableRequest()
        create.clientId = client.id
        create.amountCents = 120_000
        create.dueDate = "2024-01-05"
        create.description = "Honorários contábeis"
        create.competence = "2024-01"
        let receivable = try await t.receivables.createReceivable(create, metadata: t.owner).receivable
        // 1.200,00 + 24,56 interest + 24,00 fine − 14,00 discount = 1.234,56 received.
        let settled = try await t.settle(receivable.id, paid: 123_456, date: "2024-01-10", discount: 1_400, interest: 2_456, fine: 2_400)
        return (client, settled.receipt)
    }

    @Test func theReceiptPrintsWhatArticle320AsksAndIsVerifiable() async throws {
        try await FeesTest.run { t in
            let (client, receipt) = try await Self.settledReceipt(t)
            let started = ContinuousClock.now
            let (header, pdf) = try await Self.printReceipt(t, number: receipt.number)
            let elapsed = ContinuousClock.now - started
            print("PrintReceipt: \(pdf.count) bytes in \(elapsed)")
            #expect(header.contentType == "application/pdf" && header.fileName == "recibo-\(receipt.number).pdf")
            #expect(header.sha256 == SHA256.hex(pdf) && header.sizeBytes == Int64(pdf.count) && header.pages == 1)

            let text = Self.flat(try await PopplerTools.text(pdf))
            for expected in ["Recibo nº \(receipt.number)", "João", "Conceição", "João da Conceição", "R$ 1.234,56",
                             "mil duzentos e trinta e quatro reais e cinquenta e seis centavos", receipt.payerDocument,
                             "CPF \(receipt.payerDocument)", "Contabilidade Exemplo Ltda", "CNPJ 11.222.333/0001-81",
                             "Honorários contábeis (competência 01/2024)", "São Paulo/SP, 10 de janeiro de 2024", "10/01/2024", "Pix",
                             "R$ 1.200,00", "R$ 24,56", "R$ 24,00", "-R$ 14,00", "Total pago"] {
                #expect(text.contains(expected), "\(expected) is on the receipt")
            }
            #expect(client.document.count == 11 && receipt.payerDocument.contains("-"))
            #expect(!text.contains("ANULADO"))
            let info = try await PopplerTools.info(pdf)
            #expect(info["Pages"] == "1")
            #expect(info["Page size"]?.contains("(A4)") == true)

            // VerifyDocument knows it by the streamed bytes and by the printed code, and the QR
            // code carries that code.
            let bySHA = try await Self.verify(t, sha256: SHA256.hex(pdf))
            #expect(bySHA.issued && bySHA.document.kind == "receipt" && bySHA.document.title == "Recibo nº \(receipt.number)")
            let byCode = try await Self.verify(t, code: header.verificationCode)
            #expect(byCode == bySHA && byCode.document.sha256 == header.sha256)
            #expect(text.contains(header.verificationCode))
            #expect(try await PopplerTools.qrCodes(pdf) == [header.verificationCode])

            // By payment id too; an unknown receipt is NOT_FOUND.
            var byPayment = Conton_Fees_V1_PrintReceiptRequest()
            byPayment.paymentId = receipt.paymentId
            let (again, _) = try await t.receivables.printReceipt(byPayment, metadata: t.owner) { try await Self.collect($0) }
            #expect(again.fileName == header.fileName && again.verificationCode != header.verificationCode)
            let missing = await rpcError { _ = try await Self.printReceipt(t, number: 999) }
            #expect(missing?.code == .notFound)
        }
    }

    @Test func aClientPrintsItsOwnReceiptsOnlyAndCannotExport() async throws {
        try await FeesTest.run { t in
            let (client, receipt) = try await Self.settledReceipt(t)
            let other = try await t.client("Maria Antônia", n: 2)
            let (header, pdf) = try await Self.printReceipt(t, number: receipt.number, metadata: InProcessTestServer.as(.client(client.id)))
            let ownText = Self.flat(try await PopplerTools.text(pdf))
            #expect(header.sha256 == SHA256.hex(pdf) && ownText.contains("João da Conceição"))
            // Another client's receipt answers as a missing one does.
            let foreign = await rpcError { _ = try await Self.printReceipt(t, number: receipt.number, metadata: InProcessTestServer.as(.client(other.id))) }
            let missing = await rpcError { _ = try await Self.printReceipt(t, number: 999, metadata: InProcessTestServer.as(.client(other.id))) }
            #expect(foreign?.code == .notFound && missing?.code == .notFound && foreign?.message == "receipt \(receipt.number) not found")
            // The list export is staff's and services'.
            let export = await rpcError { _ = try await Self.export(t, metadata: InProcessTestServer.as(.client(client.id))) }
            #expect(export?.code == .permissionDenied)
            let service = try await Self.export(t, format: .csv, metadata: InProcessTestServer.as(.service(scopes: ["fees:read"])))
            #expect(service.0.contentType == "text/csv; charset=utf-8")
            let wrongScope = await rpcError { _ = try await Self.export(t, metadata: InProcessTestServer.as(.service(scopes: ["fees:write"]))) }
            #expect(wrongScope?.code == .permissionDenied)
        }
    }

    @Test func aReversedPaymentsReceiptPrintsAsVoid() async throws {
        try await FeesTest.run { t in
            let (_, receipt) = try await Self.settledReceipt(t)
            var reopen = Conton_Fees_V1_ReopenReceivableRequest()
            reopen.receivableId = receipt.receivableId
            reopen.reason = "pagamento devolvido pelo banco"
            _ = try await t.receivables.reopenReceivable(reopen, metadata: t.owner)
            let (header, pdf) = try await Self.printReceipt(t, number: receipt.number)
            let text = Self.flat(try await PopplerTools.text(pdf))
            #expect(text.contains("Recibo nº \(receipt.number) — ANULADO") && text.contains("RECIBO ANULADO"))
            #expect(header.pages == 1 && text.contains("Contabilidade Exemplo Ltda CNPJ 11.222.333/0001-81"), "still one page, with the signature")
            #expect(!text.contains("devolvido pelo banco"), "staff's reason stays internal")
            #expect(try await Self.verify(t, code: header.verificationCode).document.title == "Recibo nº \(receipt.number) — ANULADO")
        }
    }

    @Test func aLongListBreaksIntoPagesAndItsCSVGivesBackTheRowsAndTotals() async throws {
        try await FeesTest.run { t in
            let ids = try await t.importClients(199)
            let joao = try await t.client("João da Conceição", n: 1)
            // 200 clients × 10 months from 2026-08: some overdue, some open (due day 5 and 10).
            _ = try await t.generate(ids + [joao.id], start: "2026-08", times: 10)
            let all = try await t.listAll(pageSize: 1000)
            #expect(all.count == 2_000)
            _ = try await t.settle(all[0].id, paid: all[0].amountCents, date: officeToday().description)
            _ = try await t.settle(all[1].id, paid: 40_000, date: officeToday().description)
            var cancel = Conton_Fees_V1_CancelReceivableRequest()
            cancel.receivableId = all[2].id
            cancel.reason = "cliente dispensado"
            _ = try await t.receivables.cancelReceivable(cancel, metadata: t.owner)

            let listed = try await t.list { $0.pageSize = 1 }
            let started = ContinuousClock.now
            let (header, pdf) = try await Self.export(t)
            print("ExportReceivables PDF, 2,000 rows: \(pdf.count) bytes, \(header.pages) pages in \(ContinuousClock.now - started)")
            #expect(header.sha256 == SHA256.hex(pdf) && header.contentType == "application/pdf")
            let pages = try await PopplerTools.text(pdf)
            let info = try await PopplerTools.info(pdf)
            #expect(pages.count > 10 && info["Pages"] == String(pages.count) && header.pages == Int32(pages.count))
            #expect(info["Page size"]?.hasPrefix("841.89 x 595.28") == true, "A4 landscape")
            for (i, page) in pages.enumerated() {
                #expect(page.contains("Vencimento") && page.contains("Situação") && page.contains("Saldo"), "page \(i + 1) repeats the header")
                #expect(page.contains("Total geral") == (i == pages.count - 1), "the totals are on the last page only")
            }
            let last = Self.flat([pages.last!])
            // The totals of ListReceivables, per status and in all: count, amount, balance, received.
            for (name, t) in zip(["A vencer", "Vencido", "Pago", "Cancelado", "Total geral"], listed.totals + [listed.total]) {
                let line = [name, Self.grouped(t.count), DocumentFormatProbe.money(t.amountCents), DocumentFormatProbe.money(t.balanceCents),
                            DocumentFormatProbe.money(t.receivedCents)].joined(separator: " ")
                #expect(last.contains(line), "\(line)")
            }
            #expect(listed.total.count == 2_000 && last.contains("Total geral 2.000 R$"))
            let firstPage = Self.flat([pages[0]])
            #expect(firstPage.contains("Todos os recebimentos. Situação em"))
            #expect(pages.last!.contains("2000 João da Conceição Honorários 05/2027 10/05/2027 A vencer R$ 1.500,00 R$ 1.500,00")
                || Self.flat([pages.last!]).contains("2000 João da Conceição Honorários 05/2027 10/05/2027 A vencer R$ 1.500,00 R$ 1.500,00"))

            // The CSV: BOM, `;`, the same rows in the same order, the totals of ListReceivables.
            let started2 = ContinuousClock.now
            let (csvHeader, csv) = try await Self.export(t, format: .csv)
            print("ExportReceivables CSV, 2,000 rows: \(csv.count) bytes in \(ContinuousClock.now - started2)")
            #expect(csvHeader.contentType == "text/csv; charset=utf-8" && csvHeader.sha256 == SHA256.hex(csv))
            #expect(Array(csv.prefix(3)) == [0xEF, 0xBB, 0xBF])
            let records = Self.parseCSV(String(decoding: csv.dropFirst(3), as: UTF8.self))
            #expect(records.first == ["Nº", "Cliente", "CPF/CNPJ", "Referente a", "Competência", "Vencimento", "Situação", "Valor", "Saldo",
                                      "Recebido", "Data do pagamento"])
            let rows = records.dropFirst().filter { $0.first != "Total" }
            let totals = records.dropFirst().filter { $0.first == "Total" }
            #expect(rows.map { $0[0] } == all.map(\.id))
            #expect(records.allSatisfy { $0.count == 11 })
            let byID = Dictionary(uniqueKeysWithValues: try await t.listAll(pageSize: 1000).map { ($0.id, $0) })
            for row in rows.prefix(50) {
                let r = try #require(byID[row[0]])
                #expect(row[1] == r.clientName && row[2] == r.clientDocumentFormatted && row[3] == r.description)
                #expect(row[5] == Self.ddmmyyyy(r.dueDate) && row[7] == Self.csvMoney(r.amountCents) && row[8] == Self.csvMoney(r.balanceCents))
            }
            #expect(totals.count == 5)
            for (row, total) in zip(totals, listed.totals + [listed.total]) {
                #expect(row[3] == FeeDocumentsTests.count(total.count))
                #expect(row[7] == Self.csvMoney(total.amountCents) && row[8] == Self.csvMoney(total.balanceCents)
                    && row[9] == Self.csvMoney(total.receivedCents))
            }
            #expect(totals.map { $0[6] } == ["A vencer", "Vencido", "Pago", "Cancelado", "Todas"])
            // Money in the rows adds up to the totals row.
            let sum = rows.reduce(Int64(0)) { $0 + Self.cents($1[7]) }
            #expect(sum == listed.total.amountCents)
        }
    }

    @Test func aFilteredListNamesItsFilterAndABadFilterIsNamedUnderFilter() async throws {
        try await FeesTest.run { t in
            try await t.setOffice()
            let joao = try await t.client("João da Conceição", n: 1)
            _ = try await t.create(client: joao.id, amount: 123_456, due: "2024-03-10", description: "Consultoria tributária")
            let (_, pdf) = try await Self.export(t) { f in
                f.clientId = joao.id
                f.statuses = [.overdue, .open]
                f.dueFrom = "2024-01-01"
                f.dueTo = "2024-12-31"
                f.text = "consultoria"
            }
            let text = Self.flat(try await PopplerTools.text(pdf))
            #expect(text.contains("Cliente: João da Conceição; situação: vencidos ou a vencer; vencimento de 01/01/2024 a 31/12/2024; texto: “consultoria”."))
            #expect(text.contains("1 João da Conceição Consultoria tributária 10/03/2024 Vencido R$ 1.234,56 R$ 1.234,56"))
            #expect(text.contains("Total geral 1 R$ 1.234,56 R$ 1.234,56 R$ 0,00"))

            // A few more, for a one-page list of every status (docs/images/receivables-list.png).
            let padaria = try await t.client("Padaria Pão de Mel Ltda", n: 2)
            let maria = try await t.client("Maria Antônia Ferreira", n: 3)
            _ = try await t.generate([joao.id, padaria.id, maria.id], start: "2026-10", times: 3)
            let padariaFees = try await t.listAll { $0.clientId = padaria.id }
            _ = try await t.settle(padariaFees[0].id, paid: padariaFees[0].amountCents, date: "2026-10-10", method: .boleto)
            _ = try await t.settle(padariaFees[1].id, paid: 50_000, date: "2026-11-10", method: .transfer)
            var cancel = Conton_Fees_V1_CancelReceivableRequest()
            cancel.receivableId = padariaFees[2].id
            cancel.reason = "contrato encerrado"
            _ = try await t.receivables.cancelReceivable(cancel, metadata: t.owner)
            let (wholeHeader, whole) = try await Self.export(t)
            let wholeText = Self.flat(try await PopplerTools.text(whole))
            #expect(wholeHeader.pages == 1 && wholeText.contains("Total geral 10 R$"))
            #expect(["A vencer", "Vencido", "Pago", "Cancelado", "Transferência"].prefix(4).allSatisfy(wholeText.contains))

            let bad = await rpcError {
                _ = try await Self.export(t) { f in
                    f.dueFrom = "2024-13-01"
                    f.paidTo = "ontem"
                }
            }
            #expect(bad?.code == .invalidArgument)
            #expect(bad?.details?.fieldViolations.map(\.field) == ["filter.due_from", "filter.paid_to"])
            let paged = await rpcError {
                _ = try await Self.export(t) { f in
                    f.pageSize = 100
                    f.pageToken = "x"
                    f.dueTo = "amanhã"
                }
            }
            #expect(paged?.details?.fieldViolations.map(\.field) == ["filter.page_size", "filter.page_token", "filter.due_to"])
            let badStatus = await rpcError { _ = try await Self.export(t, format: .csv) { $0.statuses = [.paid, .unspecified] } }
            #expect(badStatus?.details?.fieldViolations.map(\.field) == ["filter.statuses[1]"])
            // The same filter ListReceivables refuses, with its own paths.
            let listBad = await rpcError { _ = try await t.list { $0.dueFrom = "2024-13-01" } }
            #expect(listBad?.details?.fieldViolations.map(\.field) == ["due_from"])
        }
    }

    @Test func moreThan50000RowsIsFailedPreconditionListTooLong() async throws {
        try await FeesTest.run { t in
            let joao = try await t.client("João da Conceição", n: 1)
            // 50,001 receivables written straight into the table (generating them through the API
            // takes far longer and proves nothing more here).
            try await t.host.database.pool.write { db in
                try db.execute(sql: """
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50001)
                    INSERT INTO fees_receivable (client_id, client_name, client_document, competence, description, amount_cents, due_date,
                                                 status, search_key, created_at_ms, updated_at_ms)
                    SELECT ?, 'João da Conceição', ?, '', 'Lote ' || i, 1000 + i, '2030-01-' || printf('%02d', 1 + i % 28), 1, 'lote', 0, 0 FROM n
                    """, arguments: [joao.id, joao.document])
            }
            let started = ContinuousClock.now
            let tooLong = await rpcError { _ = try await Self.export(t, format: .csv) }
            print("ExportReceivables refusing 50,001 rows: \(ContinuousClock.now - started)")
            #expect(tooLong?.code == .failedPrecondition && tooLong?.details?.reason?.reason == "LIST_TOO_LONG")
            #expect(tooLong?.message.contains("50,001 receivables") == true && tooLong?.message.contains("at most 50,000") == true)
            // A narrower filter goes through.
            let (header, csv) = try await Self.export(t, format: .csv) { $0.dueTo = "2030-01-02" }
            #expect(header.sha256 == SHA256.hex(csv))
            let records = Self.parseCSV(String(decoding: csv.dropFirst(3), as: UTF8.self))
            // Due on the 1st or the 2nd: i % 28 is 0 (1,785 of them) or 1 (1,786); plus header and 5 totals.
            #expect(records.count == 1 + 3_571 + 5)
        }
    }

    static func count(_ n: Int64) -> String {
        let s = String(n)
        var out = ""
        for (i, ch) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out.append(".") }
            out.append(ch)
        }
        return out + (n == 1 ? " recebível" : " recebíveis")
    }

    static func grouped(_ n: Int64) -> String {
        count(n).replacingOccurrences(of: " recebíveis", with: "").replacingOccurrences(of: " recebível", with: "")
    }

    static func csvMoney(_ cents: Int64) -> String { "\(cents / 100)," + String(format: "%02d", cents % 100) }
    static func cents(_ s: String) -> Int64 {
        let parts = s.split(separator: ",")
        return Int64(parts[0])! * 100 + Int64(parts[1])!
    }
    static func ddmmyyyy(_ iso: String) -> String {
        let p = iso.split(separator: "-")
        return "\(p[2])/\(p[1])/\(p[0])"
    }
}

/// "R$ 1.234,56", written independently of the code under test.
enum DocumentFormatProbe {
    static func money(_ cents: Int64) -> String {
        "R$ " + FeeDocumentsTests.grouped(cents / 100) + "," + String(format: "%02d", cents % 100)
    }
}
