import ContonAPI
import ContonKit
import DocumentsCapability
import Foundation
import GRDB
import GRPCCore

/// The fees plugin's documents (docs/FEES.md, "Documents"): the printed receipt (*recibo*) of
/// a payment, and the receivables of a `ListReceivables` filter as a printed list (PDF) or CSV.
/// They are described here as ``DocumentsCapability/PrintedDocument`` / ``CSVTable``; the
/// documents plugin renders, records and stamps them.
enum FeeDocuments {
    /// The most receivables one export covers; more is FAILED_PRECONDITION `LIST_TOO_LONG`.
    static let maxExportRows = 50_000

    // MARK: The receipt

    /// The receipt of one payment, as printed: number, payer and document, the amount in
    /// figures and in words, what was paid (with the settlement's parts), place and date, the
    /// issuer with its CNPJ and a signature line (Código Civil, art. 320). A receipt whose
    /// payment was reversed says so in its title and in a box at the top.
    static func receipt(_ r: Conton_Fees_V1_Receipt, payment: Conton_Fees_V1_Payment, dueDate: String) -> PrintedDocument {
        let voided = r.voided
        var blocks: [PrintedBlock] = []
        if voided {
            let when = payment.reversedAtMs > 0 ? " em \(DocumentFormat.dateTime(milliseconds: payment.reversedAtMs))" : ""
            blocks.append(.heading("RECIBO ANULADO"))
            blocks.append(.paragraph("O pagamento deste recibo foi estornado\(when). Este documento não comprova quitação; "
                + "o número \(r.number) continua reservado e não será reutilizado."))
        }
        let payerKind = r.payerDocument.contains("/") ? "CNPJ" : "CPF"
        var fields = [
            PrintedField("Pagador", r.payerName),
            PrintedField(payerKind, r.payerDocument.isEmpty ? "não informado" : r.payerDocument),
            PrintedField("Data do pagamento", DocumentFormat.date(iso: r.paymentDate)),
            PrintedField("Forma de pagamento", Settlement.methodName(r.method).capitalizedFirst),
            PrintedField("Competência", r.competenceText.isEmpty ? "—" : r.competenceText),
        ]
        if !dueDate.isEmpty { fields.append(PrintedField("Vencimento", DocumentFormat.date(iso: dueDate))) }
        blocks.append(.fields(fields, columns: 2))
        blocks.append(.space(6))
        blocks.append(.paragraph(sentence(r, payerKind: payerKind)))
        blocks.append(.space(6))
        blocks.append(.heading("Discriminação do pagamento"))
        var rows = [[r.description + (r.competenceText.isEmpty || r.description.contains(r.competenceText) ? "" : " (competência \(r.competenceText))"),
                     DocumentFormat.money(cents: payment.principalCents)]]
        if payment.interestCents > 0 { rows.append(["Juros de mora", DocumentFormat.money(cents: payment.interestCents)]) }
        if payment.fineCents > 0 { rows.append(["Multa", DocumentFormat.money(cents: payment.fineCents)]) }
        if payment.discountCents > 0 { rows.append(["Desconto", DocumentFormat.money(cents: -payment.discountCents)]) }
        blocks.append(.table(PrintedTable(columns: [PrintedColumn("Referente a", weight: 4), PrintedColumn("Valor", weight: 1.2, alignment: .trailing)],
                                          rows: rows, totals: [["Total pago", r.amountFormatted]])))
        blocks.append(.space(18))
        blocks.append(.paragraph(r.placeAndDate.isEmpty ? DocumentFormat.date(iso: r.paymentDate) : r.placeAndDate + "."))
        blocks.append(.space(voided ? 4 : 24))
        if r.issuerName.isEmpty {
            blocks.append(.signature(name: "Emitente", detail: "Meus Dados do escritório não preenchidos"))
        } else {
            blocks.append(.signature(name: r.issuerName, detail: r.issuerCnpj.isEmpty ? "" : "CNPJ \(r.issuerCnpj)"))
        }
        return PrintedDocument(kind: "receipt", title: "Recibo nº \(r.number)" + (voided ? " — ANULADO" : ""),
                               subtitle: "Valor: \(r.amountFormatted)", fileName: "recibo-\(r.number).pdf", blocks: blocks)
    }

    /// "Recebemos de …, CPF …, a importância de R$ … (…), referente a … (competência …), paga
    /// por Pix." — the receipt's `text` without the place, date and issuer, which the page prints
    /// above the signature line.
    static func sentence(_ r: Conton_Fees_V1_Receipt, payerKind: String) -> String {
        var s = "Recebemos de \(r.payerName)"
        if !r.payerDocument.isEmpty { s += ", \(payerKind) \(r.payerDocument)" }
        s += ", a importância de \(r.amountFormatted.replacingOccurrences(of: "R$ ", with: "R$\u{00A0}")) (\(r.amountInWords)), referente a \(r.description)"
        if !r.competenceText.isEmpty && !r.description.contains(r.competenceText) { s += " (competência \(r.competenceText))" }
        return s + ", paga por \(Settlement.methodName(r.method)), dando plena quitação do valor recebido."
    }

    // MARK: The receivables list

    static func statusName(_ s: Conton_Fees_V1_ReceivableStatus) -> String {
        switch s {
        case .open: "A vencer"
        case .overdue: "Vencido"
        case .paid: "Pago"
        case .cancelled: "Cancelado"
        default: "—"
        }
    }

    static func statusPlural(_ s: Conton_Fees_V1_ReceivableStatus) -> String {
        switch s {
        case .open: "a vencer"
        case .overdue: "vencidos"
        case .paid: "pagos"
        case .cancelled: "cancelados"
        default: "—"
        }
    }

    /// "2.000 recebíveis", "1 recebível".
    static func count(_ n: Int64) -> String {
        DocumentFormat.grouped(n) + (n == 1 ? " recebível" : " recebíveis")
    }

    /// What a receivable was for: its description, with the competence when it does not name it.
    static func what(_ r: Conton_Fees_V1_Receivable) -> String {
        guard let c = Competence(r.competence) else { return r.description }
        return r.description.contains(c.text) ? r.description : "\(r.description) (\(c.text))"
    }

    /// The filter in Portuguese, for the list's subtitle: "Cliente: …; situação: vencidos ou a
    /// vencer; vencimento de 01/01/2024 a 31/01/2024; texto: “silva”. Posição em 02/12/2026."
    static func describe(_ f: Conton_Fees_V1_ListReceivablesRequest, clientName: String?, today: CivilDate) -> String {
        var parts: [String] = []
        if !f.clientId.isEmpty { parts.append("Cliente: " + (clientName ?? f.clientId)) }
        if !f.statuses.isEmpty {
            var seen: [Conton_Fees_V1_ReceivableStatus] = []
            for s in f.statuses where !seen.contains(s) { seen.append(s) }
            let names = seen.map(statusPlural)
            parts.append("situação: " + (names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " ou " + names.last!))
        }
        func range(_ what: String, _ from: String, _ to: String) {
            switch (from.isEmpty, to.isEmpty) {
            case (false, false): parts.append("\(what) de \(DocumentFormat.date(iso: from)) a \(DocumentFormat.date(iso: to))")
            case (false, true): parts.append("\(what) a partir de \(DocumentFormat.date(iso: from))")
            case (true, false): parts.append("\(what) até \(DocumentFormat.date(iso: to))")
            case (true, true): break
            }
        }
        range("vencimento", f.dueFrom, f.dueTo)
        range("pagamento", f.paidFrom, f.paidTo)
        let text = f.text.trimmingCharacters(in: .whitespacesAndNewlines)
        if !text.isEmpty { parts.append("texto: “\(text)”") }
        var s = parts.isEmpty ? "Todos os recebimentos" : parts.joined(separator: "; ")
        if let first = s.first, first.isLowercase { s = s.capitalizedFirst }
        return s + ". Situação em \(DocumentFormat.date(iso: today.description))."
    }

    typealias Totals = (byStatus: [Conton_Fees_V1_StatusTotal], total: Conton_Fees_V1_StatusTotal)

    static func receivablesPDF(_ rows: [Conton_Fees_V1_Receivable], totals: Totals, subtitle: String, today: CivilDate) -> PrintedDocument {
        // A4 landscape (as the clients list): widths in points of the 758-point text column,
        // measured on the rendered page (the renderer's "DejaVu Sans 8" is 8 pt at pango's 96
        // dpi, 10.7 points on the page): ids of 5 digits, dates, statuses and amounts up to
        // R$ 999.999,99 stay on one line, and so do most names and descriptions.
        let columns = [
            PrintedColumn("Nº", weight: 44, alignment: .trailing),
            PrintedColumn("Cliente", weight: 212),
            PrintedColumn("Referente a", weight: 172),
            PrintedColumn("Vencimento", weight: 80, alignment: .center),
            PrintedColumn("Situação", weight: 72),
            PrintedColumn("Valor", weight: 89, alignment: .trailing),
            PrintedColumn("Saldo", weight: 89, alignment: .trailing),
        ]
        let body = rows.map { r in
            [r.id, r.clientName, what(r), DocumentFormat.date(iso: r.dueDate), statusName(r.status),
             DocumentFormat.money(cents: r.amountCents), DocumentFormat.money(cents: r.balanceCents)]
        }
        // The totals as ListReceivables reports them, one row per status and the grand total, in
        // a table of their own right after the list: their bold sums run to millions and would
        // not fit the list's amount columns.
        let summaryColumns = [
            PrintedColumn("Situação", weight: 256),
            PrintedColumn("Quantidade", weight: 80, alignment: .trailing),
            PrintedColumn("Valor", weight: 140, alignment: .trailing),
            PrintedColumn("Saldo", weight: 141, alignment: .trailing),
            PrintedColumn("Recebido", weight: 141, alignment: .trailing),
        ]
        func line(_ name: String, _ t: Conton_Fees_V1_StatusTotal) -> [String] {
            [name, DocumentFormat.grouped(t.count), DocumentFormat.money(cents: t.amountCents), DocumentFormat.money(cents: t.balanceCents),
             DocumentFormat.money(cents: t.receivedCents)]
        }
        let blocks: [PrintedBlock] = [
            .table(PrintedTable(columns: columns, rows: body)),
            .space(10),
            .table(PrintedTable(columns: summaryColumns, rows: totals.byStatus.map { line(statusName($0.status), $0) },
                                totals: [line("Total geral", totals.total)])),
        ]
        return PrintedDocument(kind: "receivables-list", title: "Recebimentos", subtitle: subtitle,
                               fileName: "recebimentos-\(today.description).pdf", landscape: true, blocks: blocks)
    }

    static let csvHeader = ["Nº", "Cliente", "CPF/CNPJ", "Referente a", "Competência", "Vencimento", "Situação", "Valor", "Saldo",
                            "Recebido", "Data do pagamento"]

    /// The same rows as the PDF, with the client's document, competence, money received and the
    /// payment date; then one totals row per status and the grand total, marked `Total` in the
    /// first column (count in "Referente a", the status in "Situação", "Todas" for the grand
    /// total).
    static func receivablesCSV(_ rows: [Conton_Fees_V1_Receivable], totals: Totals) -> CSVTable {
        var table = CSVTable(header: csvHeader)
        table.rows.reserveCapacity(rows.count + 5)
        for r in rows {
            table.rows.append([r.id, r.clientName, r.clientDocumentFormatted, r.description, Competence(r.competence)?.text ?? "",
                               DocumentFormat.date(iso: r.dueDate), statusName(r.status), DocumentFormat.csvMoney(cents: r.amountCents),
                               DocumentFormat.csvMoney(cents: r.balanceCents), DocumentFormat.csvMoney(cents: r.receivedCents),
                               DocumentFormat.date(iso: r.paymentDate)])
        }
        func total(_ t: Conton_Fees_V1_StatusTotal, _ status: String) -> [String] {
            ["Total", "", "", count(t.count), "", "", status, DocumentFormat.csvMoney(cents: t.amountCents),
             DocumentFormat.csvMoney(cents: t.balanceCents), DocumentFormat.csvMoney(cents: t.receivedCents), ""]
        }
        for t in totals.byStatus { table.rows.append(total(t, statusName(t.status))) }
        table.rows.append(total(totals.total, "Todas"))
        return table
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
