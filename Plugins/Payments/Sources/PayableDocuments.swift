import ContonAPI
import ContonKit
import DocumentsCapability

/// "Imprimir resultado": the payables of a filter as a PDF (A4 landscape) or CSV, with the count
/// and sums that ListPayables reports (docs/PAYMENTS.md, "Printed list").
enum PayableDocuments {
    /// Rows one export holds (as the receivables export).
    static let maxRows = 20_000

    static func statusName(_ p: Conton_Payments_V1_Payable) -> String {
        switch p.status {
        case .paid: "Pago"
        case .cancelled: "Cancelado"
        default: p.overdue ? "Vencido" : (p.settledCents > 0 ? "Pago em parte" : "Pendente")
        }
    }

    static func statusFilterName(_ s: Conton_Payments_V1_PayableStatusFilter) -> String? {
        switch s {
        case .pending: "pendentes"
        case .paid: "pagos"
        case .overdue: "vencidos"
        case .cancelled: "cancelados"
        default: nil
        }
    }

    /// The filter in Portuguese, for the subtitle: "Situação: pendentes; vencimento de
    /// 01/12/2026 a 31/12/2026; fornecedor: “central”. Posição em 02/12/2026."
    static func describe(_ f: Conton_Payments_V1_ListPayablesRequest, period: Conton_Payments_V1_Period, supplierName: String?,
                         today: CivilDate) -> String {
        var parts: [String] = []
        if let s = statusFilterName(f.status) { parts.append("Situação: \(s)") }
        let what = f.dateField == .payment ? "pagamento" : "vencimento"
        switch (period.from.isEmpty, period.to.isEmpty) {
        case (false, false): parts.append("\(what) de \(DocumentFormat.date(iso: period.from)) a \(DocumentFormat.date(iso: period.to))")
        case (false, true): parts.append("\(what) a partir de \(DocumentFormat.date(iso: period.from))")
        case (true, false): parts.append("\(what) até \(DocumentFormat.date(iso: period.to))")
        case (true, true): break
        }
        if let supplierName { parts.append("fornecedor: \(supplierName)") }
        let supplier = f.supplier.trimmingCharacters(in: .whitespacesAndNewlines)
        if !supplier.isEmpty { parts.append("fornecedor: “\(supplier)”") }
        let text = f.text.trimmingCharacters(in: .whitespacesAndNewlines)
        if !text.isEmpty { parts.append("texto: “\(text)”") }
        var s = parts.isEmpty ? "Todos os pagamentos" : parts.joined(separator: "; ")
        s = s.prefix(1).uppercased() + s.dropFirst()
        return s + ". Posição em \(DocumentFormat.date(iso: today.description))."
    }

    /// What a payable was for: the description, with k/N for an instalment.
    static func what(_ p: Conton_Payments_V1_Payable) -> String {
        p.instalmentCount > 0 ? "\(p.description) (\(p.instalmentNumber)/\(p.instalmentCount))" : p.description
    }

    static func totalLines(_ t: Conton_Payments_V1_PayableTotals) -> [(String, Conton_Payments_V1_Total)] {
        var all = Conton_Payments_V1_Total()
        all.count = t.count
        all.sumCents = t.sumCents
        all.balanceCents = t.balanceCents
        all.paidCents = t.paidCents
        return [("Pendentes (com vencidos)", t.pending), ("Vencidos", t.overdue), ("Pagos", t.paid), ("Cancelados", t.cancelled), ("Total", all)]
    }

    static func pdf(_ rows: [Conton_Payments_V1_Payable], totals: Conton_Payments_V1_PayableTotals, subtitle: String, today: CivilDate) -> PrintedDocument {
        // A4 landscape: weights in points of the 758-point text column (as the receivables list).
        let columns = [
            PrintedColumn("Fornecedor", weight: 190),
            PrintedColumn("Referente a", weight: 178),
            PrintedColumn("Vencimento", weight: 74, alignment: .center),
            PrintedColumn("Pagamento", weight: 74, alignment: .center),
            PrintedColumn("Situação", weight: 72),
            PrintedColumn("Valor", weight: 85, alignment: .trailing),
            PrintedColumn("Pago", weight: 85, alignment: .trailing),
        ]
        let body = rows.map { p in
            [p.supplierName, what(p), DocumentFormat.date(iso: p.dueDate), DocumentFormat.date(iso: p.paymentDate), statusName(p),
             DocumentFormat.money(cents: p.amountCents), DocumentFormat.money(cents: p.paidCents)]
        }
        let summaryColumns = [
            PrintedColumn("Situação", weight: 256),
            PrintedColumn("Quantidade", weight: 80, alignment: .trailing),
            PrintedColumn("Valor", weight: 140, alignment: .trailing),
            PrintedColumn("A pagar", weight: 141, alignment: .trailing),
            PrintedColumn("Pago", weight: 141, alignment: .trailing),
        ]
        func line(_ name: String, _ t: Conton_Payments_V1_Total) -> [String] {
            [name, DocumentFormat.grouped(t.count), DocumentFormat.money(cents: t.sumCents), DocumentFormat.money(cents: t.balanceCents),
             DocumentFormat.money(cents: t.paidCents)]
        }
        let lines = totalLines(totals)
        let blocks: [PrintedBlock] = [
            .table(PrintedTable(columns: columns, rows: body)),
            .space(10),
            .table(PrintedTable(columns: summaryColumns, rows: lines.dropLast().map { line($0.0, $0.1) }, totals: [line("Total geral", lines.last!.1)])),
        ]
        return PrintedDocument(kind: "payables-list", title: "Pagamentos", subtitle: subtitle,
                               fileName: "pagamentos-\(today.description).pdf", landscape: true, blocks: blocks)
    }

    static let csvHeader = ["Nº", "Fornecedor", "CPF/CNPJ", "Referente a", "Categoria", "Centro de custo", "Competência", "Vencimento",
                            "Pagamento", "Situação", "Valor", "Desconto", "Juros/multa", "Pago", "A pagar", "Documento"]

    /// The PDF's rows with the supplier's document, classifiers, competence, discount,
    /// interest, balance and document number; then one `Total` row per status and the total.
    static func csv(_ rows: [Conton_Payments_V1_Payable], totals: Conton_Payments_V1_PayableTotals) -> CSVTable {
        var table = CSVTable(header: csvHeader)
        table.rows.reserveCapacity(rows.count + 5)
        for p in rows {
            table.rows.append([p.id, p.supplierName, p.supplierDocumentFormatted, what(p), p.categoryName, p.costCenterName,
                               Competence(p.competence)?.text ?? "", DocumentFormat.date(iso: p.dueDate), DocumentFormat.date(iso: p.paymentDate),
                               statusName(p), DocumentFormat.csvMoney(cents: p.amountCents), DocumentFormat.csvMoney(cents: p.discountCents),
                               DocumentFormat.csvMoney(cents: p.interestCents), DocumentFormat.csvMoney(cents: p.paidCents),
                               DocumentFormat.csvMoney(cents: p.balanceCents), p.documentNumber])
        }
        for (name, t) in totalLines(totals) {
            table.rows.append(["Total", "", "", DocumentFormat.grouped(t.count), "", "", "", "", "", name, DocumentFormat.csvMoney(cents: t.sumCents),
                               "", "", DocumentFormat.csvMoney(cents: t.paidCents), DocumentFormat.csvMoney(cents: t.balanceCents), ""])
        }
        return table
    }
}
