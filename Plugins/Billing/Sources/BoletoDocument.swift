import ContonAPI
import ContonBrazil
import ContonDocuments
import ContonMailQueue
import DocumentsCapability
import Foundation

/// A boleto as a printed document (the recibo do pagador and the ficha de compensação, through
/// the documents layer) and as an e-mail.
enum BoletoDocument {
    static func document(_ boleto: Conton_Billing_V1_Boleto, slip: BoletoStore.Slip) -> PrintedDocument {
        let bank = Bank(rawValue: boleto.bankCode)
        let printed = BoletoSlip(
            bankName: bank?.printedName ?? boleto.bankCode, bankCodeWithDigit: bank?.codeWithDigit ?? boleto.bankCode,
            digitableLine: boleto.digitableLineFormatted, barcode: boleto.barcode, dueDate: DocumentFormat.date(iso: boleto.dueDate),
            beneficiaryName: slip.beneficiaryName, beneficiaryDocument: slip.beneficiaryDocument, beneficiaryAddress: slip.beneficiaryAddress,
            agencyAndCode: slip.agencyAndCode, documentDate: slip.documentDate, documentNumber: boleto.receivableId,
            processingDate: slip.documentDate, nossoNumero: boleto.nossoNumero, wallet: slip.wallet,
            amount: DocumentFormat.money(cents: boleto.amountCents), instructions: slip.instructions, payerName: slip.payerName,
            payerDocument: slip.payerDocument, payerAddress: slip.payerAddress, subject: boleto.description, pixPayload: boleto.pixPayload)
        return PrintedDocument(kind: "boleto", title: "Boleto — vencimento \(DocumentFormat.date(iso: boleto.dueDate))",
                               subtitle: boleto.description, fileName: "boleto-\(boleto.id).pdf", blocks: [.boletoSlip(printed)])
    }

    static func mail(_ boleto: Conton_Billing_V1_Boleto, slip: BoletoStore.Slip, to: String, office: String,
                     pdf: IssuedFile) throws -> MailMessage {
        var lines = [
            "Olá, \(slip.payerName).", "",
            "Segue o boleto de \(boleto.description), no valor de \(DocumentFormat.money(cents: boleto.amountCents)), " +
                "com vencimento em \(DocumentFormat.date(iso: boleto.dueDate)).", "",
            "Linha digitável:", boleto.digitableLineFormatted,
        ]
        if !boleto.pixPayload.isEmpty { lines += ["", "Pix copia e cola:", boleto.pixPayload] }
        lines += ["", "O boleto em PDF vai anexo (código de verificação \(pdf.verificationCode)) e fica também na sua área do cliente.",
                  "", office]
        return MailMessage(to: [try MailAddress(to)], subject: "Boleto: \(boleto.description) — vence em \(DocumentFormat.date(iso: boleto.dueDate))",
                           textBody: lines.joined(separator: "\n"),
                           attachments: [MailAttachment(fileName: pdf.fileName, contentType: pdf.contentType, data: Data(pdf.bytes))])
    }
}
