import ClientsCapability
import ContonAPI
import ContonBrazil
import ContonDocuments
import ContonKit
import ContonStore
import FeesCapability
import Foundation
import GRDB
import GRPCCore
import OfficeCapability

/// The bank files: the remessa that registers PENDING boletos and the retorno that reports what
/// the bank did with them (CNAB 240, ``ContonBrazil/Remessa`` and ``ContonBrazil/Retorno``).
enum BankFiles {
    /// The largest retorno accepted (a bank's daily file of tens of thousands of boletos is a
    /// few MiB).
    static let maxRetornoBytes = 64 * 1024 * 1024
    static let chunkSize = 64 * 1024

    /// The remessa stored with its file.
    struct StoredRemessa: Sendable {
        var message: Conton_Billing_V1_Remessa
        var content: [UInt8]
    }

    static func remessa(_ row: Row) -> StoredRemessa {
        var r = Conton_Billing_V1_Remessa()
        r.id = String(row["id"] as Int64)
        r.fileSequence = Int32(row["file_sequence"] as Int64)
        r.bankCode = row["bank_code"]
        r.boletos = Int32(row["boletos"] as Int64)
        r.totalCents = row["total_cents"]
        r.fileName = row["file_name"]
        r.sha256 = row["sha256"]
        let content = [UInt8](row["content"] as Data)
        r.sizeBytes = Int64(content.count)
        r.createdAtMs = row["created_at_ms"]
        r.writeOffs = Int32(row["write_offs"] as Int64)
        return StoredRemessa(message: r, content: content)
    }

    /// The company block of a file: the beneficiary's CNPJ, name and agreement.
    static func company(_ beneficiary: BoletoIssue.Beneficiary, cnpj: String) throws -> BillingCompany {
        do {
            return BillingCompany(taxID: try TaxID(cnpj), name: beneficiary.name, settings: beneficiary.raw)
        } catch {
            throw ServiceError(.failedPrecondition, "Meus Dados' registration.cnpj is not a CNPJ: \(error)", reason: "BOLETO_SETTINGS_INCOMPLETE")
        }
    }

    /// The registration of a stored boleto, from what it printed.
    static func registration(_ row: Row, slip: BoletoStore.Slip) throws -> BoletoRegistration {
        let id: Int64 = row["id"]
        do {
            let payer = Payer(name: slip.payerName, taxID: try TaxID(slip.payerTaxID), address: slip.payerStreet, district: slip.payerDistrict,
                              cep: try CEP(slip.payerCEP), city: slip.payerCity, uf: try UF(slip.payerUF))
            let issued = CivilDate(milliseconds: row["issued_at_ms"])
            return BoletoRegistration(nossoNumero: row["nosso_numero_digits"], documentNumber: String(row["receivable_id"] as Int64),
                                      dueDate: try BankDate(row["due_date"] as String), amountCents: row["amount_cents"],
                                      issueDate: try BankDate(issued.description), payer: payer,
                                      fineBasisPoints: Int(row["fine_basis_points"] as Int32),
                                      monthlyInterestBasisPoints: Int(row["monthly_interest_basis_points"] as Int32))
        } catch {
            throw BoletoStore.failedPrecondition(String(id), "boleto \(id) cannot be registered: \(error)", reason: "BOLETO_INVALID")
        }
    }

    /// A new remessa of every PENDING boleto of the agreement, stored; the boletos become SENT.
    static func export(office: any OfficeProfileSource, now: Int64, in m: inout Mutation) throws -> StoredRemessa {
        let profile = try office.profile(in: m.db)
        let beneficiary = try BoletoIssue.beneficiary(profile)
        let company = try company(beneficiary, cnpj: profile?.registration.cnpj ?? "")
        let rows = try Row.fetchAll(m.db, sql: "SELECT \(BoletoStore.columns) FROM billing_boleto WHERE status = 1 AND agreement = ? ORDER BY id",
                                    arguments: [beneficiary.agreement])
        // Write-offs asked since the last remessa (CancelBoleto of a boleto the bank knows).
        let writeOffs = try Row.fetchAll(m.db, sql: "SELECT \(BoletoStore.columns) FROM billing_boleto " +
                                         "WHERE status = 7 AND write_off_remessa_id IS NULL AND agreement = ? ORDER BY id",
                                         arguments: [beneficiary.agreement])
        guard !rows.isEmpty || !writeOffs.isEmpty else {
            throw ServiceError(.failedPrecondition, "no boleto of the agreement \(beneficiary.agreement) is pending nor to be written off: nothing to send",
                               reason: "NOTHING_TO_SEND")
        }
        let registrations = try rows.map { try registration($0, slip: try BoletoStore.slip($0)) }
            + writeOffs.map { row in
                var r = try registration(row, slip: try BoletoStore.slip(row))
                r.movement = .writeOff
                return r
            }
        let sequence = try BoletoIssue.nextSequence("remessa:" + beneficiary.agreement, in: m.db)
        let today = CivilDate(milliseconds: now)
        let seconds = Int(((now - today.milliseconds()) / 1000) % 86_400)
        let text: String
        do {
            text = try Remessa(company: company, fileSequence: Int(sequence), generatedOn: try BankDate(today.description),
                               generatedAt: try ClockTime(hour: seconds / 3600, minute: seconds / 60 % 60, second: seconds % 60),
                               registrations: registrations).text()
        } catch {
            throw ServiceError(.failedPrecondition, "the remessa cannot be written: \(error)", reason: "REMESSA_INVALID")
        }
        let content = Array(text.utf8)
        let total = registrations.reduce(Int64(0)) { $0 + ($1.movement == .entry ? $1.amountCents : 0) }
        let bank = beneficiary.settings.bank.code
        let name = "remessa-\(bank)-\(String(repeating: "0", count: max(0, 6 - String(sequence).count)))\(sequence).rem"
        try m.db.execute(sql: """
            INSERT INTO billing_remessa (agreement, bank_code, file_sequence, boletos, total_cents, file_name, sha256, content, created_at_ms,
                                         write_offs)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [beneficiary.agreement, bank, sequence, rows.count, total, name, SHA256.hex(content), Data(content), now,
                             writeOffs.count])
        let id = m.db.lastInsertedRowID
        try m.db.execute(sql: "UPDATE billing_boleto SET write_off_remessa_id = ? WHERE status = 7 AND write_off_remessa_id IS NULL AND agreement = ?",
                         arguments: [id, beneficiary.agreement])
        try m.db.execute(sql: "UPDATE billing_boleto SET status = 2, remessa_id = ? WHERE status = 1 AND agreement = ?",
                         arguments: [id, beneficiary.agreement])
        m.audit("remessa", String(id), "remessa nº \(sequence) to bank \(bank): \(rows.count) boletos, \(DocumentFormat.money(cents: total))" +
                (writeOffs.isEmpty ? "" : ", \(writeOffs.count) write-offs"))
        return remessa(try Row.fetchOne(m.db, sql: "SELECT * FROM billing_remessa WHERE id = ?", arguments: [id])!)
    }

    /// The retorno in `text`, of the agreement `settings`: INVALID_ARGUMENT under `data` naming
    /// the line and column of what is wrong, or the header field of another bank or agreement.
    static func parse(_ text: String, against settings: BankSettings) throws(RPCError) -> Retorno {
        do throws(RetornoError) {
            let retorno = try Retorno(parsing: text)
            try retorno.verify(against: settings)
            return retorno
        } catch {
            throw FieldErrors.single("data", "line \(error.line), column \(error.column): \(error.description)")
        }
    }

    /// Reads the retorno `bytes` and applies it in the caller's transaction (see the proto).
    static func importRetorno(_ bytes: [UInt8], fileName: String, office: any OfficeProfileSource, ledger: any ReceivableLedger,
                              in m: inout Mutation) throws -> Conton_Billing_V1_ImportRetornoResponse {
        let sha = SHA256.hex(bytes)
        if let stored = try Data.fetchOne(m.db, sql: "SELECT result FROM billing_retorno WHERE sha256 = ?", arguments: [sha]) {
            var r = try Conton_Billing_V1_ImportRetornoResponse(serializedBytes: [UInt8](stored))
            r.alreadyImported = true
            return r
        }
        guard let text = String(validating: bytes, as: UTF8.self) ?? String(bytes: bytes, encoding: .isoLatin1) else {
            throw FieldErrors.single("data", "is not a text file")
        }
        let beneficiary = try BoletoIssue.beneficiary(try office.profile(in: m.db))
        let retorno = try parse(text, against: beneficiary.raw)
        var r = Conton_Billing_V1_ImportRetornoResponse()
        r.fileSequence = Int32(retorno.fileSequence)
        r.bankCode = retorno.bank.code
        r.importedAtMs = m.now
        let statement = try m.db.cachedStatement(sql: "SELECT \(BoletoStore.columns) FROM billing_boleto WHERE agreement = ? AND nosso_numero_digits = ?")
        for occurrence in retorno.occurrences {
            var o = Conton_Billing_V1_RetornoOccurrence()
            o.line = Int32(occurrence.line)
            o.nossoNumero = occurrence.nossoNumero
            o.movementCode = occurrence.movementCode
            o.reasonCodes = occurrence.reasonCodes
            guard let row = try Row.fetchOne(statement, arguments: [beneficiary.agreement, occurrence.nossoNumero]) else {
                o.outcome = .unknownBoleto
                o.detail = "no boleto of this agreement has nosso número \(occurrence.nossoNumero)"
                r.notApplied += 1
                r.occurrences.append(o)
                continue
            }
            let id: Int64 = row["id"], status = BoletoStore.Status(rawValue: row["status"])
            o.boletoId = String(id)
            o.receivableId = String(row["receivable_id"] as Int64)
            func set(_ to: BoletoStore.Status, reasons: [String] = []) throws {
                try m.db.cachedStatement(sql: "UPDATE billing_boleto SET status = ?, rejection_reasons = ? WHERE id = ?")
                    .execute(arguments: [to.rawValue, reasons.joined(separator: ","), id])
            }
            switch occurrence.kind {
            case .registered:
                if status == .registered { o.outcome = .unchanged }
                else if status == .writeOffRequested { o.outcome = .unchanged; o.detail = "a write-off was asked of the bank; it stays so until the bank's baixa" }
                else if status == .pending || status == .sent { try set(.registered); o.outcome = .applied; r.registered += 1 }
                else { o.outcome = .notApplied; o.detail = "the boleto is \(status) here" }
            case .rejected(let reasons):
                if status == .rejected { o.outcome = .unchanged }
                else if status == .pending || status == .sent { try set(.rejected, reasons: reasons); o.outcome = .applied; r.rejected += 1 }
                else { o.outcome = .notApplied; o.detail = "the boleto is \(status) here" }
            case .cancelled:
                if status == .cancelled { o.outcome = .unchanged }
                else if status == .paid { o.outcome = .notApplied; o.detail = "the boleto is paid here" }
                else { try set(.cancelled); o.outcome = .applied; r.cancelled += 1 }
            case .paid(let payment):
                o.paidCents = payment.amountCents
                o.interestCents = payment.interestCents
                o.paidDate = (payment.paidDate ?? payment.creditDate)?.description ?? ""
                if status == .paid { o.outcome = .unchanged; break }
                var settle = Conton_Fees_V1_SettleReceivableRequest()
                settle.receivableId = o.receivableId
                settle.paymentDate = o.paidDate.isEmpty ? CivilDate(milliseconds: m.now).description : o.paidDate
                settle.amountPaidCents = payment.amountCents
                settle.interestCents = payment.interestCents
                settle.discountCents = payment.discountCents
                settle.method = .boleto
                settle.notes = "boleto nosso número \(occurrence.nossoNumero), retorno nº \(retorno.fileSequence) do banco \(retorno.bank.code)"
                do {
                    // A savepoint: a refused settlement leaves nothing behind and the file goes on.
                    var settled: LedgerSettlement?
                    let db = m.db
                    try db.inSavepoint {
                        settled = try ledger.settle(settle, in: &m)
                        return .commit
                    }
                    try set(.paid)
                    o.receiptNumber = settled?.receipt.number ?? 0
                    o.outcome = .applied
                    r.paid += 1
                    r.paidCents += payment.amountCents
                } catch let error as ServiceError {
                    o.outcome = .notApplied
                    o.detail = error.message
                } catch let error as RPCError {
                    o.outcome = .notApplied
                    o.detail = error.message
                }
            case .other(let code):
                o.outcome = .ignored
                o.detail = "movement \(code) is reported, not acted on"
            }
            if o.outcome == .notApplied || o.outcome == .ignored { r.notApplied += 1 }
            r.occurrences.append(o)
        }
        try m.db.execute(sql: "INSERT INTO billing_retorno (sha256, file_name, bank_code, file_sequence, result, imported_at_ms) VALUES (?, ?, ?, ?, ?, ?)",
                         arguments: [sha, fileName, retorno.bank.code, retorno.fileSequence, Data(), m.now])
        let retornoID = m.db.lastInsertedRowID
        r.retornoId = String(retornoID)
        try m.db.execute(sql: "UPDATE billing_retorno SET result = ? WHERE id = ?", arguments: [Data(r.serializedBytes() as [UInt8]), retornoID])
        m.audit("retorno", r.retornoId, "retorno nº \(retorno.fileSequence) of bank \(retorno.bank.code): \(r.registered) registered, " +
                "\(r.rejected) rejected, \(r.paid) paid (\(DocumentFormat.money(cents: r.paidCents))), \(r.cancelled) cancelled, \(r.notApplied) not applied")
        return r
    }
}
