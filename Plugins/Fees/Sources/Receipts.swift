import ContonAPI
import ContonBrazil
import ContonKit
import Foundation
import GRDB
import GRPCCore

/// Receipts (*recibos*): built once, at settlement, from the payment, the receivable, the payer
/// and the office profile as they are then, and stored with the payment (Código Civil, art.
/// 320: amount, payer, what was paid, date and place, issuer).
enum Receipts {
    typealias Receipt = Conton_Fees_V1_Receipt

    static func make(number: Int64, receivable: Conton_Fees_V1_Receivable, input: Settlement.Input, payerName: String,
                     payerDocument: String, office: Conton_Office_V1_OfficeProfile?, now: Int64) throws -> Receipt {
        var r = Receipt()
        r.number = number
        r.receivableId = receivable.id
        r.clientId = receivable.clientId
        r.payerName = payerName
        r.payerDocument = payerDocument
        r.amountCents = input.amountPaid
        r.amountFormatted = Money.formatted(input.amountPaid)
        r.amountInWords = amountInWords(input.amountPaid)
        r.description = receivable.description
        r.competence = receivable.competence
        r.competenceText = Competence(receivable.competence)?.text ?? ""
        r.paymentDate = input.paymentDate.description
        let registration = office?.registration
        let city = registration?.address.city ?? "", uf = registration?.address.uf ?? ""
        r.place = [city, uf].filter { !$0.isEmpty }.joined(separator: "/")
        r.placeAndDate = (r.place.isEmpty ? "" : r.place + ", ") + input.paymentDate.longText
        let legal = registration?.legalName ?? "", trade = registration?.tradeName ?? ""
        r.issuerName = legal.isEmpty ? trade : legal
        r.issuerCnpj = registration.map { $0.cnpj.isEmpty ? "" : TaxID.formatted($0.cnpj) } ?? ""
        r.method = input.method
        r.issuedAtMs = now
        r.text = text(r, payerKind: payerDocument.contains("/") ? "CNPJ" : "CPF")
        return r
    }

    /// The amount in words as the issue writes it on a receipt: ContonBrazil's
    /// ``AmountInWords`` without the commas between groups ("mil duzentos e trinta e quatro
    /// reais e cinquenta e seis centavos", the form the grammars give; the "e" rules are the
    /// same). docs/FEES.md.
    static func amountInWords(_ cents: Int64) -> String {
        ((try? AmountInWords.reais(centavos: cents)) ?? "").replacingOccurrences(of: ", ", with: " ")
    }

    /// "Recebemos de Fulano, CPF 111.444.777-35, a importância de R$ 1.500,00 (mil e quinhentos
    /// reais), referente a Honorários 01/2018 (competência 01/2018), paga por Pix. São Paulo/SP,
    /// 10 de janeiro de 2018. Escritório X, CNPJ 11.222.333/0001-81."
    static func text(_ r: Receipt, payerKind: String) -> String {
        var s = "Recebemos de \(r.payerName)"
        if !r.payerDocument.isEmpty { s += ", \(payerKind) \(r.payerDocument)" }
        s += ", a importância de \(r.amountFormatted) (\(r.amountInWords)), referente a \(r.description)"
        if !r.competenceText.isEmpty && !r.description.contains(r.competenceText) { s += " (competência \(r.competenceText))" }
        s += ", paga por \(Settlement.methodName(r.method)). \(r.placeAndDate)."
        if !r.issuerName.isEmpty {
            s += " \(r.issuerName)" + (r.issuerCnpj.isEmpty ? "" : ", CNPJ \(r.issuerCnpj)") + "."
        }
        return s
    }

    /// The stored receipt of a payment row (with `receipt`, `reversed_at_ms`, `client_id`).
    static func receipt(_ row: Row) throws -> Receipt {
        var r = try Receipt(serializedBytes: row["receipt"] as Data)
        r.voided = (row["reversed_at_ms"] as Int64?) != nil
        return r
    }

    /// The receipt by number or payment id; NOT_FOUND when missing or outside `scope`.
    static func find(number: Int64, paymentID: String, scope: ClientScope, in db: Database) throws -> Receipt {
        let row: Row?
        if number > 0 {
            row = try Row.fetchOne(db, sql: "SELECT receipt, reversed_at_ms, client_id FROM fees_payment WHERE receipt_number = ?",
                                   arguments: [number])
        } else if let id = Int64(paymentID) {
            row = try Row.fetchOne(db, sql: "SELECT receipt, reversed_at_ms, client_id FROM fees_payment WHERE id = ?", arguments: [id])
        } else if paymentID.isEmpty {
            throw FieldErrors.single("number", "give the receipt number or the payment_id")
        } else {
            row = nil
        }
        let what = number > 0 ? "receipt \(number)" : "receipt of payment \(paymentID)"
        guard let row, scope.contains(row["client_id"]) else {
            throw ServiceError(.notFound, "\(what) not found",
                               resource: ErrorDetails.Resource(type: "conton.fees.v1.Receipt", name: number > 0 ? String(number) : paymentID))
        }
        return try receipt(row)
    }
}
