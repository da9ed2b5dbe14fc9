import ClientsCapability
import ContonAPI
import ContonBrazil
import ContonDocuments
import ContonKit
import ContonMailQueue
import DocumentsCapability
import FeesCapability
import Foundation
import GRDB
import GRPCCore
import OfficeCapability

/// `conton.billing.v1.Billing`: who may call each method is in the proto; a client principal
/// reaches only its own boletos and receivables (the same NOT_FOUND as for one that does not exist).
struct BillingService: Conton_Billing_V1_Billing.SimpleServiceProtocol {
    let context: PluginContext

    private var today: CivilDate { CivilDate.today(context.clock) }

    // MARK: Boletos

    func issueBoleto(request: Conton_Billing_V1_IssueBoletoRequest, context: ServerContext) async throws -> Conton_Billing_V1_IssueBoletoResponse {
        var errors = FieldErrors()
        if request.receivableId.isEmpty { errors.add("receivable_id", "is required") }
        if request.idempotencyKey.count > 200 { errors.add("idempotency_key", "must be at most 200 characters") }
        let today = self.today
        var dueDate: CivilDate?
        if !request.dueDate.isEmpty {
            dueDate = CivilDate(request.dueDate)
            if dueDate == nil { errors.add("due_date", "must be a date YYYY-MM-DD") }
            else if dueDate! < today { errors.add("due_date", "must be today (\(today)) or later") }
        }
        try errors.check()
        let requestedDue = dueDate
        let capabilities = self.context.capabilities
        let ledger = try capabilities.receivableLedger, office = try capabilities.office, clients = try capabilities.clients
        let key = request.idempotencyKey
        return try await self.context.write { m in
            if !key.isEmpty, let row = try Row.fetchOne(m.db, sql: "SELECT \(BoletoStore.columns) FROM billing_boleto WHERE idempotency_key = ?",
                                                        arguments: [key]) {
                guard String(row["receivable_id"] as Int64) == request.receivableId else {
                    throw FieldErrors.single("idempotency_key", "was already used to issue a boleto for another receivable")
                }
                var r = Conton_Billing_V1_IssueBoletoResponse()
                r.boleto = BoletoStore.message(row, clientName: try clients.client(id: row["client_id"], in: m.db)?.name ?? "")
                r.replayed = true
                return r
            }
            guard let receivable = try ledger.receivable(id: request.receivableId, in: m.db) else {
                throw ServiceError.notFound("receivable", request.receivableId, type: "conton.fees.v1.Receivable")
            }
            switch receivable.status {
            case .paid:
                throw ServiceError(.failedPrecondition, "receivable \(receivable.id) is already paid", reason: "RECEIVABLE_PAID",
                                   resource: ErrorDetails.Resource(type: "conton.fees.v1.Receivable", name: receivable.id))
            case .cancelled:
                throw ServiceError(.failedPrecondition, "receivable \(receivable.id) is cancelled", reason: "RECEIVABLE_CANCELLED",
                                   resource: ErrorDetails.Resource(type: "conton.fees.v1.Receivable", name: receivable.id))
            default: break
            }
            let receivableKey = Int64(receivable.id)!
            if let live = try Int64.fetchOne(m.db, sql: "SELECT id FROM billing_boleto WHERE receivable_id = ? AND status IN (1, 2, 3)",
                                             arguments: [receivableKey]) {
                throw ServiceError.alreadyExists("receivable \(receivable.id) already has boleto \(live); cancel it first",
                                                 reason: "BOLETO_EXISTS", existing: ErrorDetails.Resource(type: BoletoStore.resourceType, name: String(live)))
            }
            let due = requestedDue ?? CivilDate(receivable.dueDate)!
            if due < today {
                throw ServiceError(.failedPrecondition, "receivable \(receivable.id) fell due on \(receivable.dueDate); give the boleto a due_date " +
                                   "of today or later (banks refuse a boleto already due)", reason: "RECEIVABLE_OVERDUE",
                                   resource: ErrorDetails.Resource(type: "conton.fees.v1.Receivable", name: receivable.id))
            }
            let beneficiary = try BoletoIssue.beneficiary(try office.profile(in: m.db))
            let payer = try BoletoIssue.payer(receivable.clientId, clients: clients, in: m.db)
            let amount = receivable.balanceCents
            let sequence = try BoletoIssue.nextSequence(beneficiary.agreement, in: m.db)
            let boleto: Boleto
            do {
                boleto = try Boleto(settings: beneficiary.raw, sequence: sequence, dueDate: try BankDate(due.description), amountCents: amount)
            } catch {
                throw ServiceError(.failedPrecondition, "a boleto cannot be made: \(error)", reason: "BOLETO_INVALID")
            }
            let pix = try BoletoIssue.pix(beneficiary, receivableID: receivableKey, amountCents: amount)
            let slip = BoletoStore.Slip(beneficiaryName: beneficiary.name, beneficiaryDocument: beneficiary.document,
                                        beneficiaryAddress: beneficiary.address, agencyAndCode: beneficiary.agencyAndCode,
                                        wallet: beneficiary.settings.wallet, instructions: beneficiary.instructions,
                                        payerName: payer.summary.name, payerDocument: TaxID.formatted(payer.summary.document),
                                        payerAddress: payer.lines, payerEmail: payer.summary.email, payerTaxID: payer.summary.document,
                                        payerStreet: [payer.address.street, payer.address.number, payer.address.complement]
                                            .filter { !$0.isEmpty }.joined(separator: ", "),
                                        payerDistrict: payer.address.district, payerCEP: payer.address.cep,
                                        payerCity: payer.address.city, payerUF: payer.address.uf,
                                        documentDate: DocumentFormat.date(iso: today.description))
            try m.db.execute(sql: """
                INSERT INTO billing_boleto (receivable_id, client_id, agreement, bank_code, sequence, nosso_numero, nosso_numero_digits,
                  barcode, digitable_line, due_date, amount_cents, description, status, pix_payload, fine_basis_points,
                  monthly_interest_basis_points, slip, issued_at_ms, idempotency_key)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)
                """, arguments: [receivableKey, receivable.clientId, beneficiary.agreement, boleto.bank.code, sequence,
                                 boleto.nossoNumero?.formatted ?? "", boleto.nossoNumero?.digits ?? "", boleto.barcode, boleto.digitableLine, due.description, amount,
                                 receivable.description, pix?.text ?? "", beneficiary.fineBasisPoints, beneficiary.monthlyInterestBasisPoints,
                                 String(decoding: try JSONEncoder().encode(slip), as: UTF8.self), m.now, key.isEmpty ? nil : key])
            let id = m.db.lastInsertedRowID
            m.audit("boleto", String(id), "issued boleto nosso número \(boleto.nossoNumero?.formatted ?? "") for receivable \(receivable.id): " +
                    "\(DocumentFormat.money(cents: amount)) due \(due)")
            var r = Conton_Billing_V1_IssueBoletoResponse()
            r.boleto = BoletoStore.message(try BoletoStore.require(String(id), scope: .all, in: m.db), clientName: payer.summary.name)
            return r
        }
    }

    func getBoleto(request: Conton_Billing_V1_GetBoletoRequest, context: ServerContext) async throws -> Conton_Billing_V1_GetBoletoResponse {
        let scope = try ClientScope.current(), clients = try self.context.capabilities.clients
        return try await self.context.read { db in
            let row = try BoletoStore.require(request.boletoId, scope: scope, in: db)
            var r = Conton_Billing_V1_GetBoletoResponse()
            r.boleto = BoletoStore.message(row, clientName: try clients.client(id: row["client_id"], in: db)?.name ?? "")
            return r
        }
    }

    func listBoletos(request: Conton_Billing_V1_ListBoletosRequest, context: ServerContext) async throws -> Conton_Billing_V1_ListBoletosResponse {
        let scope = try ClientScope.current(), clients = try self.context.capabilities.clients
        let page = try Pagination(size: request.pageSize, token: request.pageToken)
        var errors = FieldErrors()
        var conditions: [String] = [], args: [(any DatabaseValueConvertible)?] = []
        switch scope {
        case .all: if !request.clientId.isEmpty { conditions.append("client_id = ?"); args.append(request.clientId) }
        case .only(let clientID): conditions.append("client_id = ?"); args.append(clientID)
        }
        if !request.receivableId.isEmpty {
            if let key = Int64(request.receivableId) { conditions.append("receivable_id = ?"); args.append(key) }
            else { errors.add("receivable_id", "must be a receivable id") }
        }
        var statuses: [Int32] = []
        for (i, s) in request.statuses.enumerated() {
            switch s {
            case .unspecified, .unrecognized: errors.add("statuses[\(i)]", "must be a boleto status")
            default: statuses.append(s.rawValue)
            }
        }
        if !statuses.isEmpty { conditions.append("status IN (\(statuses.map(String.init).joined(separator: ",")))") }
        if let after = page.after {
            if let id = Int64(after) { conditions.append("id < ?"); args.append(id) }
            else { errors.add("page_token", "is not a token from a previous page") }
        }
        try errors.check()
        let arguments = StatementArguments(args)
        let sql = "SELECT \(BoletoStore.columns) FROM billing_boleto WHERE \(conditions.isEmpty ? "1" : conditions.joined(separator: " AND ")) ORDER BY id DESC LIMIT \(page.size)"
        return try await self.context.read { db in
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
            let names = try clients.clients(ids: Array(Set(rows.map { $0["client_id"] as String })), in: db)
            var r = Conton_Billing_V1_ListBoletosResponse()
            r.boletos = rows.map { BoletoStore.message($0, clientName: names[$0["client_id"] as String]?.name ?? "") }
            r.nextPageToken = page.nextToken(lastKey: rows.last.map { String($0["id"] as Int64) }, returned: rows.count)
            return r
        }
    }

    func cancelBoleto(request: Conton_Billing_V1_CancelBoletoRequest, context: ServerContext) async throws -> Conton_Billing_V1_CancelBoletoResponse {
        let reason = request.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        var errors = FieldErrors()
        if request.boletoId.isEmpty { errors.add("boleto_id", "is required") }
        if reason.isEmpty { errors.add("reason", "is required: say why the boleto is cancelled") }
        if reason.count > 500 { errors.add("reason", "must be at most 500 characters") }
        try errors.check()
        let clients = try self.context.capabilities.clients
        return try await self.context.write { m in
            let row = try BoletoStore.require(request.boletoId, scope: .all, in: m.db)
            let status = BoletoStore.Status(rawValue: row["status"])
            switch status {
            case .pending:
                try BoletoStore.close(row["id"], pending: true, why: reason, now: m.now, in: m.db)
                m.audit("boleto", request.boletoId, "cancelled boleto \(row["nosso_numero"] as String) before it reached the bank: \(reason)")
            case .sent, .registered:
                // The bank knows it: only the bank can write it off. The next remessa asks.
                try BoletoStore.close(row["id"], pending: false, why: reason, now: m.now, in: m.db)
                m.audit("boleto", request.boletoId, "asked the bank to write off boleto \(row["nosso_numero"] as String) (next remessa): \(reason)")
            case .writeOffRequested:
                break   // asked already: the same answer again
            default:
                throw BoletoStore.failedPrecondition(request.boletoId, "boleto \(request.boletoId) is no longer live (\(status))",
                                                     reason: "BOLETO_NOT_LIVE")
            }
            var r = Conton_Billing_V1_CancelBoletoResponse()
            r.boleto = BoletoStore.message(try BoletoStore.require(request.boletoId, scope: .all, in: m.db),
                                           clientName: try clients.client(id: row["client_id"], in: m.db)?.name ?? "")
            return r
        }
    }

    func printBoleto(request: Conton_Billing_V1_PrintBoletoRequest, response: RPCWriter<Conton_Documents_V1_DocumentChunk>,
                     context: ServerContext) async throws {
        let scope = try ClientScope.current()
        let (row, slip) = try await self.context.read { db in
            let row = try BoletoStore.require(request.boletoId, scope: scope, in: db)
            return (BoletoStore.message(row, clientName: ""), try BoletoStore.slip(row))
        }
        let document = BoletoDocument.document(row, slip: slip)
        let file = try await self.context.capabilities.documents.issuePDF(
            document, about: DocumentSubject("boleto", row.id, clientID: row.clientId), for: context.principal)
        try await file.write(to: response)
    }

    func emailBoleto(request: Conton_Billing_V1_EmailBoletoRequest, context: ServerContext) async throws -> Conton_Billing_V1_EmailBoletoResponse {
        let to = request.to.trimmingCharacters(in: .whitespacesAndNewlines)
        if !to.isEmpty, (try? MailAddress(to)) == nil { throw FieldErrors.single("to", "is not an e-mail address") }
        let office = try self.context.capabilities.office
        /// What may be e-mailed: a live boleto, to an address.
        @Sendable func check(_ row: Row, in db: Database) throws -> (Conton_Billing_V1_Boleto, BoletoStore.Slip, String) {
            let boleto = BoletoStore.message(row, clientName: ""), slip = try BoletoStore.slip(row)
            guard BoletoStore.live.contains(boleto.status) else {
                throw BoletoStore.failedPrecondition(boleto.id, "boleto \(boleto.id) is \(boleto.status == .paid ? "paid" : "no longer live")",
                                                     reason: "BOLETO_NOT_LIVE")
            }
            let address = to.isEmpty ? slip.payerEmail : to
            guard !address.isEmpty else {
                throw BoletoStore.failedPrecondition(boleto.id, "client \(boleto.clientId) has no e-mail; give `to`", reason: "NO_EMAIL")
            }
            return (boleto, slip, address)
        }
        // The PDF is issued first (the documents layer records it, with its verification code,
        // in its own transaction, as a print would); the e-mail with it attached, its audit row
        // and the check that the boleto is still live commit together.
        let (boleto, slip, _) = try await self.context.read { db in try check(try BoletoStore.require(request.boletoId, scope: .all, in: db), in: db) }
        let pdf = try await self.context.capabilities.documents.issuePDF(
            BoletoDocument.document(boleto, slip: slip), about: DocumentSubject("boleto", boleto.id, clientID: boleto.clientId),
            for: context.principal)
        return try await self.context.write { m in
            let (boleto, slip, address) = try check(try BoletoStore.require(request.boletoId, scope: .all, in: m.db), in: m.db)
            try m.mail(try BoletoDocument.mail(boleto, slip: slip, to: address, office: try office.officeName(in: m.db) ?? slip.beneficiaryName,
                                               pdf: pdf))
            m.audit("boleto", boleto.id, "e-mailed boleto \(boleto.nossoNumero) to \(address) with its PDF (\(pdf.verificationCode))")
            var r = Conton_Billing_V1_EmailBoletoResponse()
            r.to = address
            return r
        }
    }

    // MARK: Bank files

    func exportRemessa(request: Conton_Billing_V1_ExportRemessaRequest, response: RPCWriter<Conton_Billing_V1_RemessaChunk>,
                       context: ServerContext) async throws {
        let office = try self.context.capabilities.office
        let stored: BankFiles.StoredRemessa
        if request.remessaId.isEmpty {
            stored = try await self.context.write { m in try BankFiles.export(office: office, now: m.now, in: &m) }
        } else {
            stored = try await self.context.read { db in
                guard let key = Int64(request.remessaId),
                      let row = try Row.fetchOne(db, sql: "SELECT * FROM billing_remessa WHERE id = ?", arguments: [key]) else {
                    throw ServiceError.notFound("remessa", request.remessaId, type: "conton.billing.v1.Remessa")
                }
                return BankFiles.remessa(row)
            }
        }
        var header = Conton_Billing_V1_RemessaChunk()
        header.remessa = stored.message
        try await response.write(header)
        var offset = 0
        while offset < stored.content.count {
            var chunk = Conton_Billing_V1_RemessaChunk()
            chunk.data = Array(stored.content[offset..<min(offset + BankFiles.chunkSize, stored.content.count)])
            try await response.write(chunk)
            offset += BankFiles.chunkSize
        }
    }

    func importRetorno(request: RPCAsyncSequence<Conton_Billing_V1_RetornoChunk, any Error>, context: ServerContext) async throws
        -> Conton_Billing_V1_ImportRetornoResponse {
        var fileName = "", bytes: [UInt8] = [], first = true
        for try await chunk in request {
            switch chunk.part {
            case .fileName(let name):
                guard first else { throw FieldErrors.single("file_name", "must come first, once") }
                fileName = String(name.prefix(200))
            case .data(let data):
                bytes += data
                if bytes.count > BankFiles.maxRetornoBytes {
                    throw FieldErrors.single("data", "must be at most \(BankFiles.maxRetornoBytes / 1024 / 1024) MiB")
                }
            case nil: throw FieldErrors.single("part", "is empty: send file_name or data")
            }
            first = false
        }
        guard !bytes.isEmpty else { throw FieldErrors.single("data", "is empty: send the retorno file") }
        let office = try self.context.capabilities.office, ledger = try self.context.capabilities.receivableLedger
        let file = bytes, name = fileName
        return try await self.context.write { m in
            try BankFiles.importRetorno(file, fileName: name, office: office, ledger: ledger, in: &m)
        }
    }

    // MARK: Pix

    func getPixCharge(request: Conton_Billing_V1_GetPixChargeRequest, context: ServerContext) async throws -> Conton_Billing_V1_GetPixChargeResponse {
        guard !request.receivableId.isEmpty else { throw FieldErrors.single("receivable_id", "is required") }
        let scope = try ClientScope.current()
        let ledger = try self.context.capabilities.receivableLedger, office = try self.context.capabilities.office
        var response = try await self.context.read { db in
            guard let receivable = try ledger.receivable(id: request.receivableId, in: db), scope.contains(receivable.clientId) else {
                throw ServiceError.notFound("receivable", request.receivableId, type: "conton.fees.v1.Receivable")
            }
            guard receivable.status == .open || receivable.status == .overdue else {
                throw ServiceError(.failedPrecondition, "receivable \(receivable.id) is \(receivable.status == .paid ? "paid" : "cancelled")",
                                   reason: receivable.status == .paid ? "RECEIVABLE_PAID" : "RECEIVABLE_CANCELLED",
                                   resource: ErrorDetails.Resource(type: "conton.fees.v1.Receivable", name: receivable.id))
            }
            let profile = try office.profile(in: db)
            guard let profile, profile.pix.type != .unspecified else {
                throw ServiceError(.failedPrecondition, "Meus Dados has no Pix key (pix.type, pix.value)", reason: "PIX_KEY_MISSING")
            }
            let beneficiary = try BoletoIssue.beneficiary(profile)
            guard let payload = try BoletoIssue.pix(beneficiary, receivableID: Int64(receivable.id)!, amountCents: receivable.balanceCents) else {
                throw ServiceError(.failedPrecondition, "Meus Dados has no Pix key (pix.type, pix.value)", reason: "PIX_KEY_MISSING")
            }
            var r = Conton_Billing_V1_GetPixChargeResponse()
            r.charge.receivableId = receivable.id
            r.charge.payload = payload.text
            r.charge.txid = payload.txid
            r.charge.amountCents = payload.amountCents
            r.charge.dueDate = receivable.dueDate
            return r
        }
        // Drawn outside the read: the picture needs no database.
        response.charge.qrPng = try QRCodeImage.png(response.charge.payload)
        return response
    }
}
