import ContonDocuments
import Foundation
import ContonTesting
import Testing

/// Rendered documents read back with poppler (pdftotext, pdfinfo, pdftoppm) and zbar: the
/// accents survive, pages are A4, long tables break with their header repeated, the QR code
/// carries the printed code.
@Suite struct PDFRendererTests {
    static let letterhead = Letterhead(officeName: "Conceição & Filhos Contabilidade",
                                       lines: ["CNPJ 11.222.333/0001-81", "Rua São João, 100 · Centro · São Paulo/SP"])
    static let stamp = DocumentStamp(code: "K7QX2-M9PZ4", issuedAtMilliseconds: 1_796_207_400_000, issuedBy: "Maria Souza")

    static let receipt = PrintedDocument(kind: "receipt", title: "Recibo nº 12", fileName: "recibo-12.pdf", blocks: [
        .fields([PrintedField("Pagador", "João da Conceição"), PrintedField("CPF", "529.982.247-25")]),
        .paragraph("Recebemos de João da Conceição a importância de R$ 1.234,56 (mil duzentos e trinta e quatro reais e cinquenta e seis centavos)."),
        .signature(name: "Conceição & Filhos Contabilidade", detail: "CNPJ 11.222.333/0001-81"),
    ])

    @Test(arguments: ["João", "Conceição", "R$ 1.234,56", "mil duzentos e trinta e quatro reais e cinquenta e seis centavos",
                      "Recibo nº 12", "529.982.247-25", "K7QX2-M9PZ4", "Página 1 de 1", "CNPJ 11.222.333/0001-81"])
    func theTextIsThereWithItsAccents(_ expected: String) async throws {
        let pdf = try PDFRenderer.render(Self.receipt, letterhead: Self.letterhead, stamp: Self.stamp)
        let text = try await PopplerTools.text(pdf.bytes).joined()
        // pdftotext -layout may break a paragraph across lines: compare with whitespace folded.
        let folded = text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        #expect(folded.contains(expected), "\(expected) not in: \(folded)")
    }

    @Test func aReceiptIsOneA4PageWithItsTitleAndTheIssueInstantInBrasilia() async throws {
        let pdf = try PDFRenderer.render(Self.receipt, letterhead: Self.letterhead, stamp: Self.stamp)
        try PopplerTools.keep(pdf.bytes, as: "sample-receipt.pdf")
        #expect(pdf.pages == 1 && !pdf.logoLeftOut)
        let info = try await PopplerTools.info(pdf.bytes)
        #expect(info["Pages"] == "1")
        #expect(info["Page size"]?.contains("(A4)") == true, "\(info)")
        #expect(info["Title"] == "Recibo nº 12")
        // 1_796_207_400_000 ms is 2026-12-02 10:30 UTC: 07:30 in São Paulo.
        let text = try await PopplerTools.text(pdf.bytes).joined()
        #expect(text.contains("02/12/2026 às 07:30"))
    }

    @Test func theQRCodeCarriesThePrintedCode() async throws {
        let pdf = try PDFRenderer.render(Self.receipt, letterhead: Self.letterhead, stamp: Self.stamp)
        #expect(try await PopplerTools.qrCodes(pdf.bytes) == ["K7QX2-M9PZ4"])
    }

    @Test func aLongTableBreaksAcrossPagesRepeatingItsHeaderWithTheTotalOnTheLastPage() async throws {
        let rows = (1...2000).map { i in ["\(i)", "Cliente \(i) da Conceição", "10/01/2026", DocumentFormat.money(cents: Int64(i) * 123_456)] }
        let table = PrintedTable(columns: [PrintedColumn("Nº", weight: 0.6), PrintedColumn("Cliente", weight: 3),
                                           PrintedColumn("Vencimento", weight: 1.2), PrintedColumn("Valor", weight: 1.5, alignment: .trailing)],
                                 rows: rows, totals: [["", "Total (2.000)", "", DocumentFormat.money(cents: 2_470_147_800)]])
        let document = PrintedDocument(kind: "receivables-list", title: "Recebíveis", subtitle: "Todos", fileName: "r.pdf",
                                       landscape: true, blocks: [.table(table)])
        let pdf = try PDFRenderer.render(document, letterhead: Self.letterhead, stamp: Self.stamp)
        try PopplerTools.keep(pdf.bytes, as: "sample-list.pdf")
        let pages = try await PopplerTools.text(pdf.bytes)
        #expect(pdf.pages > 20 && pages.count == pdf.pages)
        let info = try await PopplerTools.info(pdf.bytes)
        #expect(info["Pages"] == "\(pdf.pages)")
        #expect(info["Page size"] == "841.89 x 595.28 pts (A4)", "landscape: \(info)")
        for (index, page) in pages.enumerated() {
            #expect(page.contains("Vencimento") && page.contains("Cliente"), "page \(index + 1) lacks the header row")
            #expect(page.contains("Página \(index + 1) de \(pdf.pages)"))
            #expect(page.contains("Total (2.000)") == (index == pages.count - 1), "the total is on page \(index + 1)")
        }
        // Every row is printed exactly once, in order.
        let numbers = pages.joined().split(separator: "\n").compactMap { line -> Int? in
            let words = line.split(separator: " ")
            guard words.count > 3, words[1] == "Cliente", let n = Int(words[0]) else { return nil }
            return n
        }
        #expect(numbers == Array(1...2000))
        #expect(pages.last?.contains("R$ 24.701.478,00") == true)
    }

    @Test func aLogoCairoCannotDecodeIsLeftOutAndTheDocumentStillRenders() async throws {
        var letterhead = Self.letterhead
        letterhead.logo = Letterhead.Logo(bytes: [0x89, 0x50, 0x4E, 0x47, 1, 2, 3], isJPEG: false, width: 10, height: 10)
        let pdf = try PDFRenderer.render(Self.receipt, letterhead: letterhead, stamp: Self.stamp)
        #expect(pdf.logoLeftOut && pdf.pages == 1)
        #expect(try await PopplerTools.text(pdf.bytes).joined().contains("Recibo nº 12"))
    }

    @Test func moneyAndDatesTheBrazilianWay() {
        #expect(DocumentFormat.money(cents: 123_456) == "R$ 1.234,56")
        #expect(DocumentFormat.money(cents: 5) == "R$ 0,05")
        #expect(DocumentFormat.money(cents: -100) == "-R$ 1,00")
        #expect(DocumentFormat.money(cents: 100_000_000_00) == "R$ 100.000.000,00")
        #expect(DocumentFormat.csvMoney(cents: 123_456) == "1234,56")
        #expect(DocumentFormat.date(iso: "2026-01-10") == "10/01/2026")
    }

    @Test func verificationCodesAreReadLeniently() {
        let code = VerificationCode.random()
        #expect(code.count == 11 && code.dropFirst(5).first == "-")
        #expect(VerificationCode.normalized(code.lowercased().replacingOccurrences(of: "-", with: " ")) == code)
        #expect(VerificationCode.normalized("k7qx2 m9pz4") == "K7QX2-M9PZ4")
        #expect(VerificationCode.normalized("O1IL0-00000") == "01110-00000")
        #expect(VerificationCode.normalized("K7QX2-M9PZ") == nil)
        #expect(VerificationCode.normalized("K7QX2-M9PZU") == nil)
        #expect(Set((0..<1000).map { _ in VerificationCode.random() }).count == 1000)
    }
}

/// CSV as Excel in pt-BR opens it, checked byte by byte.
@Suite struct CSVTableTests {
    @Test func bomSemicolonsCRLFAndQuoting() {
        let csv = CSVTable(header: ["Cliente", "Valor"], rows: [["João; Filho", "1234,56"], ["Ana \"Bia\"", "0,05"], ["Zé\nSilva", "1,00"]])
        let text = String(decoding: csv.bytes.dropFirst(3), as: UTF8.self)
        #expect(Array(csv.bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(text == "Cliente;Valor\r\n\"João; Filho\";1234,56\r\n\"Ana \"\"Bia\"\"\";0,05\r\n\"Zé\nSilva\";1,00\r\n")
    }
}
