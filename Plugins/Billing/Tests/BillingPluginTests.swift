import BillingPlugin
import ContonAPI
import ContonBrazil
import ContonKit
import ContonMailQueue
import ContonTesting
import Foundation
import GRPCCore
import Testing

/// Boletos and Pix charges through the real plugins (clients, Meus Dados, documents, fees), every
/// digit recomputed by the independent functions of BillingTestSupport, the PDF read by poppler
/// and zbar.
@Suite struct BillingPluginTests {
    @Test func aBoletoCarriesItsBarcodeLineAndPixAndItsNumberIsNeverReused() async throws {
        try await BillingTest.run { t in
            try await t.setOffice()
            let client = try await t.client("Maria da Silva", n: 1)
            let first = try await t.receivable(client: client.id, amount: 150_000)
            let a = try await t.issue(first.id).boleto
            #expect(a.status == .pending && a.bankCode == "001" && a.amountCents == 150_000 && a.dueDate == first.dueDate)
            #expect(a.receivableId == first.id && a.clientId == client.id && a.clientName == "Maria da Silva")
            // Banco do Brasil, 7-digit convênio: nosso número = convênio + a 10-digit sequence.
            #expect(a.nossoNumero == "12345670000000001")

            let b = Array(a.barcode)
            #expect(b.count == 44 && a.barcode.hasPrefix("0019"))
            #expect(Int(String(b[4])) == Independent.generalDigit(a.barcode))
            // The due-date factor: days since 1997-10-07, restarting at 1000 after 9999 (2025-02-22).
            let base = DateComponents(calendar: Calendar(identifier: .gregorian), timeZone: TimeZone(identifier: "UTC"),
                                      year: 1997, month: 10, day: 7).date!
            let parts = a.dueDate.split(separator: "-").map { Int($0)! }
            let due = DateComponents(calendar: Calendar(identifier: .gregorian), timeZone: TimeZone(identifier: "UTC"),
                                     year: parts[0], month: parts[1], day: parts[2]).date!
            var factor = Int((due.timeIntervalSince(base) / 86_400).rounded())
            while factor > 9999 { factor -= 9000 }
            #expect(String(b[5..<9]) == String(factor))
            #expect(String(b[9..<19]) == "0000150000")
            #expect(String(b[19..<44]) == "000000" + a.nossoNumero + "17")

            // The line: three fields with their mod 10 digits, the general digit, factor + amount.
            let line = Array(a.digitableLine)
            #expect(line.count == 47)
            let fields = [String(b[0..<4] + b[19..<24]), String(b[24..<34]), String(b[34..<44])]
            #expect(String(line[0..<9]) == fields[0] && Int(String(line[9])) == Independent.fieldDigit(fields[0]))
            #expect(String(line[10..<20]) == fields[1] && Int(String(line[20])) == Independent.fieldDigit(fields[1]))
            #expect(String(line[21..<31]) == fields[2] && Int(String(line[31])) == Independent.fieldDigit(fields[2]))
            #expect(line[32] == b[4] && String(line[33..<47]) == String(b[5..<19]))
            #expect(a.digitableLineFormatted.filter(\.isNumber) == a.digitableLine && a.digitableLineFormatted.count == 54)

            // Pix: field by field, the CRC by an independent implementation.
            let tlv = Dictionary(Independent.tlv(a.pixPayload), uniquingKeysWith: { x, _ in x })
            #expect(tlv["00"] == "01" && tlv["52"] == "0000" && tlv["53"] == "986" && tlv["54"] == "1500.00" && tlv["58"] == "BR")
            #expect(Dictionary(Independent.tlv(tlv["26"] ?? ""), uniquingKeysWith: { x, _ in x }) == ["00": "br.gov.bcb.pix", "01": "11222333000181"])
            #expect(tlv["59"] == "CONTABILIDADE EXEMPLO LTD" && tlv["60"] == "SAO PAULO")
            let txid = "CONTON" + String(repeating: "0", count: 19 - first.id.count) + first.id
            #expect(tlv["62"] == "05\(txid.count)" + txid)
            #expect(tlv["63"] == Independent.crc16(String(a.pixPayload.dropLast(4))))
            #expect(a.pixPayload.hasSuffix("6304" + (tlv["63"] ?? "")))

            // The sequence only grows: a cancelled boleto's number stays used.
            let second = try await t.receivable(client: client.id, amount: 9_990, description: "Serviço avulso")
            let c = try await t.issue(second.id).boleto
            #expect(c.nossoNumero == "12345670000000002")
            var cancel = Conton_Billing_V1_CancelBoletoRequest()
            cancel.boletoId = c.id
            cancel.reason = "valor errado"
            #expect(try await t.billing.cancelBoleto(cancel, metadata: t.owner).boleto.status == .cancelled)
            let d = try await t.issue(second.id).boleto
            #expect(d.nossoNumero == "12345670000000003" && d.amountCents == 9_990)
            #expect(try await t.count("SELECT count(*) FROM host_audit WHERE entity_type = 'boleto'") == 4)

            // The same idempotency key answers the first boleto again; for another receivable it is refused.
            let third = try await t.receivable(client: client.id, amount: 5_000)
            let keyed = try await t.issue(third.id, key: "k-1")
            let again = try await t.issue(third.id, key: "k-1")
            #expect(!keyed.replayed && again.replayed && again.boleto == keyed.boleto)
            let misused = await rpcError { _ = try await t.issue(first.id, key: "k-1") }
            #expect(misused?.code == .invalidArgument && misused?.violations.keys.contains("idempotency_key") == true)
        }
    }

    @Test func sicoobBoletosFollowTheCooperativesRules() async throws {
        try await BillingTest.run { t in
            var s = Conton_Office_V1_BoletoSettings()
            s.bankCode = "756"
            s.agency = "3069"
            s.account = "12345"
            s.accountDigit = "6"
            s.wallet = "1"
            s.beneficiaryCode = "225"
            try await t.setOffice(boleto: s, pix: false)
            let client = try await t.client("João Pereira", n: 2)
            var boletos: [Conton_Billing_V1_Boleto] = []
            for _ in 1...3 { boletos.append(try await t.issue(try await t.receivable(client: client.id, amount: 97_50).id).boleto) }
            for (i, boleto) in boletos.enumerated() {
                #expect(boleto.bankCode == "756" && boleto.pixPayload.isEmpty)
                #expect(boleto.barcode.hasPrefix("7569") && Int(String(Array(boleto.barcode)[4])) == Independent.generalDigit(boleto.barcode))
                // Sicoob's campo livre: carteira 1, cooperativa 4, modalidade 01, cliente 7, nosso número 7 + its
                // digit (weights 3197 over cooperativa + cliente in 10 + sequence in 7), parcela 001.
                let sequence = "000000\(i + 1)"
                let digit = Independent.sicoobDigit("3069" + "0000000225" + sequence)
                #expect(String(boleto.barcode.suffix(25)) == "1" + "3069" + "01" + "0000225" + sequence + "\(digit)" + "001")
            }
            // The published example: cooperativa 3069, cliente 225, nosso número 3 → digit 5
            // (Trust-Code/python-boleto tests/test_banco_sicoob.py).
            #expect(Independent.sicoobDigit("3069" + "0000000225" + "0000003") == 5)
            #expect(String(boletos[2].barcode.suffix(11)) == "00000035" + "001" && boletos[2].barcode.suffix(25).hasPrefix("1306901"))
        }
    }

    @Test func whatABoletoCannotBeMadeFromIsRefusedAndNothingIsWritten() async throws {
        try await BillingTest.run { t in
            let client = try await t.client("Maria da Silva", n: 1)
            let receivable = try await t.receivable(client: client.id, amount: 10_000)
            // No Meus Dados at all: every missing field named at once.
            let empty = await rpcError { _ = try await t.issue(receivable.id) }
            #expect(empty?.code == .failedPrecondition && empty?.details?.reason?.reason == "BOLETO_SETTINGS_INCOMPLETE")
            for field in ["registration.legal_name", "registration.cnpj", "boleto.bank_code"] {
                #expect(empty?.message.contains(field) == true, "names \(field)")
            }
            // A BB convênio that is not 7 digits.
            var short = BillingTest.bancoDoBrasil()
            short.beneficiaryCode = "12345"
            try await t.setOffice(boleto: short)
            let convenio = await rpcError { _ = try await t.issue(receivable.id) }
            #expect(convenio?.code == .failedPrecondition && convenio?.message.contains("boleto.beneficiary_code") == true)
            // A Pix key that is not valid for its type is refused by Meus Dados itself.
            var update = Conton_Office_V1_UpdateProfileRequest()
            update.profile.pix.type = .cnpj
            update.profile.pix.value = "11222333000100"
            update.updateMask = ["pix"]
            let pix = await rpcError { _ = try await t.office.updateProfile(update, metadata: t.owner) }
            #expect(pix?.code == .invalidArgument && pix?.violations.keys.contains("profile.pix.value") == true)

            try await t.setOffice()
            // A payer without an address.
            let homeless = try await t.client("Sem Endereço", n: 2, address: false)
            let r2 = try await t.receivable(client: homeless.id, amount: 10_000)
            let noAddress = await rpcError { _ = try await t.issue(r2.id) }
            #expect(noAddress?.code == .failedPrecondition && noAddress?.details?.reason?.reason == "PAYER_ADDRESS_MISSING")
            // An overdue receivable needs a new due date, today or later.
            let late = try await t.receivable(client: client.id, amount: 10_000, dueInDays: -3)
            let overdue = await rpcError { _ = try await t.issue(late.id) }
            #expect(overdue?.code == .failedPrecondition && overdue?.details?.reason?.reason == "RECEIVABLE_OVERDUE")
            let past = await rpcError { _ = try await t.issue(late.id, dueDate: CivilDate.today(SystemClock()).adding(days: -1).description) }
            #expect(past?.code == .invalidArgument && past?.violations.keys.contains("due_date") == true)
            let renewed = try await t.issue(late.id, dueDate: CivilDate.today(SystemClock()).adding(days: 5).description).boleto
            #expect(renewed.dueDate == CivilDate.today(SystemClock()).adding(days: 5).description)
            // One live boleto per receivable.
            let twice = await rpcError { _ = try await t.issue(late.id) }
            #expect(twice?.code == .alreadyExists && twice?.details?.reason?.reason == "BOLETO_EXISTS")
            // Paid and cancelled receivables.
            var settle = Conton_Fees_V1_SettleReceivableRequest()
            settle.receivableId = receivable.id
            settle.paymentDate = CivilDate.today(SystemClock()).description
            settle.amountPaidCents = 10_000
            settle.method = .cash
            _ = try await t.receivables.settleReceivable(settle, metadata: t.owner)
            let paid = await rpcError { _ = try await t.issue(receivable.id) }
            #expect(paid?.code == .failedPrecondition && paid?.details?.reason?.reason == "RECEIVABLE_PAID")
            var cancel = Conton_Fees_V1_CancelReceivableRequest()
            cancel.receivableId = r2.id
            cancel.reason = "duplicado"
            _ = try await t.receivables.cancelReceivable(cancel, metadata: t.owner)
            let cancelled = await rpcError { _ = try await t.issue(r2.id) }
            #expect(cancelled?.code == .failedPrecondition && cancelled?.details?.reason?.reason == "RECEIVABLE_CANCELLED")
            // Only the one boleto was written, and its sequence was the only one used.
            #expect(try await t.count("SELECT count(*) FROM billing_boleto") == 1)
            #expect(try await t.count("SELECT last_value FROM billing_sequence") == 1)
        }
    }

    @Test func theBoletoPDFReadsBackToItsBarcodeAndPixPayload() async throws {
        try await BillingTest.run { t in
            try await t.setOffice()
            let client = try await t.client("Maria da Silva", n: 1)
            let receivable = try await t.receivable(client: client.id, amount: 123_456)
            let boleto = try await t.issue(receivable.id).boleto
            let (header, pdf) = try await t.print(boleto.id)
            try PopplerTools.keep(pdf, as: "boleto.pdf")
            #expect(header.contentType == "application/pdf" && header.fileName == "boleto-\(boleto.id).pdf")
            #expect(try await PopplerTools.info(pdf)["Pages"] == "1")
            let symbols = try await PopplerTools.symbols(pdf)
            #expect(symbols.contains("I2/5:" + boleto.barcode), "the bar code decodes to the 44 digits: \(symbols)")
            #expect(symbols.contains("QR-Code:" + boleto.pixPayload), "the Pix QR code decodes to the payload")
            // pdftotext's words, every run of white space (layout columns, wrapped lines) as one space.
            let words = try await PopplerTools.text(pdf).joined(separator: " ").split(whereSeparator: \.isWhitespace).joined(separator: " ")
            for text in ["Recibo do Pagador", "Ficha de Compensação", "001-9", boleto.digitableLineFormatted, "1.234,56", "Maria da Silva",
                         "Contabilidade Exemplo Ltda", "multa de 2,00 %", "juros de mora de 1,00 % ao mês"] {
                #expect(words.contains(text), "the PDF shows \(text)")
            }
        }
    }

    @Test func aClientReachesOnlyItsOwnBoletosAndCharges() async throws {
        try await BillingTest.run { t in
            try await t.setOffice()
            let mine = try await t.client("Maria da Silva", n: 1), other = try await t.client("Oficina Ltda", n: 2)
            let myReceivable = try await t.receivable(client: mine.id, amount: 10_000)
            let otherReceivable = try await t.receivable(client: other.id, amount: 20_000)
            let myBoleto = try await t.issue(myReceivable.id).boleto
            let otherBoleto = try await t.issue(otherReceivable.id).boleto
            let me = InProcessTestServer.as(.client(mine.id))

            var get = Conton_Billing_V1_GetBoletoRequest()
            get.boletoId = myBoleto.id
            #expect(try await t.billing.getBoleto(get, metadata: me).boleto == myBoleto)
            get.boletoId = otherBoleto.id
            #expect(await code { _ = try await t.billing.getBoleto(get, metadata: me) } == .notFound)

            var list = Conton_Billing_V1_ListBoletosRequest()
            list.clientId = other.id    // ignored for a client: always its own
            #expect(try await t.billing.listBoletos(list, metadata: me).boletos.map(\.id) == [myBoleto.id])
            #expect(try await t.billing.listBoletos(Conton_Billing_V1_ListBoletosRequest(), metadata: t.owner).boletos.map(\.id)
                    == [otherBoleto.id, myBoleto.id])

            #expect(try await t.print(myBoleto.id, as: me).1.count > 1000)
            #expect(await code { _ = try await t.print(otherBoleto.id, as: me) } == .notFound)

            var pix = Conton_Billing_V1_GetPixChargeRequest()
            pix.receivableId = myReceivable.id
            let charge = try await t.billing.getPixCharge(pix, metadata: me).charge
            #expect(charge.amountCents == 10_000 && charge.payload == myBoleto.pixPayload)
            // Its QR code, a PNG, read back by a real reader.
            #expect(Array(charge.qrPng.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            #expect(try await PopplerTools.pngSymbols(charge.qrPng) == [charge.payload])
            pix.receivableId = otherReceivable.id
            #expect(await code { _ = try await t.billing.getPixCharge(pix, metadata: me) } == .notFound)

            // What only the office does.
            #expect(await code { _ = try await t.issue(myReceivable.id, as: me) } == .permissionDenied)
            var cancel = Conton_Billing_V1_CancelBoletoRequest()
            cancel.boletoId = myBoleto.id
            cancel.reason = "não quero"
            #expect(await code { _ = try await t.billing.cancelBoleto(cancel, metadata: me) } == .permissionDenied)
            var email = Conton_Billing_V1_EmailBoletoRequest()
            email.boletoId = myBoleto.id
            #expect(await code { _ = try await t.billing.emailBoleto(email, metadata: me) } == .permissionDenied)
        }
    }

    @Test func anEmailedBoletoGoesThroughTheOutboxWithItsAuditRow() async throws {
        try await BillingTest.run { t in
            try await t.setOffice()
            let client = try await t.client("Maria da Silva", n: 1)
            let boleto = try await t.issue(try await t.receivable(client: client.id, amount: 10_000).id).boleto
            var email = Conton_Billing_V1_EmailBoletoRequest()
            email.boletoId = boleto.id
            #expect(try await t.billing.emailBoleto(email, metadata: t.owner).to == "cliente1@example.com")
            #expect(try await t.count("SELECT count(*) FROM mail_outbox WHERE recipients LIKE '%cliente1@example.com%' AND subject LIKE 'Boleto:%'") == 1)
            #expect(try await t.count("SELECT count(*) FROM host_audit WHERE entity_type = 'boleto' AND summary LIKE 'e-mailed%'") == 1)
            // The boleto's PDF goes attached: one page, its linha digitável, the verification code
            // the text names, recorded by the documents layer like a print.
            let payload = try await t.host.database.pool.read { db in try String.fetchOne(db, sql: "SELECT payload FROM mail_outbox ORDER BY id DESC LIMIT 1") }
            let message = try JSONDecoder().decode(MailMessage.self, from: Data(try #require(payload).utf8))
            let attachment = try #require(message.attachments?.first)
            #expect(attachment.contentType == "application/pdf" && attachment.fileName.hasSuffix(".pdf"))
            #expect(try await PopplerTools.info([UInt8](attachment.data))["Pages"] == "1")
            let text = try await PopplerTools.text([UInt8](attachment.data)).joined()
            #expect(text.contains(boleto.digitableLineFormatted))
            let verification = try #require(message.textBody.firstMatch(of: /verificação ([A-Z0-9-]+)\)/)?.1)
            #expect(text.contains(String(verification)))
            #expect(try await t.count("SELECT count(*) FROM documents_issued WHERE entity_type = 'boleto' AND entity_id = ?", [boleto.id]) == 1)
            email.to = "não é e-mail"
            #expect(await code { _ = try await t.billing.emailBoleto(email, metadata: t.owner) } == .invalidArgument)
        }
    }
}
