import Testing
@testable import ContonBrazil

/// CNAB 240 remessas. Positions are FEBRABAN's layout v10 as Banco do Brasil's and Sicoob's
/// files are written by eduardokum/laravel-boleto (src/Cnab/Remessa/Cnab240/Banco/Bb.php and
/// Bancoob.php) and kivanio/brcobranca (lib/brcobranca/remessa/cnab240/base.rb, banco_brasil.rb).
@Suite struct RemessaTests {
    static func remessa(_ settings: BankSettings, sequences: [Int64]) throws -> Remessa {
        let payer = try Fixture.payer()
        let regs = try sequences.map { seq in
            BoletoRegistration(nossoNumero: try NossoNumero(settings: settings, sequence: seq).digits,
                               documentNumber: "NF-\(seq)", dueDate: Fixture.date("2025-07-10"), amountCents: 150_000 + seq,
                               issueDate: Fixture.date("2025-06-30"), payer: payer, fineBasisPoints: 200,
                               monthlyInterestBasisPoints: 100)
        }
        return Remessa(company: try Fixture.company(settings), fileSequence: 37, generatedOn: Fixture.date("2025-06-30"),
                       generatedAt: try ClockTime(hour: 14, minute: 5, second: 9), registrations: regs)
    }

    @Test(arguments: [Fixture.bb, Fixture.sicoob])
    func everyLineIs240AndCRLF(_ settings: BankSettings) throws {
        let text = try Self.remessa(settings, sequences: [1, 2, 3]).text()
        #expect(text.hasSuffix("\r\n"))
        let lines = text.components(separatedBy: "\r\n").dropLast()
        #expect(lines.count == 2 + 3 * 3 + 2)
        for line in lines {
            #expect(line.count == 240)
            #expect(line.unicodeScalars.allSatisfy { (0x20...0x7E).contains($0.value) })
            #expect(Independent.field(line, 1, 3) == settings.bankCode)
        }
        #expect(lines.map { Independent.field($0, 8, 8) }.joined() == "01333333333" + "59")
        // Record sequence in the lot: 1…9 over P, Q, R.
        let details = lines.filter { Independent.field($0, 8, 8) == "3" }
        #expect(details.map { Independent.field($0, 9, 13) } == (1...9).map { String(format: "%05d", $0) })
        #expect(details.map { Independent.field($0, 14, 14) }.joined() == "PQRPQRPQR")
        // Trailers: 11 records in the lot (header + 9 + trailer), 13 in the file.
        #expect(Independent.field(lines[11], 18, 23) == "000011")
        #expect(Independent.field(lines[12], 4, 8) == "99999")
        #expect(Independent.field(lines[12], 18, 29) == "000001000013")
    }

    @Test func bancoDoBrasilPositions() throws {
        let lines = try Self.remessa(Fixture.bb, sequences: [5]).lines()
        let header = lines[0], lot = lines[1], p = lines[2], q = lines[3], r = lines[4]
        #expect(Independent.field(header, 4, 8) == "00000")
        #expect(Independent.field(header, 18, 32) == "211222333000181")
        #expect(Independent.field(header, 33, 52) == "001238798001418019  ")   // convênio 9 + 0014 + carteira + variação
        #expect(Independent.field(header, 53, 58) == "040428")
        #expect(Independent.field(header, 59, 71) == "0000000619000")
        #expect(Independent.field(header, 73, 102) == "CONTABIL SAO JOAO LTDA        ")
        #expect(Independent.field(header, 103, 132).hasPrefix("BANCO DO BRASIL S.A."))
        #expect(Independent.field(header, 143, 157) == "130062025140509")
        #expect(Independent.field(header, 158, 166) == "000037083")
        #expect(Independent.field(lot, 9, 17) == "R01  042 ")
        #expect(Independent.field(lot, 34, 53) == "001238798001418019  ")
        #expect(Independent.field(lot, 184, 199) == "0000003730062025")
        #expect(Independent.field(p, 16, 17) == "01")
        #expect(Independent.field(p, 38, 57) == "12387980000000005   ")
        #expect(Independent.field(p, 58, 58) == "1")
        #expect(Independent.field(p, 63, 77) == "NF-5           ")
        #expect(Independent.field(p, 78, 100) == "10072025" + "000000000150005")
        #expect(Independent.field(p, 118, 141) == "2" + "11072025" + "000000000000100")   // 1 % a.m. from the day after
        #expect(Independent.field(p, 196, 220) == "12387980000000005        ")
        #expect(Independent.field(p, 228, 229) == "09")
        #expect(Independent.field(q, 18, 33) == "1000052998224725")
        #expect(Independent.field(q, 34, 73) == "JOSE DA CONCEICAO ARAUJO                ")
        #expect(Independent.field(q, 74, 113) == "RUA DAS FLORES, 123 - APTO 4            ")
        #expect(Independent.field(q, 114, 128) == "JARDIM PAULISTA")
        #expect(Independent.field(q, 129, 136) == "01310100")
        #expect(Independent.field(q, 137, 153) == "SAO PAULO      SP")
        #expect(Independent.field(r, 66, 89) == "2" + "11072025" + "000000000000200")    // 2 % fine
        // BB lot trailer: count only.
        #expect(Independent.field(lines[5], 18, 23) == "000005")
        #expect(Independent.field(lines[5], 24, 240).allSatisfy { $0 == " " })
    }

    @Test func sicoobPositions() throws {
        let lines = try Self.remessa(Fixture.sicoob, sequences: [240]).lines()
        let header = lines[0], lot = lines[1], p = lines[2]
        let nn = try NossoNumero(settings: Fixture.sicoob, sequence: 240).digits
        #expect(Independent.field(header, 33, 52) == String(repeating: " ", count: 20))
        #expect(Independent.field(header, 53, 72) == "03069" + "0" + "000000084725" + "1" + "0")
        #expect(Independent.field(header, 103, 108) == "SICOOB")
        #expect(Independent.field(header, 164, 171) == "08100000")
        #expect(Independent.field(lot, 14, 16) == "040")
        #expect(Independent.field(p, 18, 36) == "0306900000000847251")
        #expect(Independent.field(p, 38, 57) == "00" + nn + "01" + "01" + "4" + "     ")
        #expect(Independent.field(p, 58, 62) == "10 22")
        #expect(Independent.field(p, 118, 118) == "2")
        // Sicoob lot trailer carries the count and total of cobrança simples.
        #expect(Independent.field(lines[5], 24, 46) == "000001" + "00000000000150240")
    }

    @Test func foldingAndTruncation() throws {
        var remessa = try Self.remessa(Fixture.bb, sequences: [1])
        remessa.registrations[0].payer.name = "Ñoño Çağrı Straße da Silva Pereira dos Santos Júnior"
        let q = try remessa.lines()[3]
        #expect(Independent.field(q, 34, 73) == "NONO CAGRI STRASSE DA SILVA PEREIRA DOS ")
    }

    @Test func invalidInputs() throws {
        var remessa = try Self.remessa(Fixture.bb, sequences: [1])
        remessa.registrations[0].nossoNumero = "99999990000000001"
        #expect(throws: RemessaError.self) { try remessa.text() }
        remessa = try Self.remessa(Fixture.bb, sequences: [1])
        remessa.registrations[0].amountCents = 0
        #expect(throws: RemessaError.invalidRegistration(index: 0, field: "amountCents", reason: "must be positive, not 0")) { try remessa.text() }
        remessa = try Self.remessa(Fixture.sicoob, sequences: [1])
        remessa.registrations[0].nossoNumero = "00000019"   // wrong DV
        #expect(throws: RemessaError.self) { try remessa.text() }
        remessa.registrations = []
        #expect(throws: RemessaError.noRegistrations) { try remessa.text() }
        var noVariation = Fixture.bb
        noVariation.walletVariation = ""
        #expect(throws: RemessaError.self) { try Self.remessa(noVariation, sequences: [1]).text() }
        let itau = BankSettings(bankCode: "341", agency: "0810", account: "53678", wallet: "175")
        #expect(throws: RemessaError.unsupportedBank(.itau)) { try Self.remessa(itau, sequences: [1]).text() }
        var big = try Self.remessa(Fixture.bb, sequences: [1])
        big.fileSequence = 1_000_000
        #expect(throws: RemessaError.self) { try big.text() }
    }
}
