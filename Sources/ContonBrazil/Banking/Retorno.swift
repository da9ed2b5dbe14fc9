/// A CNAB 240 *retorno* (FEBRABAN layout v10, cobrança) from Banco do Brasil or Sicoob, read
/// into the boletos' occurrences (segments T and U paired).
///
/// Checked while reading: every line is 240 characters (CR LF or LF line ends; a final empty line
/// is allowed); the first record is a header de arquivo (type 0) marked retorno (column 143 = 2)
/// of bank 001 or 756; every line carries the header's bank code; records come in the order
/// 0, 1, 3…, 5, 9; each segment T is followed by its segment U; numeric fields are digits and
/// dates are real dates. Other detail segments (Y, …) are skipped. Any failure is a
/// ``RetornoError`` with the line and column.
///
/// Call ``verify(against:)`` before using the occurrences, to refuse a file of another bank or
/// agreement: Banco do Brasil files name the convênio (header 33–41), Sicoob files the
/// cooperativa and conta (header 53–57 and 59–70).
public struct Retorno: Sendable, Hashable {
    /// The bank of the file.
    public let bank: Bank
    /// The company's CPF/CNPJ as the header carries it (14 characters).
    public let companyTaxID: String
    /// Header 33–52: BB's convênio block; blanks for Sicoob.
    public let agreement: String
    /// Header 53–57, the agency (5 digits).
    public let agency: String
    /// Header 59–70, the account (12 digits).
    public let account: String
    /// Header 158–163, the file sequence (NSA).
    public let fileSequence: Int
    /// Header 144–151, the generation date.
    public let generatedOn: BankDate?
    /// The occurrences, in file order.
    public let occurrences: [RetornoOccurrence]

    /// Reads a retorno file.
    /// - Throws: ``RetornoError``.
    public init(parsing text: String) throws(RetornoError) {
        // Split on scalars: "\r\n" is one Character in Swift, so Character splitting would miss it.
        let scalars = Array(text.unicodeScalars)
        var lines = scalars.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.last == "\r" ? line.dropLast() : line
        }
        if lines.last?.isEmpty == true { lines.removeLast() }
        guard !lines.isEmpty else { throw RetornoError(.empty, line: 1, column: 1, expected: "a header record", found: "") }
        let records = try lines.enumerated().map { (i, l) throws(RetornoError) -> Line in
            let chars = Array(l)
            guard chars.count == 240 else {
                throw RetornoError(.lineLength, line: i + 1, column: min(chars.count, 240) + 1,
                                   expected: "240 characters", found: "\(chars.count) characters")
            }
            return Line(number: i + 1, chars: chars)
        }

        let header = records[0]
        guard header[8] == "0" else {
            throw RetornoError(.recordType, line: 1, column: 8, expected: "record type 0 (header de arquivo)", found: header[8])
        }
        let code = header[1...3]
        guard let bank = Bank(rawValue: code), bank != .itau else {
            throw RetornoError(.bank, line: 1, column: 1, expected: "bank code 001 or 756", found: code)
        }
        guard header[143] == "2" else {
            throw RetornoError(.notRetorno, line: 1, column: 143, expected: "2 (retorno)", found: header[143])
        }
        self.bank = bank
        companyTaxID = header[19...32]
        agreement = header[33...52]
        agency = try header.digits(53...57, "agency")
        account = try header.digits(59...70, "account")
        fileSequence = Int(try header.number(158...163, "file sequence (NSA)"))
        generatedOn = try header.date(144...151, "generation date")

        var occurrences: [RetornoOccurrence] = []
        var state = 0   // 0 header seen, 1 lot header seen, 5 lot trailer seen, 9 file trailer seen
        var pendingT: Line?
        for line in records.dropFirst() {
            if state == 9 {
                throw RetornoError(.recordType, line: line.number, column: 1, expected: "no record after the trailer de arquivo", found: line[1...8])
            }
            guard line[1...3] == bank.code else {
                throw RetornoError(.bank, line: line.number, column: 1, expected: "bank code \(bank.code), as in the header", found: line[1...3])
            }
            let type = line[8]
            switch (type, state) {
            case ("1", 0), ("1", 5):
                state = 1
            case ("3", 1):
                let segment = line[14]
                if let t = pendingT {
                    guard segment == "U" else {
                        throw RetornoError(.segment, line: line.number, column: 14, expected: "segment U after the segment T of line \(t.number)", found: segment)
                    }
                    occurrences.append(try Self.occurrence(t: t, u: line, bank: bank))
                    pendingT = nil
                } else if segment == "T" {
                    pendingT = line
                } else if segment == "U" {
                    throw RetornoError(.segment, line: line.number, column: 14, expected: "a segment T before this segment U", found: segment)
                }
            case ("5", 1):
                if let t = pendingT {
                    throw RetornoError(.segment, line: line.number, column: 14, expected: "segment U after the segment T of line \(t.number)", found: "trailer de lote")
                }
                state = 5
            case ("9", 0), ("9", 5):
                state = 9
            default:
                let expected = switch state {
                case 0: "record type 1 (header de lote) or 9"
                case 1: "record type 3 (detail) or 5 (trailer de lote)"
                default: "record type 1 (header de lote) or 9 (trailer de arquivo)"
                }
                throw RetornoError(.recordType, line: line.number, column: 8, expected: expected, found: type)
            }
        }
        guard state == 9 else {
            let n = records.count
            throw RetornoError(.recordType, line: n, column: 8, expected: "the file to end with a trailer de arquivo (type 9)", found: records[n - 1][8])
        }
        self.occurrences = occurrences
    }

    /// Refuses a file that is not of `settings`' bank and agreement.
    /// - Throws: ``RetornoError`` with reason `.bank` (line 1, column 1) or `.agreement`
    ///   (line 1, the column of the field that differs); ``BoletoError`` settings problems are
    ///   reported as `.agreement` too.
    public func verify(against settings: BankSettings) throws(RetornoError) {
        let s: ValidBankSettings
        do { s = try settings.validated() } catch {
            throw RetornoError(.agreement, line: 1, column: 1, expected: "valid bank settings (\(error.description))", found: settings.bankCode)
        }
        guard s.bank == bank else {
            throw RetornoError(.bank, line: 1, column: 1, expected: "bank code \(s.bank.code) of the agreement", found: bank.code)
        }
        switch bank {
        case .bancoDoBrasil:
            let convenio = String(agreement.prefix(9))
            guard convenio == "00" + s.beneficiaryCode else {
                throw RetornoError(.agreement, line: 1, column: 33, expected: "convênio 00\(s.beneficiaryCode)", found: convenio)
            }
        default:
            guard agency == "0" + s.agency else {
                throw RetornoError(.agreement, line: 1, column: 53, expected: "cooperativa 0\(s.agency)", found: agency)
            }
            guard account == s.account else {
                throw RetornoError(.agreement, line: 1, column: 59, expected: "conta \(s.account)", found: account)
            }
        }
    }

    static func occurrence(t: Line, u: Line, bank: Bank) throws(RetornoError) -> RetornoOccurrence {
        let movement = t[16...17]
        var reasons: [String] = []
        for start in stride(from: 214, through: 222, by: 2) {
            let code = t[start...(start + 1)]
            if code != "  " && code != "00" { reasons.append(code) }
        }
        let nossoNumero: String
        switch bank {
        case .sicoob:
            let field = try t.digits(38...47, "nosso número")
            nossoNumero = field.hasPrefix("00") ? String(field.dropFirst(2)) : field
        default:
            let field = t.trimmed(38...57)
            guard Digits.isDigits(field) else {
                throw RetornoError(.field, line: t.number, column: 38, expected: "the nosso número's digits", found: t[38...57])
            }
            nossoNumero = field
        }
        let tariff = try t.number(199...213, "tariff")
        let kind: RetornoOccurrence.Kind
        switch movement {
        case "02": kind = .registered
        case "03": kind = .rejected(reasons: reasons)
        case "06", "17":
            kind = .paid(RetornoOccurrence.Payment(
                amountCents: try u.number(78...92, "amount paid"),
                interestCents: try u.number(18...32, "juros/multa/encargos"),
                feesCents: tariff,
                discountCents: try u.number(33...47, "discount"),
                netCreditCents: try u.number(93...107, "net credit"),
                paidDate: try u.date(138...145, "occurrence date"),
                creditDate: try u.date(146...153, "credit date")))
        case "09": kind = .cancelled
        default: kind = .other(code: movement)
        }
        return RetornoOccurrence(
            nossoNumero: nossoNumero, documentNumber: t.trimmed(59...73),
            companyReference: t.trimmed(106...130), movementCode: movement, reasonCodes: reasons,
            kind: kind, dueDate: try t.date(74...81, "due date"), faceValueCents: try t.number(82...96, "face value"),
            line: t.number)
    }

    /// A 240-character line with 1-based field access.
    struct Line: Hashable {
        let number: Int
        let chars: [Unicode.Scalar]

        subscript(_ column: Int) -> String { String(Character(chars[column - 1])) }
        subscript(_ r: ClosedRange<Int>) -> String {
            var s = ""
            s.unicodeScalars.append(contentsOf: chars[(r.lowerBound - 1)...(r.upperBound - 1)])
            return s
        }

        /// Columns `r` without leading and trailing blanks.
        func trimmed(_ r: ClosedRange<Int>) -> String {
            var lower = r.lowerBound - 1, upper = r.upperBound - 1
            while lower <= upper && chars[lower] == " " { lower += 1 }
            while upper >= lower && chars[upper] == " " { upper -= 1 }
            var s = ""
            if lower <= upper { s.unicodeScalars.append(contentsOf: chars[lower...upper]) }
            return s
        }

        /// The column (1-based) of the first character of `r` that is not a digit, if any.
        /// Fields are read as scalars, not Strings: a retorno has tens of thousands of them.
        private func firstNonDigit(_ r: ClosedRange<Int>) -> Int? {
            for c in r where !(48...57).contains(chars[c - 1].value) { return c }
            return nil
        }

        private func notDigits(_ r: ClosedRange<Int>, at column: Int, _ name: String) -> RetornoError {
            RetornoError(.field, line: number, column: column,
                         expected: "\(r.count) digits (\(name), columns \(r.lowerBound)-\(r.upperBound))", found: self[r])
        }

        func digits(_ r: ClosedRange<Int>, _ name: String) throws(RetornoError) -> String {
            if let column = firstNonDigit(r) { throw notDigits(r, at: column, name) }
            return self[r]
        }

        func number(_ r: ClosedRange<Int>, _ name: String) throws(RetornoError) -> Int64 {
            var value: Int64 = 0
            for c in r {
                let v = chars[c - 1].value
                guard (48...57).contains(v) else { throw notDigits(r, at: c, name) }
                value = value * 10 + Int64(v - 48)
            }
            return value
        }

        /// DDMMAAAA; zeros or blanks → nil.
        func date(_ r: ClosedRange<Int>, _ name: String) throws(RetornoError) -> BankDate? {
            if r.allSatisfy({ chars[$0 - 1] == "0" }) || r.allSatisfy({ chars[$0 - 1] == " " }) { return nil }
            let l = r.lowerBound
            let day = try number(l...(l + 1), name), month = try number((l + 2)...(l + 3), name), year = try number((l + 4)...(l + 7), name)
            guard r.count == 8, let date = try? BankDate(year: Int(year), month: Int(month), day: Int(day)) else {
                throw RetornoError(.field, line: number, column: r.lowerBound,
                                   expected: "a date DDMMAAAA (\(name), columns \(r.lowerBound)-\(r.upperBound))", found: self[r])
            }
            return date
        }
    }
}
