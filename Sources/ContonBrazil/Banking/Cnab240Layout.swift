/// The CNAB 240 records of one file (remessa or simulated retorno) for one bank: the FEBRABAN
/// layout with the bank differences listed on ``Remessa``.
struct Cnab240Layout {
    let company: BillingCompany
    let s: ValidBankSettings
    let fileSequence: Int
    let date: BankDate
    let time: ClockTime
    /// A retorno (header 143 = 2, lot operation T) rather than a remessa.
    let retorno: Bool

    init(company: BillingCompany, fileSequence: Int, date: BankDate, time: ClockTime, retorno: Bool) throws(RemessaError) {
        do { s = try company.settings.validated() } catch { throw .settings(error) }
        guard s.bank != .itau else { throw .unsupportedBank(.itau) }
        if s.bank == .bancoDoBrasil && s.walletVariation.isEmpty {
            throw .settings(.invalidSetting(field: .walletVariation, reason: "Banco do Brasil CNAB files need the variação da carteira"))
        }
        guard (1...999_999).contains(fileSequence) else {
            throw .fieldOverflow(field: "file sequence (NSA)", value: String(fileSequence), width: 6)
        }
        self.company = company
        self.fileSequence = fileSequence
        self.date = date
        self.time = time
        self.retorno = retorno
    }

    var bank: Bank { s.bank }
    var fileLayoutVersion: String { bank == .bancoDoBrasil ? "083" : "081" }
    var lotLayoutVersion: String { bank == .bancoDoBrasil ? "042" : "040" }
    var companyType: String { company.taxID.isCPF ? "1" : "2" }

    /// Header 33–52 / lot 34–53.
    var agreement: String {
        bank == .bancoDoBrasil ? "00" + s.beneficiaryCode + "0014" + s.wallet + s.walletVariation + "  " : String(repeating: " ", count: 20)
    }

    /// The common start of a lot record: bank, lot 0001, record type.
    func start(_ type: String) -> CnabRecord {
        var r = CnabRecord()
        r.raw(1, 3, bank.code)
        r.raw(4, 7, "0001")
        r.raw(8, 8, type)
        return r
    }

    func fileHeader() throws(RemessaError) -> String {
        var r = CnabRecord()
        r.raw(1, 3, bank.code)
        r.raw(4, 7, "0000")
        r.raw(8, 8, "0")
        r.raw(18, 18, companyType)
        try r.digits(19, 32, company.taxID.value, name: "company CNPJ")
        r.raw(33, 52, agreement)
        try r.digits(53, 57, s.agency, name: "agency")
        r.raw(58, 58, s.agencyDigit.isEmpty ? "0" : s.agencyDigit)
        try r.digits(59, 70, s.account, name: "account")
        r.raw(71, 71, s.accountDigit)
        r.raw(72, 72, bank == .sicoob ? "0" : " ")
        r.alpha(73, 102, company.name)
        r.alpha(103, 132, bank.name)
        r.raw(143, 143, retorno ? "2" : "1")
        r.raw(144, 151, date.cnab)
        r.raw(152, 157, time.cnab)
        try r.number(158, 163, Int64(fileSequence), name: "file sequence (NSA)")
        r.raw(164, 166, fileLayoutVersion)
        r.zeros(167, 171)
        return r.line
    }

    func lotHeader() throws(RemessaError) -> String {
        var r = start("1")
        r.raw(9, 9, retorno ? "T" : "R")
        r.raw(10, 11, "01")
        r.raw(14, 16, lotLayoutVersion)
        r.raw(18, 18, companyType)
        try r.digits(19, 33, company.taxID.value, name: "company CNPJ")
        r.raw(34, 53, agreement)
        try r.digits(54, 58, s.agency, name: "agency")
        r.raw(59, 59, s.agencyDigit.isEmpty ? "0" : s.agencyDigit)
        try r.digits(60, 71, s.account, name: "account")
        r.raw(72, 72, s.accountDigit)
        r.alpha(74, 103, company.name)
        try r.number(184, 191, Int64(fileSequence), name: "remessa number")
        r.raw(192, 199, date.cnab)
        r.zeros(200, 207)
        return r.line
    }

    /// Positions 1–37 of a detail record: bank, lot, type 3, sequence, segment, movement code,
    /// agency and account (segments P and T).
    func detailStart(_ segment: String, sequence: Int, movement: String, withAccount: Bool) throws(RemessaError) -> CnabRecord {
        var r = start("3")
        try r.number(9, 13, Int64(sequence), name: "record sequence in lot")
        r.raw(14, 14, segment)
        r.raw(16, 17, movement)
        if withAccount {
            try r.digits(18, 22, s.agency, name: "agency")
            r.raw(23, 23, s.agencyDigit.isEmpty ? "0" : s.agencyDigit)
            try r.digits(24, 35, s.account, name: "account")
            r.raw(36, 36, s.accountDigit)
        }
        return r
    }

    /// P/T 38–57.
    func nossoNumeroField(_ digits: String) -> String {
        switch bank {
        case .sicoob: "00" + digits + "01" + s.modality + "4" + "     "
        default: digits + "   "
        }
    }

    func check(_ r: BoletoRegistration, index: Int) throws(RemessaError) {
        do { try NossoNumero.check(r.nossoNumero, settings: s) } catch {
            throw .invalidRegistration(index: index, field: "nossoNumero", reason: error.description)
        }
        if r.amountCents <= 0 {
            throw .invalidRegistration(index: index, field: "amountCents", reason: "must be positive, not \(r.amountCents)")
        }
        if r.dueDate < r.issueDate {
            throw .invalidRegistration(index: index, field: "dueDate", reason: "\(r.dueDate) is before the issue date \(r.issueDate)")
        }
        if ASCIIText.folded(r.payer.name).isEmpty {
            throw .invalidRegistration(index: index, field: "payer.name", reason: "is empty")
        }
        if !(0...10_000).contains(r.fineBasisPoints) || !(0...10_000).contains(r.monthlyInterestBasisPoints) {
            throw .invalidRegistration(index: index, field: "fineBasisPoints/monthlyInterestBasisPoints", reason: "must be 0…10000")
        }
    }

    func segmentP(_ b: BoletoRegistration, sequence: Int) throws(RemessaError) -> String {
        var r = try detailStart("P", sequence: sequence, movement: b.movement.rawValue, withAccount: true)
        r.raw(38, 57, nossoNumeroField(b.nossoNumero))
        switch bank {
        case .bancoDoBrasil: r.raw(58, 62, (s.wallet == "17" ? "7" : "1") + "1100")
        default: r.raw(58, 62, s.wallet + "0 22")
        }
        r.alpha(63, 77, b.documentNumber)
        r.raw(78, 85, b.dueDate.cnab)
        try r.number(86, 100, b.amountCents, name: "amount")
        r.zeros(101, 105)
        r.raw(107, 108, "02")   // DM, duplicata mercantil
        r.raw(109, 109, "N")
        r.raw(110, 117, b.issueDate.cnab)
        if b.monthlyInterestBasisPoints > 0 {
            r.raw(118, 118, "2")
            r.raw(119, 126, b.dueDate.adding(days: 1).cnab)
            try r.number(127, 141, Int64(b.monthlyInterestBasisPoints), name: "interest rate")
        } else {
            r.raw(118, 118, bank == .bancoDoBrasil ? "3" : "0")
            r.zeros(119, 141)
        }
        r.raw(142, 142, "0")
        r.zeros(143, 195)
        r.alpha(196, 220, b.nossoNumero)
        r.raw(221, 221, "3")    // não protestar
        r.zeros(222, 223)
        r.raw(224, 224, "0")
        if bank == .bancoDoBrasil { r.zeros(225, 227) }
        r.raw(228, 229, "09")
        r.zeros(230, 239)
        return r.line
    }

    func segmentQ(_ b: BoletoRegistration, sequence: Int) throws(RemessaError) -> String {
        var r = try detailStart("Q", sequence: sequence, movement: "01", withAccount: false)
        r.raw(18, 18, b.payer.taxID.isCPF ? "1" : "2")
        try r.digits(19, 33, b.payer.taxID.value, name: "payer CPF/CNPJ")
        r.alpha(34, 73, b.payer.name)
        r.alpha(74, 113, b.payer.address)
        r.alpha(114, 128, b.payer.district)
        r.raw(129, 133, String(b.payer.cep.digits.prefix(5)))
        r.raw(134, 136, String(b.payer.cep.digits.suffix(3)))
        r.alpha(137, 151, b.payer.city)
        r.raw(152, 153, b.payer.uf.code)
        r.raw(154, 154, "0")
        r.zeros(155, 169)
        r.zeros(210, 212)
        return r.line
    }

    func segmentR(_ b: BoletoRegistration, sequence: Int) throws(RemessaError) -> String {
        var r = try detailStart("R", sequence: sequence, movement: "01", withAccount: false)
        r.raw(18, 18, "0")
        r.zeros(19, 41)
        r.raw(42, 42, "0")
        r.zeros(43, 65)
        if b.fineBasisPoints > 0 {
            r.raw(66, 66, "2")
            r.raw(67, 74, (b.fineFrom ?? b.dueDate.adding(days: 1)).cnab)
            try r.number(75, 89, Int64(b.fineBasisPoints), name: "fine percentage")
        } else {
            r.raw(66, 66, "0")
            r.zeros(67, 89)
        }
        r.zeros(200, 215)
        r.zeros(217, 228)
        r.raw(231, 231, "0")
        return r.line
    }

    func lotTrailer(records: Int, count: Int, totalCents: Int64) throws(RemessaError) -> String {
        var r = start("5")
        try r.number(18, 23, Int64(records), name: "records in lot")
        if bank == .sicoob || retorno {
            try r.number(24, 29, Int64(count), name: "boletos in lot")
            try r.number(30, 46, totalCents, name: "lot total")
            r.zeros(47, 115)
        }
        return r.line
    }

    func fileTrailer(records: Int) throws(RemessaError) -> String {
        var r = CnabRecord()
        r.raw(1, 3, bank.code)
        r.raw(4, 7, "9999")
        r.raw(8, 8, "9")
        try r.number(18, 23, 1, name: "lots in file")
        try r.number(24, 29, Int64(records), name: "records in file")
        r.zeros(30, 35)
        return r.line
    }
}
