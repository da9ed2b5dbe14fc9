/// Builds a CNAB 240 retorno for the boletos of a ``Remessa``, with chosen occurrences: **for
/// tests and simulation** (a fake bank), so a server's tests can go remessa → retorno →
/// ``Retorno`` without a bank. The file follows the layout ``Retorno`` reads (segments T and U,
/// FEBRABAN positions); it is not a copy of any bank's real output.
public struct RetornoBuilder: Sendable, Hashable {
    /// What the simulated bank reports for one boleto.
    public enum Event: Sendable, Hashable {
        /// Movement 02.
        case registered
        /// Movement 03 with motivo codes (at most five, 2 characters each).
        case rejected(reasons: [String])
        /// Movement 06, paid.
        case paid(RetornoOccurrence.Payment)
        /// Movement 09.
        case cancelled
        /// Any movement code (2 characters) with motivo codes.
        case other(code: String, reasons: [String])
    }

    /// One line of the report: which boleto (by nosso número) and what happened.
    public struct Entry: Sendable, Hashable {
        /// The nosso número's digits, as in the remessa.
        public var nossoNumero: String
        /// What happened.
        public var event: Event

        /// Makes an entry.
        public init(nossoNumero: String, event: Event) {
            self.nossoNumero = nossoNumero
            self.event = event
        }
    }

    /// The remessa whose boletos are reported.
    public var remessa: Remessa
    /// The retorno's own file sequence.
    public var fileSequence: Int
    /// The retorno's date (also the occurrence date of events other than payments).
    public var generatedOn: BankDate
    /// The retorno's time.
    public var generatedAt: ClockTime

    /// Makes a builder.
    public init(remessa: Remessa, fileSequence: Int, generatedOn: BankDate, generatedAt: ClockTime) {
        self.remessa = remessa
        self.fileSequence = fileSequence
        self.generatedOn = generatedOn
        self.generatedAt = generatedAt
    }

    /// The retorno text (CR LF line ends) reporting `entries` in order.
    /// - Throws: ``RemessaError``: `.invalidRegistration` for an entry whose nosso número is not
    ///   in the remessa or whose codes do not fit; the remessa's own errors.
    public func text(_ entries: [Entry]) throws(RemessaError) -> String {
        let layout = try Cnab240Layout(company: remessa.company, fileSequence: fileSequence, date: generatedOn,
                                       time: generatedAt, retorno: true)
        var lines = [try layout.fileHeader(), try layout.lotHeader()]
        var sequence = 0
        var total: Int64 = 0
        for (index, entry) in entries.enumerated() {
            guard let b = remessa.registrations.first(where: { $0.nossoNumero == entry.nossoNumero }) else {
                throw .invalidRegistration(index: index, field: "nossoNumero", reason: "'\(entry.nossoNumero)' is not in the remessa")
            }
            let (code, reasons, payment): (String, [String], RetornoOccurrence.Payment?) = switch entry.event {
            case .registered: ("02", [], nil)
            case .rejected(let reasons): ("03", reasons, nil)
            case .paid(let payment): ("06", [], payment)
            case .cancelled: ("09", [], nil)
            case .other(let code, let reasons): (code, reasons, nil)
            }
            guard code.count == 2, reasons.count <= 5, reasons.allSatisfy({ $0.count == 2 }) else {
                throw .invalidRegistration(index: index, field: "event", reason: "a movement code and at most five motivo codes of 2 characters")
            }
            sequence += 1
            var t = try layout.detailStart("T", sequence: sequence, movement: code, withAccount: true)
            t.raw(38, 57, layout.nossoNumeroField(b.nossoNumero))
            t.raw(58, 58, layout.bank == .sicoob ? layout.s.wallet : "1")
            t.alpha(59, 73, b.documentNumber)
            t.raw(74, 81, b.dueDate.cnab)
            try t.number(82, 96, b.amountCents, name: "face value")
            t.raw(97, 99, layout.bank.code)
            t.zeros(100, 104)
            t.alpha(106, 130, b.nossoNumero)
            t.raw(131, 132, "09")
            t.raw(133, 133, b.payer.taxID.isCPF ? "1" : "2")
            try t.digits(134, 148, b.payer.taxID.value, name: "payer CPF/CNPJ")
            t.alpha(149, 188, b.payer.name)
            t.zeros(189, 198)
            try t.number(199, 213, payment?.feesCents ?? 0, name: "tariff")
            t.raw(214, 223, reasons.joined())
            lines.append(t.line)

            sequence += 1
            var u = try layout.detailStart("U", sequence: sequence, movement: code, withAccount: false)
            try u.number(18, 32, payment?.interestCents ?? 0, name: "juros/multa/encargos")
            try u.number(33, 47, payment?.discountCents ?? 0, name: "discount")
            u.zeros(48, 77)
            try u.number(78, 92, payment?.amountCents ?? 0, name: "amount paid")
            try u.number(93, 107, payment?.netCreditCents ?? 0, name: "net credit")
            u.zeros(108, 137)
            u.raw(138, 145, (payment == nil ? generatedOn : payment?.paidDate)?.cnab ?? "00000000")
            u.raw(146, 153, payment?.creditDate?.cnab ?? "00000000")
            u.zeros(158, 180)
            u.zeros(211, 213)
            lines.append(u.line)
            total += b.amountCents
        }
        lines.append(try layout.lotTrailer(records: sequence + 2, count: entries.count, totalCents: total))
        lines.append(try layout.fileTrailer(records: lines.count + 1))
        return lines.map { $0 + "\r\n" }.joined()
    }
}
