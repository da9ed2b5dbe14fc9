/// A boleto's *linha digitável* (the typed line under the barcode), decoded and checked by the
/// FEBRABAN rules.
///
/// Two kinds of slip share the 44-digit barcode (Interleaved 2 of 5) but type it differently:
///
/// | kind | line | barcode |
/// |---|---|---|
/// | ``Kind/bank`` (*boleto bancário*, ficha de compensação) | 47 digits: fields 1–3 (10, 11, 11 digits, each ending in a mod-10 check digit), the general check digit, field 5 = due-date factor (4) + amount (10) | bank (3), currency 9, general check digit (mod 11: 0, 10, 11 → 1), factor, amount, campo livre (25) |
/// | ``Kind/collection`` (*arrecadação*: utilities, taxes) | 48 digits: four blocks of 11 barcode digits, each followed by its check digit | 8, segment, value type, general check digit, value (11), the rest (29) |
///
/// A collection slip's value type (digit 3) picks the module of all its check digits: 6 or 7 →
/// mod 10; 8 or 9 → mod 11 (weights 2…9 from the right; remainder 0 or 1 → 0, else 11 − r, so 10
/// → 1). Types 6 and 8 carry an amount in centavos; 7 and 9 a reference (a quantity or an index),
/// reported as amount 0.
///
/// The bank due-date factor counts days since 1997-10-07 (1000 = 2000-07-03, 9999 = 2025-02-21);
/// FEBRABAN restarted it at 1000 on 2025-02-22, so every factor from 1000 names one date every 9000
/// days. The decoder picks the one nearest to `today` (on a tie, the later); factors 0001–0999
/// (1997–2000, before any restart) name their first-cycle date; factor 0000 means no due date.
public struct BoletoLine: Sendable, Hashable {
    /// Which FEBRABAN layout the line follows.
    public enum Kind: Sendable, Hashable {
        /// Boleto bancário (ficha de compensação): 47 digits.
        case bank
        /// Arrecadação (utilities, taxes, fines): 48 digits starting with 8.
        case collection
    }

    /// Which layout the line follows.
    public let kind: Kind
    /// The typed line, digits only (47 or 48); rebuilt from the barcode when a barcode was given.
    public let digits: String
    /// The 44-digit barcode the line encodes.
    public let barcode: String
    /// Bank: the 3-digit bank code (e.g. "001"); collection: "".
    public let bankCode: String
    /// Collection only: the segment (barcode digit 2: 1 prefeituras, 2 saneamento, 3 energia/gás,
    /// 4 telecom, 5 órgãos governamentais, 6 carnês and others identified by CNPJ, 7 multas de
    /// trânsito, 9 bank-specific); 0 for a bank slip.
    public let segment: Int
    /// The amount in centavos; 0 when the slip carries none (bank: amount field zero; collection:
    /// value type 7 or 9, whose value field is a reference, not an amount).
    public let amountCents: Int64
    /// Bank only: the due date `"YYYY-MM-DD"` from the due-date factor, or "" when the factor is
    /// 0000 (and for every collection slip).
    public let dueDate: String

    /// Decodes a pasted line: blanks, dots, hyphens, slashes and other dashes or invisible
    /// formatting characters are ignored; 47 digits (bank) or 48 (collection, starting with 8).
    /// A 44-digit barcode is also accepted (starting with 8: collection, otherwise bank) and
    /// validated by its general check digit.
    ///
    /// Field and block check digits are checked before the general one, so a mistyped digit is
    /// reported in the field or block that holds it.
    /// - Parameter today: `"YYYY-MM-DD"`; picks the due-date factor's cycle (the date nearest to it).
    /// - Throws: ``BoletoLineError``, naming the digit at fault by its position among the typed digits.
    public init(_ raw: String, today: String) throws(BoletoLineError) {
        let todayDay = try Self.day(today)
        let d = try Self.digitValues(raw)
        switch d.count {
        case 47: self = try Self.bank(line: d, today: todayDay)
        case 48: self = try Self.collection(line: d)
        case 44 where d[0] == 8: self = try Self.collection(barcode: d, line: nil)
        case 44: self = try Self.bank(barcode: d, line: nil, generalPosition: 5, today: todayDay)
        default:
            throw BoletoLineError(.length, "must have 47 digits (bank slip) or 48 (utility/tax slip), has \(d.count)")
        }
    }

    /// The line as slips print it: `"23793.38128 60000.000004 00000.000406 8 84340000012345"` or
    /// `"83640000001-1 33120138000-2 81288462711-6 08013618155-1"`.
    public var formatted: String {
        let c = Array(digits)
        func s(_ r: Range<Int>) -> String { String(c[r]) }
        switch kind {
        case .bank:
            return "\(s(0..<5)).\(s(5..<10)) \(s(10..<15)).\(s(15..<21)) \(s(21..<26)).\(s(26..<32)) \(s(32..<33)) \(s(33..<47))"
        case .collection:
            return (0..<4).map { "\(s($0 * 12 ..< $0 * 12 + 11))-\(s($0 * 12 + 11 ..< $0 * 12 + 12))" }.joined(separator: " ")
        }
    }

    private init(kind: Kind, line: [Int], barcode: [Int], bankCode: String, segment: Int, amountCents: Int64, dueDate: String) {
        self.kind = kind
        self.digits = Self.string(line)
        self.barcode = Self.string(barcode)
        self.bankCode = bankCode
        self.segment = segment
        self.amountCents = amountCents
        self.dueDate = dueDate
    }

    // MARK: Bank slips

    /// Fields 1–3 of a bank line: (field, digits of the field before its check digit).
    private static let bankFields: [(field: Int, range: Range<Int>)] = [(1, 0..<9), (2, 10..<20), (3, 21..<31)]

    private static func bank(line d: [Int], today: Int) throws(BoletoLineError) -> BoletoLine {
        for (field, range) in bankFields {
            let dv = CheckDigit.mod10(d[range])
            if d[range.upperBound] != dv {
                throw .checkDigit("field \(field)", position: range.upperBound + 1, found: d[range.upperBound], expected: dv)
            }
        }
        let barcode = joined([d[0..<4], d[32..<47], d[4..<9], d[10..<20], d[21..<31]])
        return try bank(barcode: barcode, line: d, generalPosition: 33, today: today)
    }

    /// Checks a bank barcode; `line` is the typed line (nil: rebuild it from the barcode), and
    /// `generalPosition` where its general check digit was typed.
    private static func bank(barcode b: [Int], line: [Int]?, generalPosition: Int, today: Int) throws(BoletoLineError) -> BoletoLine {
        if b[3] != 9 {
            throw BoletoLineError(.currency, position: 4, expected: "9",
                                  "digit 4 (the currency) is \(b[3]); only 9 (real) is accepted")
        }
        let dv = CheckDigit.barcodeMod11(Array(b[0..<4] + b[5..<44]))
        if b[4] != dv { throw .checkDigit("general", position: generalPosition, found: b[4], expected: dv) }
        let factor = Int(number(b[5..<9]))
        let line = line ?? joined([
            withCheckDigit(b[0..<4] + b[19..<24], CheckDigit.mod10), withCheckDigit(b[24..<34], CheckDigit.mod10),
            withCheckDigit(b[34..<44], CheckDigit.mod10), b[4..<19],
        ])
        return BoletoLine(kind: .bank, line: line, barcode: b, bankCode: string(b[0..<3]), segment: 0,
                          amountCents: number(b[9..<19]), dueDate: factor == 0 ? "" : dueDate(factor: factor, today: today))
    }

    // MARK: Collection slips

    private static func collection(line d: [Int]) throws(BoletoLineError) -> BoletoLine {
        guard d[0] == 8 else {
            throw BoletoLineError(.firstDigit, position: 1, expected: "8",
                                  "has 48 digits, so it must be a utility/tax slip starting with 8; digit 1 is \(d[0])")
        }
        let check = try collectionModule(d[2])
        var barcode: [Int] = []
        for block in 0..<4 {
            let payload = d[block * 12 ..< block * 12 + 11]
            let dv = check(payload)
            if d[block * 12 + 11] != dv {
                throw .checkDigit("block \(block + 1)", position: block * 12 + 12, found: d[block * 12 + 11], expected: dv)
            }
            barcode += payload
        }
        return try collection(barcode: barcode, line: d)
    }

    /// Checks a collection barcode (digit 1 is 8); `line` is the typed line (nil: rebuild it).
    /// The general check digit is digit 4 of both the barcode and the line.
    private static func collection(barcode b: [Int], line: [Int]?) throws(BoletoLineError) -> BoletoLine {
        let check = try collectionModule(b[2])
        let dv = check(b[0..<3] + b[4..<44])
        if b[3] != dv { throw .checkDigit("general", position: 4, found: b[3], expected: dv) }
        let line = line ?? joined((0..<4).map { withCheckDigit(b[$0 * 11 ..< $0 * 11 + 11], check) })
        let amount = b[2] == 6 || b[2] == 8 ? number(b[4..<15]) : 0
        return BoletoLine(kind: .collection, line: line, barcode: b, bankCode: "", segment: b[1],
                          amountCents: amount, dueDate: "")
    }

    /// The check-digit function a collection slip's value type selects.
    private static func collectionModule(_ valueType: Int) throws(BoletoLineError) -> @Sendable (ArraySlice<Int>) -> Int {
        switch valueType {
        case 6, 7: return { CheckDigit.mod10($0) }
        case 8, 9: return { Mod11.digit(Array($0), weights: weights(count: $0.count)) }
        default:
            throw BoletoLineError(.valueType, position: 3,
                                  "digit 3 (the value type) is \(valueType); it must be 6, 7, 8 or 9")
        }
    }

    // MARK: Check digits

    /// Weights 2…9 cycling from the right, for `count` digits.
    private static func weights(count: Int) -> [Int] {
        (0..<count).reversed().map { 2 + $0 % 8 }
    }

    // MARK: Due dates

    /// Day number (``CivilDay``) of 1997-10-07, the factor's day 0.
    private static let factorBase = CivilDay.number(year: 1997, month: 10, day: 7)

    /// The date of `factor` (1…9999) nearest to `today` among its cycles, 9000 days apart (on a
    /// tie, the later).
    private static func dueDate(factor: Int, today: Int) -> String {
        let first = factorBase + factor
        var day = first
        if factor >= 1000, today - first >= 4500 {
            day = first + (today - first + 4500) / 9000 * 9000
        }
        return CivilDay.string(day)
    }

    // MARK: Input

    /// The digits of `raw`, separators removed.
    private static func digitValues(_ raw: String) throws(BoletoLineError) -> [Int] {
        let scalars = raw.unicodeScalars.filter { s in
            !(Characters.isSeparator(s) || s.properties.generalCategory == .dashPunctuation
              || s.properties.generalCategory == .format)
        }
        if scalars.isEmpty { throw BoletoLineError(.empty, "is empty") }
        var bad: [Unicode.Scalar] = []
        for s in scalars where !Characters.isDigit(s) && !bad.contains(s) { bad.append(s) }
        if !bad.isEmpty {
            throw BoletoLineError(.characters, "has characters that are not digits: "
                                  + bad.map(Characters.quoted).joined(separator: ", "))
        }
        return scalars.map { Int($0.value) - 48 }
    }

    /// The day number of `today`, which must be `YYYY-MM-DD`.
    private static func day(_ today: String) throws(BoletoLineError) -> Int {
        let s = Array(today.unicodeScalars)
        let digitsAt = [0, 1, 2, 3, 5, 6, 8, 9]
        guard s.count == 10, s[4] == "-", s[7] == "-", digitsAt.allSatisfy({ Characters.isDigit(s[$0]) }) else {
            throw BoletoLineError(.today, "today must be a date YYYY-MM-DD, not '\(today)'")
        }
        func n(_ r: Range<Int>) -> Int { r.reduce(0) { $0 * 10 + Int(s[$1].value) - 48 } }
        let (year, month, dayOfMonth) = (n(0..<4), n(5..<7), n(8..<10))
        guard (1...12).contains(month), (1...CivilDay.daysIn(year: year, month: month)).contains(dayOfMonth) else {
            throw BoletoLineError(.today, "today must be a date YYYY-MM-DD, not '\(today)'")
        }
        return CivilDay.number(year: year, month: month, day: dayOfMonth)
    }

    private static func joined(_ parts: [ArraySlice<Int>]) -> [Int] {
        parts.flatMap { $0 }
    }

    /// `digits` followed by `check(digits)`.
    private static func withCheckDigit(_ digits: ArraySlice<Int>, _ check: (ArraySlice<Int>) -> Int) -> ArraySlice<Int> {
        digits + [check(digits)]
    }

    private static func number(_ values: ArraySlice<Int>) -> Int64 {
        values.reduce(0) { $0 * 10 + Int64($1) }
    }

    private static func string(_ values: some Collection<Int>) -> String {
        String(values.map { Character(Unicode.Scalar(UInt8(48 + $0))) })
    }
}
