import ContonAPI
import ContonKit
import Foundation
import GRDB

/// Boletos as rows and as API messages, inside the caller's transaction.
enum BoletoStore {
    typealias Record = Conton_Billing_V1_Boleto
    typealias Status = Conton_Billing_V1_BoletoStatus

    static let resourceType = "conton.billing.v1.Boleto"
    /// The statuses of a boleto that can still be paid (at most one per receivable).
    static let live: Set<Status> = [.pending, .sent, .registered]

    static let columns = """
        id, receivable_id, client_id, bank_code, nosso_numero, nosso_numero_digits, barcode, digitable_line, due_date, amount_cents, description,
        status, rejection_reasons, pix_payload, remessa_id, fine_basis_points, monthly_interest_basis_points, slip, issued_at_ms
        """

    /// What the boleto printed when it was issued: the beneficiary, the payer and the
    /// instructions of that day (a reprint shows the same).
    struct Slip: Codable, Sendable, Hashable {
        var beneficiaryName: String
        var beneficiaryDocument: String
        var beneficiaryAddress: String
        var agencyAndCode: String
        var wallet: String
        var instructions: [String]
        var payerName: String
        var payerDocument: String
        var payerAddress: [String]
        var payerEmail: String
        /// The payer as the remessa's segment Q registers it.
        var payerTaxID: String
        var payerStreet: String
        var payerDistrict: String
        var payerCEP: String
        var payerCity: String
        var payerUF: String
        /// DD/MM/AAAA of issue.
        var documentDate: String
    }

    static func message(_ row: Row, clientName: String) -> Record {
        var b = Record()
        b.id = String(row["id"] as Int64)
        b.receivableId = String(row["receivable_id"] as Int64)
        b.clientId = row["client_id"]
        b.clientName = clientName
        b.bankCode = row["bank_code"]
        b.nossoNumero = row["nosso_numero"]
        b.barcode = row["barcode"]
        b.digitableLine = row["digitable_line"]
        b.digitableLineFormatted = formatted(line: b.digitableLine)
        b.dueDate = row["due_date"]
        b.amountCents = row["amount_cents"]
        b.description = row["description"]
        b.status = .init(rawValue: row["status"])
        let reasons: String = row["rejection_reasons"]
        b.rejectionReasons = reasons.isEmpty ? [] : reasons.split(separator: ",").map(String.init)
        b.pixPayload = row["pix_payload"]
        b.remessaId = (row["remessa_id"] as Int64?).map(String.init) ?? ""
        b.issuedAtMs = row["issued_at_ms"]
        b.fineBasisPoints = row["fine_basis_points"]
        b.monthlyInterestBasisPoints = row["monthly_interest_basis_points"]
        return b
    }

    /// "00190.00009 01234.567891 23456.789012 3 99990000010000" from the 47 digits.
    static func formatted(line d: String) -> String {
        let c = Array(d)
        guard c.count == 47 else { return d }
        func s(_ r: Range<Int>) -> String { String(c[r]) }
        return "\(s(0..<5)).\(s(5..<10)) \(s(10..<15)).\(s(15..<21)) \(s(21..<26)).\(s(26..<32)) \(s(32..<33)) \(s(33..<47))"
    }

    static func slip(_ row: Row) throws -> Slip {
        try JSONDecoder().decode(Slip.self, from: Data((row["slip"] as String).utf8))
    }

    /// Boleto `id` as the caller may see it: NOT_FOUND when there is none or it is another
    /// client's (the same answer).
    static func require(_ id: String, scope: ClientScope, in db: Database) throws -> Row {
        guard !id.isEmpty else { throw FieldErrors.single("boleto_id", "is required") }
        guard let key = Int64(id),
              let row = try Row.fetchOne(db, sql: "SELECT \(columns) FROM billing_boleto WHERE id = ?", arguments: [key]),
              scope.contains(row["client_id"]) else {
            throw ServiceError.notFound("boleto", id, type: resourceType)
        }
        return row
    }

    /// Closes a live boleto: CANCELLED while still PENDING (it never reached the bank), else
    /// WRITE_OFF_REQUESTED for the next remessa; `why` is kept as its cancel reason. The caller
    /// writes the audit row.
    static func close(_ id: Int64, pending: Bool, why: String, now: Int64, in db: Database) throws {
        try db.execute(sql: "UPDATE billing_boleto SET status = ?, cancelled_at_ms = ?, cancel_reason = ? WHERE id = ?",
                       arguments: [pending ? Status.cancelled.rawValue : Status.writeOffRequested.rawValue, now, why, id])
    }

    static func failedPrecondition(_ id: String, _ message: String, reason: String) -> ServiceError {
        ServiceError(.failedPrecondition, message, reason: reason, resource: ErrorDetails.Resource(type: resourceType, name: id))
    }
}
