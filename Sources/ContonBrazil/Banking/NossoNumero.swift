/// A boleto's *nosso número* (the bank's id of the slip) and the barcode's campo livre built
/// from it, by each bank's rule.
///
/// | bank | nosso número | campo livre (25 digits) |
/// |---|---|---|
/// | 001, 7-digit convênio | convênio (7) + sequence (10), no check digit | `000000` + nosso número (17) + carteira (2) |
/// | 756 | sequence (7) + DV (Sicoob: weights 3197 over cooperativa 4 + cliente 10 + sequence 7) | carteira (1) + cooperativa (4) + modalidade (2) + cliente (7) + nosso número (8) + parcela `001` |
/// | 341 | sequence (8) + DAC (mod 10 of agência + conta + carteira + sequence; carteiras 112, 126, 131, 146, 150, 168: carteira + sequence) | carteira (3) + sequence (8) + DAC + agência (4) + conta (5) + DAC of agência + conta + `000` |
public struct NossoNumero: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The bank.
    public let bank: Bank
    /// The sequence number it was made from.
    public let sequence: Int64
    /// Digits only, check digit included where the bank has one: BB 17, Sicoob 8, Itaú 8 + 1.
    public let digits: String
    /// As printed on the slip: BB `"12387987777700168"`, Sicoob `"0000003-5"`, Itaú `"109/00010152-7"`.
    public let formatted: String
    /// The 25-digit campo livre of the barcode.
    public let campoLivre: String

    /// The nosso número of `sequence` under `settings`.
    /// - Throws: ``BoletoError`` for bad settings or a sequence that is ≤ 0 or too large.
    public init(settings: BankSettings, sequence: Int64) throws(BoletoError) {
        try self.init(settings: settings.validated(), sequence: sequence)
    }

    /// The nosso número of `sequence` under already validated settings.
    /// - Throws: ``BoletoError/sequenceOutOfRange(sequence:maximum:)``.
    public init(settings s: ValidBankSettings, sequence: Int64) throws(BoletoError) {
        self.bank = s.bank
        self.sequence = sequence
        let width = Self.sequenceWidth(s.bank)
        let maximum = Digits.maxValue(width: width)
        guard sequence >= 1, let seq = Digits.padded(sequence, width: width) else {
            throw .sequenceOutOfRange(sequence: sequence, maximum: maximum)
        }
        switch s.bank {
        case .bancoDoBrasil:
            digits = s.beneficiaryCode + seq
            formatted = digits
            campoLivre = "000000" + digits + s.wallet
        case .sicoob:
            let dv = CheckDigit.sicoob(cooperative: s.agency, client: s.beneficiaryCode, sequence: seq)
            digits = seq + String(dv)
            formatted = seq + "-" + String(dv)
            campoLivre = s.wallet + s.agency + s.modality + s.beneficiaryCode + digits + "001"
        case .itau:
            let dac = Self.itauDAC(agency: s.agency, account: s.account, wallet: s.wallet, sequence: seq)
            digits = seq + String(dac)
            formatted = s.wallet + "/" + seq + "-" + String(dac)
            campoLivre = s.wallet + seq + String(dac) + s.agency + s.account + s.accountDigit + "000"
        }
    }

    /// How many digits of the nosso número the sequence may use: BB 10, Sicoob 7, Itaú 8.
    public static func sequenceWidth(_ bank: Bank) -> Int {
        switch bank {
        case .bancoDoBrasil: 10
        case .sicoob: 7
        case .itau: 8
        }
    }

    /// Itaú carteiras whose DAC leaves agência and conta out.
    static let itauWalletsWithoutAccountInDAC: Set<String> = ["112", "126", "131", "146", "150", "168"]

    static func itauDAC(agency: String, account: String, wallet: String, sequence: String) -> Int {
        itauWalletsWithoutAccountInDAC.contains(wallet)
            ? CheckDigit.mod10(wallet + sequence)
            : CheckDigit.mod10(agency + account + wallet + sequence)
    }

    /// Checks that `digits` is a nosso número this bank could have issued under `settings`
    /// (shape, convênio prefix, check digit), as a CNAB registration carries it.
    static func check(_ digits: String, settings s: ValidBankSettings) throws(BoletoError) {
        switch s.bank {
        case .bancoDoBrasil:
            guard digits.count == 17, Digits.isDigits(digits), digits.hasPrefix(s.beneficiaryCode) else {
                throw .invalidField(name: "nosso número", reason:
                    "'\(digits)' must be 17 digits starting with the convênio \(s.beneficiaryCode)")
            }
        case .sicoob:
            guard digits.count == 8, Digits.isDigits(digits) else {
                throw .invalidField(name: "nosso número", reason: "'\(digits)' must be 8 digits (7 + check digit)")
            }
            let dv = CheckDigit.sicoob(cooperative: s.agency, client: s.beneficiaryCode, sequence: String(digits.prefix(7)))
            guard String(dv) == String(digits.suffix(1)) else {
                throw .invalidField(name: "nosso número", reason:
                    "'\(digits)': its check digit should be \(dv) for cooperativa \(s.agency) and cliente \(s.beneficiaryCode)")
            }
        case .itau:
            guard digits.count == 9, Digits.isDigits(digits) else {
                throw .invalidField(name: "nosso número", reason: "'\(digits)' must be 9 digits (8 + DAC)")
            }
        }
    }

    /// The printed form.
    public var description: String { formatted }
}
