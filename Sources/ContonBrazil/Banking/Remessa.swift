/// The company (the accounting office) that bills through the bank: its tax number, name and
/// agreement.
public struct BillingCompany: Sendable, Hashable, Codable {
    /// The office's CNPJ (or CPF).
    public var taxID: TaxID
    /// Its name, as the bank has it (folded to ASCII, cut to 30 characters in CNAB headers).
    public var name: String
    /// The billing agreement.
    public var settings: BankSettings

    /// Makes a company.
    public init(taxID: TaxID, name: String, settings: BankSettings) {
        self.taxID = taxID
        self.name = name
        self.settings = settings
    }
}

/// Who pays a boleto (*pagador*), as CNAB segment Q carries them.
public struct Payer: Sendable, Hashable, Codable {
    /// Name (40 characters in the file).
    public var name: String
    /// CPF or CNPJ.
    public var taxID: TaxID
    /// Street address with number and complement (40 characters).
    public var address: String
    /// Bairro (15 characters); may be empty.
    public var district: String
    /// CEP.
    public var cep: CEP
    /// City (15 characters).
    public var city: String
    /// State.
    public var uf: UF

    /// Makes a payer.
    public init(name: String, taxID: TaxID, address: String, district: String = "", cep: CEP, city: String, uf: UF) {
        self.name = name
        self.taxID = taxID
        self.address = address
        self.district = district
        self.cep = cep
        self.city = city
        self.uf = uf
    }
}

/// One boleto to register with the bank (*entrada de título*, movement code 01), or to write off
/// (*pedido de baixa*, 02).
public struct BoletoRegistration: Sendable, Hashable, Codable {
    /// What the remessa asks of the bank for this boleto (FEBRABAN's *código de movimento
    /// remessa*, segment P columns 16–17).
    public enum Movement: String, Sendable, Hashable, Codable {
        /// 01, entrada de títulos: segments P, Q and R.
        case entry = "01"
        /// 02, pedido de baixa: segment P only (the title as registered; Q and R are not sent).
        case writeOff = "02"
    }

    /// Entry by default.
    public var movement: Movement = .entry
    /// The nosso número's digits (``NossoNumero/digits``): BB 17, Sicoob 8.
    public var nossoNumero: String
    /// Seu número: the office's document number (15 characters).
    public var documentNumber: String
    /// Due date.
    public var dueDate: BankDate
    /// Face value in centavos.
    public var amountCents: Int64
    /// Issue date.
    public var issueDate: BankDate
    /// Who pays.
    public var payer: Payer
    /// Fine (multa) in basis points of the face value (200 = 2 %); 0 for none.
    public var fineBasisPoints: Int
    /// The day the fine applies from; nil → the day after the due date.
    public var fineFrom: BankDate?
    /// Interest (juros de mora) per month in basis points (100 = 1 % a.m.), from the day after
    /// the due date; 0 for none.
    public var monthlyInterestBasisPoints: Int

    /// Makes a registration.
    public init(nossoNumero: String, documentNumber: String, dueDate: BankDate, amountCents: Int64, issueDate: BankDate,
                payer: Payer, fineBasisPoints: Int = 0, fineFrom: BankDate? = nil, monthlyInterestBasisPoints: Int = 0) {
        self.nossoNumero = nossoNumero
        self.documentNumber = documentNumber
        self.dueDate = dueDate
        self.amountCents = amountCents
        self.issueDate = issueDate
        self.payer = payer
        self.fineBasisPoints = fineBasisPoints
        self.fineFrom = fineFrom
        self.monthlyInterestBasisPoints = monthlyInterestBasisPoints
    }
}

/// A CNAB 240 *remessa* (FEBRABAN layout v10, cobrança) registering boletos with Banco do Brasil
/// or Sicoob: header de arquivo, one lot (header, segments P, Q and R per boleto, trailer) and
/// the trailer de arquivo, each line 240 characters, lines ended by CR LF.
///
/// Bank differences (from the banks' manuals as implemented by brcobranca and laravel-boleto):
///
/// | | Banco do Brasil | Sicoob |
/// |---|---|---|
/// | header 33–52, lot 34–53 | convênio (9) + `0014` + carteira (2) + variação (3) + 2 blanks | blanks |
/// | layout versions (file/lot) | `083` / `042` | `081` / `040` |
/// | P 38–57 nosso número | 17 digits, left-aligned | 10 digits (nosso número + DV) + parcela `01` + modalidade (2) + formulário `4` + 5 blanks |
/// | P 58–62 | carteira code (`7` for 17, else `1`), `1`, `1`, `0`, `0` | carteira, `0`, blank, `2`, `2` |
/// | P 118 interest code when none | `3` (isento) | `0` (isento) |
/// | lot trailer 24–115 | blanks | count and total of cobrança simples, zeros |
///
/// Interest is written as a monthly rate (P 118 = `2`, from the day after the due date, P 127–141
/// = the percentage with 2 decimals, so basis points as they are); the fine as a percentage (R 66
/// = `2`, R 67–74 its date, R 75–89 the percentage with 2 decimals).
public struct Remessa: Sendable, Hashable {
    /// The office.
    public var company: BillingCompany
    /// The file's sequence number (NSA), 1…999999, one more than the last file sent.
    public var fileSequence: Int
    /// When the file was generated.
    public var generatedOn: BankDate
    /// The time of day it was generated.
    public var generatedAt: ClockTime
    /// The boletos.
    public var registrations: [BoletoRegistration]

    /// Makes a remessa; ``text()`` checks it.
    public init(company: BillingCompany, fileSequence: Int, generatedOn: BankDate, generatedAt: ClockTime,
                registrations: [BoletoRegistration]) {
        self.company = company
        self.fileSequence = fileSequence
        self.generatedOn = generatedOn
        self.generatedAt = generatedAt
        self.registrations = registrations
    }

    /// The file's lines, 240 characters each, without line ends.
    /// - Throws: ``RemessaError``.
    public func lines() throws(RemessaError) -> [String] {
        let layout = try Cnab240Layout(company: company, fileSequence: fileSequence, date: generatedOn, time: generatedAt, retorno: false)
        if registrations.isEmpty { throw .noRegistrations }
        var lines = [try layout.fileHeader(), try layout.lotHeader()]
        var sequence = 0
        for (index, r) in registrations.enumerated() {
            try layout.check(r, index: index)
            sequence += 1
            lines.append(try layout.segmentP(r, sequence: sequence))
            guard r.movement == .entry else { continue }
            sequence += 1
            lines.append(try layout.segmentQ(r, sequence: sequence))
            sequence += 1
            lines.append(try layout.segmentR(r, sequence: sequence))
        }
        let total = registrations.reduce(Int64(0)) { $0 + $1.amountCents }
        lines.append(try layout.lotTrailer(records: sequence + 2, count: registrations.count, totalCents: total))
        lines.append(try layout.fileTrailer(records: lines.count + 1))
        return lines
    }

    /// The file: ``lines()`` each followed by CR LF.
    /// - Throws: ``RemessaError``.
    public func text() throws(RemessaError) -> String {
        try lines().map { $0 + "\r\n" }.joined()
    }
}
