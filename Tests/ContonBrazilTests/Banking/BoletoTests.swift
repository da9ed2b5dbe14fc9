import Testing
@testable import ContonBrazil

/// Boletos per bank against published examples from open-source implementations, every digit
/// re-checked by ``Independent`` and by ContonBrazil's ``BoletoLine`` parser.
@Suite struct BoletoTests {
    struct Example: Sendable, CustomTestStringConvertible {
        var settings: BankSettings
        var sequence: Int64
        var due: String
        var cents: Int64
        var nossoNumero: String
        var campoLivre: String
        var barcode: String
        var line: String
        var source: String
        var testDescription: String { source }
    }

    static let examples: [Example] = [
        // kivanio/brcobranca spec/brcobranca/boleto/banco_brasil_spec.rb, "convenio de 7 digitos e nosso numero de 10".
        Example(settings: Fixture.bb, sequence: 7_777_700_168, due: "2008-02-03", cents: 13500,
                nossoNumero: "12387987777700168", campoLivre: "0000001238798777770016818",
                barcode: "00193377100000135000000001238798777770016818",
                line: "00190.00009 01238.798779 77700.168188 3 37710000013500", source: "BB brcobranca 135.00"),
        Example(settings: Fixture.bb, sequence: 7_777_700_168, due: "2008-02-03", cents: 72356,
                nossoNumero: "12387987777700168", campoLivre: "0000001238798777770016818",
                barcode: "00195377100000723560000001238798777770016818",
                line: "00190.00009 01238.798779 77700.168188 5 37710000072356", source: "BB brcobranca 723.56"),
        Example(settings: Fixture.bb, sequence: 7_777_700_168, due: "2008-02-01", cents: 72356,
                nossoNumero: "12387987777700168", campoLivre: "0000001238798777770016818",
                barcode: "00194376900000723560000001238798777770016818",
                line: "00190.00009 01238.798779 77700.168188 4 37690000072356", source: "BB brcobranca 2008-02-01"),
        // Trust-Code/python-boleto tests/test_banco_sicoob.py: cooperativa 3069, cliente 225,
        // nosso número 3 (DV 5, asserted by test_dv_nosso_numero), 97.50 due 2016-05-06; the
        // line (test_linha_digitavel) has carteira 3 and modalidade 03 in its campo livre.
        Example(settings: BankSettings(bankCode: "756", agency: "3069", account: "84725", wallet: "3",
                                       beneficiaryCode: "225", modality: "03"),
                sequence: 3, due: "2016-05-06", cents: 9750,
                nossoNumero: "00000035", campoLivre: "3306903000022500000035001",
                barcode: "75693678600000097503306903000022500000035001",
                line: "75693.30694 03000.022503 00000.350017 3 67860000009750", source: "Sicoob python-boleto"),
        // kivanio/brcobranca spec/brcobranca/boleto/itau_spec.rb, "Gerar boleto".
        Example(settings: BankSettings(bankCode: "341", agency: "0810", account: "53678", accountDigit: "9", wallet: "175"),
                sequence: 12_345_678, due: "2009-08-14", cents: 0,
                nossoNumero: "123456784", campoLivre: "1751234567840810536789000",
                barcode: "34191432900000000001751234567840810536789000",
                line: "34191.75124 34567.840813 05367.890000 1 43290000000000", source: "Itaú brcobranca carteira 175"),
        Example(settings: BankSettings(bankCode: "341", agency: "0810", account: "53678", wallet: "175"),
                sequence: 258_281, due: "2008-02-02", cents: 13500,
                nossoNumero: "002582817", campoLivre: "1750025828170810536789000",
                barcode: "34191377000000135001750025828170810536789000",
                line: "34191.75009 25828.170818 05367.890000 1 37700000013500", source: "Itaú brcobranca 258281"),
        // The same spec's last case: due 2029-05-20, after the factor restart (factor 2548).
        Example(settings: BankSettings(bankCode: "341", agency: "1248", account: "02124", accountDigit: "6", wallet: "109"),
                sequence: 10152, due: "2029-05-20", cents: 675_787,
                nossoNumero: "000101527", campoLivre: "1090001015271248021246000",
                barcode: "34194254800006757871090001015271248021246000",
                line: "34191.09008 01015.271248 80212.460002 4 25480000675787", source: "Itaú brcobranca 2029 (second cycle)"),
    ]

    @Test(arguments: examples)
    func example(_ e: Example) throws {
        let boleto = try Boleto(settings: e.settings, sequence: e.sequence, dueDate: Fixture.date(e.due), amountCents: e.cents)
        #expect(boleto.nossoNumero?.digits == e.nossoNumero)
        #expect(boleto.campoLivre == e.campoLivre)
        #expect(boleto.barcode == e.barcode)
        #expect(boleto.formattedLine == e.line)
        #expect(boleto.digitableLine == e.line.filter(\.isNumber))
        // Independent re-check of every check digit.
        let digits = Array(boleto.digitableLine)
        for (range, dv) in [(0..<9, 9), (10..<20, 20), (21..<31, 31)] {
            #expect(Independent.mod10(String(digits[range])) == digits[dv].wholeNumberValue)
        }
        #expect(Independent.barcodeDV(boleto.barcode) == Array(boleto.barcode)[4].wholeNumberValue)
        // ContonBrazil's parser reads it back.
        let parsed = try BoletoLine(boleto.formattedLine, today: e.due)
        #expect(parsed.barcode == boleto.barcode)
        #expect(parsed.dueDate == e.due)
        #expect(parsed.amountCents == e.cents)
    }

    @Test func bancoDoBrasilFormatsAndDigits() throws {
        let n = try NossoNumero(settings: Fixture.bb, sequence: 42)
        #expect(n.digits == "12387980000000042")
        #expect(n.formatted == "12387980000000042")
        // brcobranca banco_brasil_spec.rb "Montar agencia_conta_boleto": 0548-7 / 00001448-6.
        let other = BankSettings(bankCode: "001", agency: "0548", agencyDigit: "7", account: "1448", accountDigit: "6",
                                 wallet: "17", beneficiaryCode: "1238798")
        #expect(try other.validated().account == "00001448")
    }

    @Test(arguments: [("1", 1), ("240", 240), ("9999999", 9_999_999), ("1234567", 1_234_567)])
    func sicoobCheckDigit(_ text: String, _ sequence: Int64) throws {
        let n = try NossoNumero(settings: Fixture.sicoob, sequence: sequence)
        let dv = Independent.sicoobDV(cooperative: "3069", client: "225", sequence: text)
        #expect(n.digits == String(repeating: "0", count: 7 - text.count) + text + String(dv))
        #expect(n.formatted.hasSuffix("-\(dv)"))
        #expect(n.campoLivre.count == 25)
        #expect(n.campoLivre.hasPrefix("1306901") && n.campoLivre.hasSuffix("001"))
    }

    @Test func itauNossoNumeroDAC() throws {
        // brcobranca itau_spec.rb "Montar nosso_numero_dv": agência 0810, conta 53678, carteira 175.
        let s = BankSettings(bankCode: "341", agency: "0810", account: "53678", wallet: "175")
        for (seq, dac) in [(Int64(15448), "6"), (12_345_678, "4"), (34230, "5"), (258_281, "7")] {
            #expect(try NossoNumero(settings: s, sequence: seq).digits.hasSuffix(dac))
        }
        #expect(try NossoNumero(settings: s, sequence: 12_345_678).formatted == "175/12345678-4")
    }

    @Test(arguments: [
        (BankSettings(bankCode: "237", agency: "1", account: "1", wallet: "09"), BankSettings.Field.bankCode),
        (BankSettings(bankCode: "001", agency: "4042", agencyDigit: "7", account: "61900", wallet: "18", beneficiaryCode: "1238798"), .agencyDigit),
        (BankSettings(bankCode: "001", agency: "4042", account: "61900", accountDigit: "1", wallet: "18", beneficiaryCode: "1238798"), .accountDigit),
        (BankSettings(bankCode: "001", agency: "40421", account: "61900", wallet: "18", beneficiaryCode: "1238798"), .agency),
        (BankSettings(bankCode: "001", agency: "4042", account: "61900", wallet: "18", beneficiaryCode: "123879"), .beneficiaryCode),
        (BankSettings(bankCode: "001", agency: "4042", account: "61900", wallet: "1A", beneficiaryCode: "1238798"), .wallet),
        (BankSettings(bankCode: "756", agency: "3069", account: "84725", wallet: "1", beneficiaryCode: "12345678"), .beneficiaryCode),
        (BankSettings(bankCode: "756", agency: "3069", account: "84725", wallet: "1", beneficiaryCode: "225", modality: "1x"), .modality),
        (BankSettings(bankCode: "341", agency: "0810", account: "53678", accountDigit: "3", wallet: "175"), .accountDigit),
        (BankSettings(bankCode: "341", agency: "0810", account: "53678", wallet: "198"), .wallet),
        (BankSettings(bankCode: "341", agency: "0810", account: "", wallet: "175"), .account),
    ])
    func invalidSettings(_ settings: BankSettings, _ field: BankSettings.Field) throws {
        let error = try #require(throws: BoletoError.self) {
            try Boleto(settings: settings, sequence: 1, dueDate: Fixture.date("2025-06-30"), amountCents: 100)
        }
        switch error {
        case .invalidSetting(let f, _): #expect(f == field, "\(error)")
        case .unsupportedBank: #expect(field == .bankCode)
        default: Issue.record("unexpected \(error)")
        }
        #expect(!error.description.isEmpty)
    }

    @Test func sequenceAndAmountLimits() throws {
        let due = Fixture.date("2025-06-30")
        #expect(throws: BoletoError.sequenceOutOfRange(sequence: 10_000_000, maximum: 9_999_999)) {
            try Boleto(settings: Fixture.sicoob, sequence: 10_000_000, dueDate: due, amountCents: 1)
        }
        #expect(throws: BoletoError.sequenceOutOfRange(sequence: 0, maximum: 9_999_999_999)) {
            try Boleto(settings: Fixture.bb, sequence: 0, dueDate: due, amountCents: 1)
        }
        #expect(throws: BoletoError.amountOutOfRange(cents: 10_000_000_000)) {
            try Boleto(settings: Fixture.bb, sequence: 1, dueDate: due, amountCents: 10_000_000_000)
        }
        #expect(throws: BoletoError.amountOutOfRange(cents: -1)) {
            try Boleto(settings: Fixture.bb, sequence: 1, dueDate: due, amountCents: -1)
        }
        let largest = try Boleto(settings: Fixture.bb, sequence: 9_999_999_999, dueDate: due, amountCents: 9_999_999_999)
        #expect(largest.barcode.count == 44)
    }

    @Test func aroundTheRestart() throws {
        for (due, factor) in [("2025-02-21", "9999"), ("2025-02-22", "1000")] {
            let b = try Boleto(settings: Fixture.sicoob, sequence: 77, dueDate: Fixture.date(due), amountCents: 12345)
            #expect(String(Array(b.barcode)[5..<9]) == factor)
            #expect(try BoletoLine(b.digitableLine, today: due).dueDate == due)
        }
    }

    /// The bank code's digit printed beside it on the ficha: mod 11 of the 3 digits, weights 2…4
    /// from the right, 10 and 11 → 0 (recomputed here for each bank).
    @Test(arguments: Bank.allCases)
    func theBankCodesDigitIsItsMod11(_ bank: Bank) {
        let digits = bank.code.compactMap { $0.wholeNumberValue }
        let sum = zip(digits.reversed(), [2, 3, 4]).reduce(0) { $0 + $1.0 * $1.1 }
        let d = 11 - sum % 11
        #expect(bank.codeWithDigit == "\(bank.code)-\(d >= 10 ? 0 : d)")
    }
}
