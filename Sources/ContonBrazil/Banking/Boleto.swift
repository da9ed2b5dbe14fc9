/// A bank boleto (FEBRABAN *ficha de compensação*): its 44-digit barcode and 47-digit linha
/// digitável.
///
/// Barcode: bank (3) + currency `9` + general check digit + due-date factor (4) + amount in
/// centavos (10) + campo livre (25). The general check digit is mod 11 over the other 43 digits
/// with weights 2…9 from the right (results 0, 10 and 11 become 1). The line (fields 1–3 with
/// their mod-10 digits, the general digit, factor + amount) and its printed form come from
/// ContonBrazil's ``BoletoLine``, which also re-checks every digit.
public struct Boleto: Sendable, Hashable {
    /// The bank.
    public let bank: Bank
    /// The nosso número (nil when made from a bare campo livre).
    public let nossoNumero: NossoNumero?
    /// The due date.
    public let dueDate: BankDate
    /// Its factor (1000…9999).
    public let dueDateFactor: Int
    /// The amount in centavos.
    public let amountCents: Int64
    /// The 25-digit campo livre.
    public let campoLivre: String
    /// The 44-digit barcode (Interleaved 2 of 5 content).
    public let barcode: String
    /// The 47 digits of the linha digitável.
    public let digitableLine: String
    /// The linha digitável as printed: `"00190.00009 01238.798779 77700.168188 3 37710000013500"`.
    public let formattedLine: String

    /// The boleto of sequence number `sequence` under the office's `settings`.
    /// - Throws: ``BoletoError`` naming the wrong setting, or for a sequence, amount or due
    ///   date out of range.
    public init(settings: BankSettings, sequence: Int64, dueDate: BankDate, amountCents: Int64) throws(BoletoError) {
        let nossoNumero = try NossoNumero(settings: settings, sequence: sequence)
        try self.init(bank: nossoNumero.bank, campoLivre: nossoNumero.campoLivre, dueDate: dueDate,
                      amountCents: amountCents, nossoNumero: nossoNumero)
    }

    /// A boleto from a campo livre built elsewhere (another bank's rule).
    /// - Throws: ``BoletoError`` for a campo livre that is not 25 digits, an amount or due date out of range.
    public init(bank: Bank, campoLivre: String, dueDate: BankDate, amountCents: Int64) throws(BoletoError) {
        try self.init(bank: bank, campoLivre: campoLivre, dueDate: dueDate, amountCents: amountCents, nossoNumero: nil)
    }

    private init(bank: Bank, campoLivre: String, dueDate: BankDate, amountCents: Int64, nossoNumero: NossoNumero?) throws(BoletoError) {
        guard campoLivre.count == 25, Digits.isDigits(campoLivre) else {
            throw .invalidField(name: "campo livre", reason: "must be 25 digits, not '\(campoLivre)'")
        }
        guard let amount = Digits.padded(amountCents, width: 10) else { throw .amountOutOfRange(cents: amountCents) }
        let factor = try DueDateFactor.factor(for: dueDate)
        let factorDigits = Digits.leftPadded(String(factor), width: 4)
        let body = bank.code + "9" + factorDigits + amount + campoLivre
        let dv = CheckDigit.barcodeMod11(body)
        let barcode = bank.code + "9" + String(dv) + factorDigits + amount + campoLivre
        let line: BoletoLine
        do {
            line = try BoletoLine(barcode, today: dueDate.description)
        } catch {
            // Cannot happen for a barcode built above; reported rather than trapped.
            throw .invalidField(name: "barcode", reason: "\(barcode) was refused by BoletoLine: \(error.description)")
        }
        self.bank = bank
        self.nossoNumero = nossoNumero
        self.dueDate = dueDate
        self.dueDateFactor = factor
        self.amountCents = amountCents
        self.campoLivre = campoLivre
        self.barcode = barcode
        self.digitableLine = line.digits
        self.formattedLine = line.formatted
    }
}
