/// The boleto's two parts on the page (``PrintedBlock/boletoSlip(_:)``): the recibo do pagador
/// where the cursor is, and the ficha de compensação anchored to the bottom of the body, in the
/// FEBRABAN arrangement (bank and linha digitável; local de pagamento and vencimento; beneficiário
/// and agência/código; the document row; the amount row; instructions beside the deductions and
/// additions; pagador; the bar code at the foot with its quiet zones).
extension PageLayout {
    /// FEBRABAN's bar code: narrow element 0.254 mm, wide 3 ×, 13 mm high.
    static let narrowBar = 0.254 / 25.4 * 72, barHeight = 13.0 / 25.4 * 72
    /// The white space left and right of the bar code: 5 mm (ITF asks for at least 10 narrow
    /// elements, 2.54 mm).
    static let quietZone = 5.0 / 25.4 * 72
    static let fichaHeight = 330.0

    mutating func placeBoletoSlip(_ slip: BoletoSlip) {
        placeRecibo(slip)
        let top = bodyBottom - Self.fichaHeight
        if y + 14 > top { newPage() }
        // The cut line between the parts.
        let cut = max(y + 6, top - 14)
        var x = left
        while x < left + width {
            add(.line(x1: x, y1: cut, x2: min(x + 4, left + width), y2: cut, width: 0.5, gray: 0.4))
            x += 7
        }
        add(.text("Corte na linha pontilhada", x: left, y: cut + 1.5, width: width, font: R.regular(6), align: 2, gray: 0.4))
        placeFicha(slip, top: top)
        y = bodyBottom
    }

    /// The bold font, from `largest` down to 7 points, in which `text` fits `width` on one line
    /// (the linha digitável must never wrap: it is typed from the page).
    private func oneLine(_ text: String, width: Double, largest: Double) -> String {
        var size = largest
        while size > 7, measure(text, width: width, font: R.bold(size)) > measure("0", width: width, font: R.bold(size)) * 1.3 {
            size -= 0.5
        }
        return R.bold(size)
    }

    /// The recibo do pagador: who, what, when, how much, the line, and the Pix QR code.
    private mutating func placeRecibo(_ slip: BoletoSlip) {
        let qr = slip.pixPayload.isEmpty ? 0.0 : 118.0
        let textWidth = width - (qr > 0 ? qr + 12 : 0)
        add(.text("Recibo do Pagador", x: left, y: y, width: textWidth, font: R.bold(11), align: 0, gray: 0))
        let top = y + 17
        y = top
        let rows: [[(String, String)]] = [
            [("Beneficiário", slip.beneficiaryName), ("CPF/CNPJ do beneficiário", slip.beneficiaryDocument)],
            [("Pagador", slip.payerName), ("CPF/CNPJ do pagador", slip.payerDocument)],
            [("Referente a", slip.subject), ("Nº do documento", slip.documentNumber)],
            [("Nosso número", slip.nossoNumero), ("Agência / Código do beneficiário", slip.agencyAndCode)],
            [("Vencimento", slip.dueDate), ("Valor do documento", slip.amount)],
        ]
        let column = textWidth / 2
        for row in rows {
            var height = 0.0
            for (i, (label, value)) in row.enumerated() {
                let x = left + Double(i) * column
                add(.text(label, x: x, y: y, width: column - 8, font: R.regular(7), align: 0, gray: 0.4))
                let h = measure(value, width: column - 8, font: R.regular(9.5))
                add(.text(value, x: x, y: y + 9, width: column - 8, font: R.regular(9.5), align: 0, gray: 0))
                height = max(height, 9 + h)
            }
            y += height + 5
        }
        add(.text("Linha digitável", x: left, y: y, width: textWidth, font: R.regular(7), align: 0, gray: 0.4))
        let lineFont = oneLine(slip.digitableLine, width: textWidth, largest: 11)
        add(.text(slip.digitableLine, x: left, y: y + 9, width: textWidth, font: lineFont, align: 0, gray: 0))
        y += 9 + measure(slip.digitableLine, width: textWidth, font: lineFont) + 6
        if qr > 0 {
            let qx = left + width - qr
            add(.text("Pague com Pix", x: qx, y: top - 17, width: qr, font: R.bold(9), align: 1, gray: 0))
            add(.qr(slip.pixPayload, x: qx, y: top - 4, size: qr))
            let captionTop = top - 4 + qr + 2
            let caption = "Aponte a câmera do app do seu banco ou use o Pix copia e cola:"
            add(.text(caption, x: qx, y: captionTop, width: qr, font: R.regular(6), align: 1, gray: 0.3))
            let payloadTop = captionTop + measure(caption, width: qr, font: R.regular(6)) + 1
            add(.text(slip.pixPayload, x: qx, y: payloadTop, width: qr, font: R.regular(5), align: 0, gray: 0.2))
            y = max(y, payloadTop + measure(slip.pixPayload, width: qr, font: R.regular(5)) + 6)
        }
    }

    /// The ficha de compensação from `top` down.
    private mutating func placeFicha(_ slip: BoletoSlip, top: Double) {
        let right = left + width, sideWidth = 132.0, side = right - sideWidth
        var y = top
        func hline(_ at: Double, weight: Double = 0.5) -> DrawOp { .line(x1: left, y1: at, x2: right, y2: at, width: weight, gray: 0) }
        func vline(_ x: Double, _ from: Double, _ to: Double) -> DrawOp { .line(x1: x, y1: from, x2: x, y2: to, width: 0.5, gray: 0) }
        func cell(_ label: String, _ value: String, x: Double, width: Double, at y: Double, bold: Bool = false, align: Int32 = 0) -> [DrawOp] {
            [.text(label, x: x + 2.5, y: y + 1.5, width: width - 5, font: R.regular(6), align: 0, gray: 0.3),
             .text(value, x: x + 2.5, y: y + 9, width: width - 5, font: bold ? R.bold(9) : R.regular(8.5), align: align, gray: 0)]
        }
        // Bank, code, line.
        let headerHeight = 24.0
        add(.text(slip.bankName, x: left, y: y + 6, width: 150, font: R.bold(11), align: 0, gray: 0))
        add(vline(left + 152, y + 4, y + headerHeight))
        add(.text(slip.bankCodeWithDigit, x: left + 152, y: y + 4, width: 64, font: R.bold(15), align: 1, gray: 0))
        add(vline(left + 216, y + 4, y + headerHeight))
        add(.text(slip.digitableLine, x: left + 220, y: y + 7, width: width - 220,
                  font: oneLine(slip.digitableLine, width: width - 220, largest: 10.5), align: 2, gray: 0))
        y += headerHeight
        add(hline(y, weight: 1.2))
        let row = 22.0
        func sideRow(_ label: String, _ value: String, bold: Bool = false) {
            for op in cell(label, value, x: side, width: sideWidth, at: y, bold: bold, align: 2) { add(op) }
        }
        // Local de pagamento | Vencimento.
        for op in cell("Local de pagamento", slip.paymentPlace, x: left, width: side - left, at: y) { add(op) }
        sideRow("Vencimento", slip.dueDate, bold: true)
        add(vline(side, y, y + row)); y += row; add(hline(y))
        // Beneficiário | Agência / Código.
        let beneficiary = slip.beneficiaryName + (slip.beneficiaryDocument.isEmpty ? "" : " — CNPJ/CPF \(slip.beneficiaryDocument)")
        for op in cell("Beneficiário", beneficiary, x: left, width: side - left, at: y) { add(op) }
        sideRow("Agência / Código do beneficiário", slip.agencyAndCode)
        add(vline(side, y, y + row)); y += row; add(hline(y))
        // The document row.
        let docCells: [(String, String, Double)] = [
            ("Data do documento", slip.documentDate, 74), ("Nº do documento", slip.documentNumber, 92),
            ("Espécie doc.", slip.documentKind, 52), ("Aceite", slip.accepted, 38),
            ("Data do processamento", slip.processingDate, side - left - 256),
        ]
        var x = left
        for (label, value, w) in docCells {
            for op in cell(label, value, x: x, width: w, at: y) { add(op) }
            x += w
            add(vline(x, y, y + row))
        }
        sideRow("Nosso número", slip.nossoNumero)
        y += row; add(hline(y))
        // The amount row.
        let amountCells: [(String, String, Double)] = [
            ("Uso do banco", "", 74), ("Carteira", slip.wallet, 56), ("Espécie", "R$", 48), ("Quantidade", "", 70),
            ("Valor", "", side - left - 248),
        ]
        x = left
        for (label, value, w) in amountCells {
            for op in cell(label, value, x: x, width: w, at: y) { add(op) }
            x += w
            add(vline(x, y, y + row))
        }
        sideRow("(=) Valor do documento", slip.amount, bold: true)
        y += row; add(hline(y))
        // Instructions | deductions and additions.
        let instructionsHeight = 5 * row
        add(.text("Instruções (texto de responsabilidade do beneficiário)", x: left + 2.5, y: y + 1.5, width: side - left - 5,
                  font: R.regular(6), align: 0, gray: 0.3))
        add(.text(slip.instructions.joined(separator: "\n"), x: left + 2.5, y: y + 10, width: side - left - 5,
                  font: R.regular(7.5), align: 0, gray: 0))
        add(vline(side, y, y + instructionsHeight))
        for (i, label) in ["(−) Desconto / Abatimento", "(−) Outras deduções", "(+) Mora / Multa", "(+) Outros acréscimos",
                           "(=) Valor cobrado"].enumerated() {
            add(.text(label, x: side + 2.5, y: y + Double(i) * row + 1.5, width: sideWidth - 5, font: R.regular(6), align: 0, gray: 0.3))
            if i < 4 { add(.line(x1: side, y1: y + Double(i + 1) * row, x2: right, y2: y + Double(i + 1) * row, width: 0.5, gray: 0)) }
        }
        y += instructionsHeight; add(hline(y))
        // Pagador.
        add(.text("Pagador", x: left + 2.5, y: y + 1.5, width: 60, font: R.regular(6), align: 0, gray: 0.3))
        let payer = ([slip.payerName + (slip.payerDocument.isEmpty ? "" : " — CPF/CNPJ \(slip.payerDocument)")] + slip.payerAddress)
            .joined(separator: "\n")
        add(.text(payer, x: left + 2.5, y: y + 9, width: width - 5, font: R.regular(8), align: 0, gray: 0))
        y += 9 + max(30, measure(payer, width: width - 5, font: R.regular(8))) + 2
        add(.text("Sacador/Avalista:", x: left + 2.5, y: y, width: 200, font: R.regular(6), align: 0, gray: 0.3))
        y += 9
        add(hline(y, weight: 1.2))
        add(.text("Autenticação mecânica — Ficha de Compensação", x: side - 80, y: y + 2, width: sideWidth + 80, font: R.regular(6.5),
                  align: 2, gray: 0))
        // The bar code, with its quiet zones left and right.
        if let (bars, _) = try? InterleavedTwoOfFive.bars(slip.barcode, narrow: Self.narrowBar) {
            let barTop = y + 14, barLeft = left + Self.quietZone
            for bar in bars { add(.fill(x: barLeft + bar.x, y: barTop, width: bar.width, height: Self.barHeight, gray: 0)) }
        }
    }
}
