import BillingPlugin
import ContonAPI
import ContonBrazil
import ContonKit
import ContonTesting
import Foundation
import GRPCCore
import Testing

/// The loop with the bank, offline: boletos → ExportRemessa → a retorno built from that remessa
/// by ContonBrazil's simulated bank (``RetornoBuilder``) → ImportRetorno → boletos registered,
/// receivables settled with receipts; the same file twice changes nothing; files of another
/// agreement or with a malformed line are refused with nothing applied.
@Suite struct BankFilesTests {
    /// The office's agreement as the simulated bank knows it.
    static let settings = BankSettings(bankCode: "001", agency: "1234", agencyDigit: BillingTest.bbDigit("1234"), account: "12345",
                                       accountDigit: BillingTest.bbDigit("00012345"), wallet: "17", walletVariation: "019",
                                       beneficiaryCode: "1234567")

    /// The remessa the bank received, for the builder: the same agreement and nosso números (the
    /// builder reports boletos by nosso número), plus `extra` ones the office never issued.
    static func bankCopy(of boletos: [Conton_Billing_V1_Boleto], settings: BankSettings = settings, extra: [String] = []) throws -> Remessa {
        let payer = Payer(name: "Pagador", taxID: try TaxID("52998224725"), address: "Rua A, 1", cep: try CEP("13010000"),
                          city: "Campinas", uf: try UF("SP"))
        let registrations = try (boletos.map(\.nossoNumero) + extra).map { nn in
            BoletoRegistration(nossoNumero: nn, documentNumber: "1", dueDate: try BankDate("2027-01-10"), amountCents: 100,
                               issueDate: try BankDate("2026-12-01"), payer: payer)
        }
        return Remessa(company: BillingCompany(taxID: try TaxID("11222333000181"), name: "Contabilidade Exemplo Ltda", settings: settings),
                       fileSequence: 1, generatedOn: try BankDate("2026-12-01"), generatedAt: try ClockTime(hour: 8, minute: 0),
                       registrations: registrations)
    }

    static func retorno(_ remessa: Remessa, sequence: Int, _ entries: [RetornoBuilder.Entry]) throws -> String {
        try RetornoBuilder(remessa: remessa, fileSequence: sequence, generatedOn: try BankDate("2026-12-03"),
                           generatedAt: try ClockTime(hour: 6, minute: 30)).text(entries)
    }

    @Test func remessaThenRetornoRegistersAndSettlesWithReceiptsAndTheSameFileChangesNothing() async throws {
        try await BillingTest.run { t in
            try await t.setOffice()
            let maria = try await t.client("Maria da Silva", n: 1), joao = try await t.client("João Pereira", n: 2)
            let receivables = [try await t.receivable(client: maria.id, amount: 150_000),
                               try await t.receivable(client: joao.id, amount: 80_000),
                               try await t.receivable(client: joao.id, amount: 5_000, description: "Serviço avulso")]
            var boletos: [Conton_Billing_V1_Boleto] = []
            for r in receivables { boletos.append(try await t.issue(r.id).boleto) }

            // The remessa: every pending boleto, once.
            let (remessa, file) = try await t.exportRemessa()
            #expect(remessa.boletos == 3 && remessa.fileSequence == 1 && remessa.totalCents == 235_000 && remessa.bankCode == "001")
            #expect(remessa.sha256 == SHA256Hex.of(file) && remessa.sizeBytes == Int64(file.count))
            #expect(remessa.fileName == "remessa-001-000001.rem")
            let lines = String(decoding: file, as: UTF8.self).components(separatedBy: "\r\n")
            #expect(lines.last == "" && lines.dropLast().allSatisfy { $0.count == 240 })
            // Header, lot header, P/Q/R per boleto, lot trailer, file trailer.
            #expect(lines.count - 1 == 2 + 3 * 3 + 2)
            for boleto in boletos { #expect(lines.contains { $0.contains(boleto.nossoNumero) }, "the remessa carries \(boleto.nossoNumero)") }
            var list = Conton_Billing_V1_ListBoletosRequest()
            list.statuses = [.sent]
            #expect(try await t.billing.listBoletos(list, metadata: t.owner).boletos.count == 3)
            let nothing = await rpcError { _ = try await t.exportRemessa() }
            #expect(nothing?.code == .failedPrecondition && nothing?.details?.reason?.reason == "NOTHING_TO_SEND")
            #expect(try await t.exportRemessa(remessa.id).1 == file)

            // Retorno 1: the bank registered the three.
            let bank = try Self.bankCopy(of: boletos, extra: ["12345670000009999"])
            let registered = try await t.importRetorno(try Self.retorno(bank, sequence: 1, boletos.map { .init(nossoNumero: $0.nossoNumero, event: .registered) }))
            #expect(registered.registered == 3 && registered.paid == 0 && !registered.alreadyImported && registered.fileSequence == 1)
            list.statuses = [.registered]
            #expect(try await t.billing.listBoletos(list, metadata: t.owner).boletos.count == 3)

            // Retorno 2: the first paid late with interest, the second paid, the third rejected
            // after registration (not applied), and a nosso número the office never issued.
            let paidOn = try BankDate(CivilDate.today(SystemClock()).description)
            let text = try Self.retorno(bank, sequence: 2, [
                .init(nossoNumero: boletos[0].nossoNumero, event: .paid(.init(amountCents: 151_500, interestCents: 1_500, feesCents: 250,
                                                                                 paidDate: paidOn, creditDate: paidOn))),
                .init(nossoNumero: boletos[1].nossoNumero, event: .paid(.init(amountCents: 80_000, paidDate: paidOn, creditDate: paidOn))),
                .init(nossoNumero: boletos[2].nossoNumero, event: .rejected(reasons: ["08"])),
                .init(nossoNumero: "12345670000009999", event: .paid(.init(amountCents: 1_000, paidDate: paidOn, creditDate: paidOn))),
            ])
            let paid = try await t.importRetorno(text)
            #expect(paid.paid == 2 && paid.paidCents == 231_500 && paid.notApplied == 2 && paid.fileSequence == 2)
            #expect(paid.occurrences.map(\.outcome) == [.applied, .applied, .notApplied, .unknownBoleto])
            #expect(paid.occurrences.map(\.line) == [3, 5, 7, 9])
            #expect(paid.occurrences[0].receiptNumber > 0 && paid.occurrences[1].receiptNumber == paid.occurrences[0].receiptNumber + 1)
            #expect(paid.occurrences[3].boletoId.isEmpty && paid.occurrences[3].detail.contains("12345670000009999"))

            var get = Conton_Fees_V1_GetReceivableRequest()
            get.receivableId = receivables[0].id
            let first = try await t.receivables.getReceivable(get, metadata: t.owner).receivable
            #expect(first.status == .paid && first.receivedCents == 151_500 && first.interestCents == 1_500 && first.balanceCents == 0)
            #expect(first.payments.count == 1 && first.payments[0].method == .boleto && first.payments[0].paymentDate == paidOn.description)
            #expect(first.payments[0].receiptNumber == paid.occurrences[0].receiptNumber)
            var receipt = Conton_Fees_V1_GetReceiptRequest()
            receipt.number = paid.occurrences[0].receiptNumber
            #expect(try await t.receivables.getReceipt(receipt, metadata: t.owner).receipt.amountCents == 151_500)
            list.statuses = [.paid]
            #expect(Set(try await t.billing.listBoletos(list, metadata: t.owner).boletos.map(\.id)) == [boletos[0].id, boletos[1].id])

            // The same file again: the first answer, nothing changed.
            let payments = try await t.count("SELECT count(*) FROM fees_payment")
            let again = try await t.importRetorno(text)
            #expect(again.alreadyImported && again.retornoId == paid.retornoId && again.occurrences == paid.occurrences)
            #expect(try await t.count("SELECT count(*) FROM fees_payment") == payments && payments == 2)
            #expect(try await t.count("SELECT count(*) FROM billing_retorno") == 2)
        }
    }

    @Test func aRetornoOfAnotherAgreementOrWithAMalformedLineIsRefusedAndNothingIsApplied() async throws {
        try await BillingTest.run { t in
            try await t.setOffice()
            let maria = try await t.client("Maria da Silva", n: 1)
            let boleto = try await t.issue(try await t.receivable(client: maria.id, amount: 10_000).id).boleto
            _ = try await t.exportRemessa()

            var otherConvenio = Self.settings
            otherConvenio.beneficiaryCode = "7654321"
            let foreign = try Self.retorno(try Self.bankCopy(of: [boleto], settings: otherConvenio), sequence: 1,
                                           [.init(nossoNumero: boleto.nossoNumero, event: .registered)])
            let refused = await rpcError { _ = try await t.importRetorno(foreign) }
            #expect(refused?.code == .invalidArgument && refused?.violations["data"]?.contains("line 1, column 33") == true)

            let good = try Self.retorno(try Self.bankCopy(of: [boleto]), sequence: 1, [.init(nossoNumero: boleto.nossoNumero, event: .registered)])
            var lines = good.components(separatedBy: "\r\n")
            lines[2] = String(lines[2].dropLast(10))    // segment T cut short
            let malformed = await rpcError { _ = try await t.importRetorno(lines.joined(separator: "\r\n")) }
            #expect(malformed?.code == .invalidArgument && malformed?.violations["data"]?.contains("line 3") == true)
            let empty = await rpcError { _ = try await t.importRetorno("") }
            #expect(empty?.code == .invalidArgument)

            #expect(try await t.count("SELECT count(*) FROM billing_retorno") == 0)
            #expect(try await t.count("SELECT count(*) FROM billing_boleto WHERE status = 2") == 1)
            // And the good file then applies.
            #expect(try await t.importRetorno(good).registered == 1)
        }
    }

    @Test func cancellingABoletoTheBankKnowsAsksForItsWriteOffInTheNextRemessaAndTheRetornoConfirmsIt() async throws {
        try await BillingTest.run { t in
            try await t.setOffice()
            let maria = try await t.client("Maria da Silva", n: 1)
            let first = try await t.issue(try await t.receivable(client: maria.id, amount: 150_000).id).boleto
            let (one, _) = try await t.exportRemessa()
            #expect(one.boletos == 1 && one.writeOffs == 0)
            let bank = try Self.bankCopy(of: [first])
            _ = try await t.importRetorno(try Self.retorno(bank, sequence: 1, [.init(nossoNumero: first.nossoNumero, event: .registered)]))

            // Cancelled here while the bank has it registered: a write-off is asked, not done.
            var cancel = Conton_Billing_V1_CancelBoletoRequest()
            cancel.boletoId = first.id
            cancel.reason = "cliente pediu novo vencimento"
            let asked = try await t.billing.cancelBoleto(cancel, metadata: t.owner).boleto
            #expect(asked.status == .writeOffRequested)
            #expect(try await t.billing.cancelBoleto(cancel, metadata: t.owner).boleto.status == .writeOffRequested)
            // It no longer blocks a new boleto for the receivable, and is no longer e-mailed.
            let second = try await t.issue(asked.receivableId, dueDate: CivilDate.today(SystemClock()).adding(days: 20).description).boleto
            var email = Conton_Billing_V1_EmailBoletoRequest()
            email.boletoId = first.id
            #expect(await code { _ = try await t.billing.emailBoleto(email, metadata: t.owner) } == .failedPrecondition)

            // The next remessa: the new boleto's entry (P, Q, R) and the old one's baixa (P only,
            // movement 02), its total the entries' only.
            let (two, file) = try await t.exportRemessa()
            #expect(two.boletos == 1 && two.writeOffs == 1 && two.totalCents == second.amountCents && two.fileSequence == 2)
            let lines = String(decoding: file, as: UTF8.self).components(separatedBy: "\r\n").dropLast()
            #expect(lines.count == 2 + 3 + 1 + 2 && lines.allSatisfy { $0.count == 240 })
            func field(_ line: String, _ from: Int, _ to: Int) -> String {
                let a = Array(line)
                return String(a[(from - 1)...(to - 1)])
            }
            let segments = lines.filter { field($0, 8, 8) == "3" }.map { (segment: field($0, 14, 14), movement: field($0, 16, 17), line: $0) }
            #expect(segments.map(\.segment) == ["P", "Q", "R", "P"])
            #expect(segments.map(\.movement) == ["01", "01", "01", "02"])
            #expect(segments[3].line.contains(first.nossoNumero) && segments[0].line.contains(second.nossoNumero))
            // The lot trailer counts its records: header, 4 segments, trailer.
            let trailer = try #require(lines.first { field($0, 8, 8) == "5" })
            #expect(Int(field(trailer, 18, 23)) == 6)
            // Asked once: the remessa after has nothing of it.
            #expect(await rpcError { _ = try await t.exportRemessa() }?.details?.reason?.reason == "NOTHING_TO_SEND")

            // The bank confirms the entry of the new one and the baixa of the old one.
            let bank2 = try Self.bankCopy(of: [first, second])
            let done = try await t.importRetorno(try Self.retorno(bank2, sequence: 2, [
                .init(nossoNumero: second.nossoNumero, event: .registered),
                .init(nossoNumero: first.nossoNumero, event: .cancelled),
            ]))
            #expect(done.registered == 1 && done.cancelled == 1 && done.notApplied == 0)
            var get = Conton_Billing_V1_GetBoletoRequest()
            get.boletoId = first.id
            #expect(try await t.billing.getBoleto(get, metadata: t.owner).boleto.status == .cancelled)
            get.boletoId = second.id
            #expect(try await t.billing.getBoleto(get, metadata: t.owner).boleto.status == .registered)
            // A paid or cancelled boleto cannot be cancelled again.
            #expect(await rpcError { _ = try await t.billing.cancelBoleto(cancel, metadata: t.owner) }?.details?.reason?.reason == "BOLETO_NOT_LIVE")
        }
    }


    @Test func aReceivablePaidByHandOrCancelledHasItsBoletoWrittenOffOrCancelled() async throws {
        try await BillingTest.run { t in
            try await t.setOffice()
            let maria = try await t.client("Maria da Silva", n: 1)
            let paidByHand = try await t.receivable(client: maria.id, amount: 150_000)
            let cancelled = try await t.receivable(client: maria.id, amount: 80_000)
            let stillPending = try await t.receivable(client: maria.id, amount: 5_000)
            let atBank = try await t.issue(paidByHand.id).boleto
            let alsoAtBank = try await t.issue(cancelled.id).boleto
            _ = try await t.exportRemessa()
            let pending = try await t.issue(stillPending.id).boleto

            func status(_ id: String) async throws -> Conton_Billing_V1_BoletoStatus {
                var get = Conton_Billing_V1_GetBoletoRequest()
                get.boletoId = id
                return try await t.billing.getBoleto(get, metadata: t.owner).boleto.status
            }
            /// Polls until the event's handler has run (it runs after the commit, on the event bus).
            func eventually(_ id: String, _ expected: Conton_Billing_V1_BoletoStatus) async throws -> Bool {
                let deadline = ContinuousClock.now + .seconds(60)
                while ContinuousClock.now < deadline {
                    if try await status(id) == expected { return true }
                    try await Task.sleep(for: .milliseconds(20))
                }
                return try await status(id) == expected
            }

            // Paid in cash at the office: the boleto the bank has must not be paid too.
            var settle = Conton_Fees_V1_SettleReceivableRequest()
            settle.receivableId = paidByHand.id
            settle.paymentDate = CivilDate.today(SystemClock()).description
            settle.amountPaidCents = 150_000
            settle.method = .cash
            _ = try await Conton_Fees_V1_Receivables.Client(wrapping: t.grpc).settleReceivable(settle, metadata: t.owner)
            #expect(try await eventually(atBank.id, .writeOffRequested))
            // Cancelled: the same; a pending boleto (never sent) is cancelled at once.
            var cancel = Conton_Fees_V1_CancelReceivableRequest()
            cancel.receivableId = cancelled.id
            cancel.reason = "serviço não prestado"
            _ = try await Conton_Fees_V1_Receivables.Client(wrapping: t.grpc).cancelReceivable(cancel, metadata: t.owner)
            #expect(try await eventually(alsoAtBank.id, .writeOffRequested))
            cancel.receivableId = stillPending.id
            _ = try await Conton_Fees_V1_Receivables.Client(wrapping: t.grpc).cancelReceivable(cancel, metadata: t.owner)
            #expect(try await eventually(pending.id, .cancelled))
            #expect(try await t.count("SELECT count(*) FROM host_audit WHERE entity_type = 'boleto' AND summary LIKE '%was paid otherwise%'") == 1)

            // The next remessa asks the bank for both write-offs.
            let (remessa, _) = try await t.exportRemessa()
            #expect(remessa.writeOffs == 2 && remessa.boletos == 0)
        }
    }
}

extension BankFilesTests {
    /// A boleto paid at the office by hand, then reported paid by the bank: the bank's payment is
    /// not applied a second time (reported with the reason), the rest of the file is.
    @Test func aPaymentTheOfficeAlreadyRecordedIsReportedNotAppliedTwice() async throws {
        try await BillingTest.run { t in
            try await t.setOffice()
            let maria = try await t.client("Maria da Silva", n: 1)
            let receivable = try await t.receivable(client: maria.id, amount: 10_000)
            let other = try await t.receivable(client: maria.id, amount: 20_000)
            let boletos = [try await t.issue(receivable.id).boleto, try await t.issue(other.id).boleto]
            _ = try await t.exportRemessa()
            var settle = Conton_Fees_V1_SettleReceivableRequest()
            settle.receivableId = receivable.id
            settle.paymentDate = CivilDate.today(SystemClock()).description
            settle.amountPaidCents = 10_000
            settle.method = .cash
            _ = try await t.receivables.settleReceivable(settle, metadata: t.owner)
            // Paid otherwise: billing asks the bank to write the boleto off (after the commit).
            let asked = ContinuousClock.now + .seconds(60)
            while try await t.count("SELECT status FROM billing_boleto WHERE id = ?", [Int64(boletos[0].id)!]) != 7 && ContinuousClock.now < asked {
                try await Task.sleep(for: .milliseconds(20))
            }
            let day = try BankDate(CivilDate.today(SystemClock()).description)
            let result = try await t.importRetorno(try Self.retorno(try Self.bankCopy(of: boletos), sequence: 1, [
                .init(nossoNumero: boletos[0].nossoNumero, event: .paid(.init(amountCents: 10_000, paidDate: day, creditDate: day))),
                .init(nossoNumero: boletos[1].nossoNumero, event: .paid(.init(amountCents: 20_000, paidDate: day, creditDate: day))),
            ]))
            #expect(result.occurrences.map(\.outcome) == [.notApplied, .applied])
            #expect(result.occurrences[0].detail.contains("already paid"))
            #expect(result.paid == 1 && result.paidCents == 20_000)
            #expect(try await t.count("SELECT count(*) FROM fees_payment") == 2)
            // Still waiting for the bank's baixa: the payment the bank took anyway is the office's to refund.
            #expect(try await t.count("SELECT status FROM billing_boleto WHERE id = ?", [Int64(boletos[0].id)!]) == 7)
        }
    }
}

/// SHA-256 as the server writes it, by the system's `sha256sum` (independent of ContonStore).
enum SHA256Hex {
    static func of(_ bytes: [UInt8]) -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("conton-sha-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        try? Data(bytes).write(to: url)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [url.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try? process.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(String(decoding: out, as: UTF8.self).prefix(64))
    }

}
