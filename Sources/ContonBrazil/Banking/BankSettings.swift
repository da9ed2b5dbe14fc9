/// An office's billing agreement with its bank: what the bank gave it to issue boletos and
/// exchange CNAB files.
///
/// Every value is the digits as the bank printed them (leading zeros optional; they are padded to
/// each bank's width). What each bank needs:
///
/// | setting | Banco do Brasil (001) | Sicoob (756) | Itaú (341) |
/// |---|---|---|---|
/// | ``agency`` | agência, ≤ 4 digits | cooperativa, ≤ 4 digits | agência, ≤ 4 digits |
/// | ``agencyDigit`` | mod 11 digit (0–9 or X), checked | as printed (CNAB only) | unused |
/// | ``account`` | conta, ≤ 8 digits (CNAB) | conta corrente, ≤ 12 digits (CNAB) | conta, ≤ 5 digits |
/// | ``accountDigit`` | mod 11 digit (0–9 or X), checked | as printed (CNAB only) | DAC, checked (mod 10 of agência + conta) |
/// | ``wallet`` | carteira, 2 digits (17, 18, …) | carteira, 1 digit (1 = simples) | carteira, 3 digits (109, 175, …) |
/// | ``walletVariation`` | variação, ≤ 3 digits (CNAB header) | unused | unused |
/// | ``beneficiaryCode`` | convênio, exactly 7 digits | código do cliente/beneficiário, ≤ 7 digits | unused |
/// | ``modality`` | unused | modalidade, 2 digits (01 = simples com registro) | unused |
///
/// Only BB's 7-digit convênio (nosso número = convênio + 10-digit sequence) is supported; 4-, 6-
/// and 8-digit convênios are refused.
public struct BankSettings: Sendable, Hashable, Codable {
    /// A setting, named as the errors name it.
    public enum Field: String, Sendable, Hashable, Codable, CaseIterable {
        case bankCode, agency, agencyDigit, account, accountDigit, wallet, walletVariation, beneficiaryCode, modality
    }

    /// The 3-digit bank code: `"001"`, `"756"` or `"341"`.
    public var bankCode: String
    /// Agência (Sicoob: cooperativa), without its digit.
    public var agency: String
    /// The agency's check digit ("" when the bank has none).
    public var agencyDigit: String
    /// Conta corrente, without its digit.
    public var account: String
    /// The account's check digit (DAC).
    public var accountDigit: String
    /// Carteira.
    public var wallet: String
    /// Variação da carteira (Banco do Brasil's CNAB header).
    public var walletVariation: String
    /// Convênio (BB) or código do beneficiário (Sicoob).
    public var beneficiaryCode: String
    /// Modalidade de cobrança (Sicoob), "01" unless the cooperative said otherwise.
    public var modality: String

    /// Makes settings; nothing is checked until a boleto or file is made from them.
    public init(bankCode: String, agency: String, agencyDigit: String = "", account: String, accountDigit: String = "",
                wallet: String, walletVariation: String = "", beneficiaryCode: String = "", modality: String = "01") {
        self.bankCode = bankCode
        self.agency = agency
        self.agencyDigit = agencyDigit
        self.account = account
        self.accountDigit = accountDigit
        self.wallet = wallet
        self.walletVariation = walletVariation
        self.beneficiaryCode = beneficiaryCode
        self.modality = modality
    }

    /// The settings checked and padded for their bank.
    /// - Throws: ``BoletoError/unsupportedBank(code:)`` or ``BoletoError/invalidSetting(field:reason:)``
    ///   naming the first wrong field.
    public func validated() throws(BoletoError) -> ValidBankSettings {
        let bank = try Bank(code: bankCode)
        switch bank {
        case .bancoDoBrasil:
            let agency = try Self.digits(self.agency, .agency, max: 4, pad: 4)
            let account = try Self.digits(self.account, .account, max: 8, pad: 8)
            let agencyDigit = try Self.checkDigit(self.agencyDigit, .agencyDigit, expected: CheckDigit.bancoDoBrasil(agency),
                                                  of: "agency \(agency)", rule: "mod 11")
            let accountDigit = try Self.checkDigit(self.accountDigit, .accountDigit, expected: CheckDigit.bancoDoBrasil(account),
                                                   of: "account \(account)", rule: "mod 11")
            let wallet = try Self.digits(self.wallet, .wallet, max: 2, pad: 2)
            let variation = self.walletVariation.isEmpty ? "" : try Self.digits(self.walletVariation, .walletVariation, max: 3, pad: 3)
            let convenio = self.beneficiaryCode
            guard Digits.isDigits(convenio), convenio.count == 7, !convenio.hasPrefix("0") else {
                throw .invalidSetting(field: .beneficiaryCode, reason:
                    "Banco do Brasil convênio must have exactly 7 digits (1000000 or above), not '\(convenio)'; 4-, 6- and 8-digit convênios are not supported")
            }
            return ValidBankSettings(bank: bank, agency: agency, agencyDigit: agencyDigit, account: account,
                                     accountDigit: accountDigit, wallet: wallet, walletVariation: variation,
                                     beneficiaryCode: convenio, modality: "")
        case .sicoob:
            let agency = try Self.digits(self.agency, .agency, max: 4, pad: 4)
            let agencyDigit = try Self.optionalDigit(self.agencyDigit, .agencyDigit)
            let account = try Self.digits(self.account, .account, max: 12, pad: 12)
            let accountDigit = try Self.optionalDigit(self.accountDigit, .accountDigit)
            let wallet = try Self.digits(self.wallet, .wallet, max: 1, pad: 1)
            let client = try Self.digits(self.beneficiaryCode, .beneficiaryCode, max: 7, pad: 7)
            let modality = try Self.digits(self.modality, .modality, max: 2, pad: 2)
            return ValidBankSettings(bank: bank, agency: agency, agencyDigit: agencyDigit, account: account,
                                     accountDigit: accountDigit, wallet: wallet, walletVariation: "",
                                     beneficiaryCode: client, modality: modality)
        case .itau:
            let agency = try Self.digits(self.agency, .agency, max: 4, pad: 4)
            let account = try Self.digits(self.account, .account, max: 5, pad: 5)
            let dac = String(CheckDigit.mod10(agency + account))
            let accountDigit = try Self.checkDigit(self.accountDigit, .accountDigit, expected: dac,
                                                   of: "agency \(agency) + account \(account)", rule: "mod 10")
            let wallet = try Self.digits(self.wallet, .wallet, max: 3, pad: 3)
            if Self.itauSpecialWallets.contains(wallet) {
                throw .invalidSetting(field: .wallet, reason:
                    "Itaú carteira \(wallet) uses a different barcode layout (seu número + código do cliente), which is not supported")
            }
            return ValidBankSettings(bank: bank, agency: agency, agencyDigit: "", account: account,
                                     accountDigit: accountDigit, wallet: wallet, walletVariation: "",
                                     beneficiaryCode: "", modality: "")
        }
    }

    /// Itaú carteiras whose campo livre carries seu número and código do cliente instead of
    /// agência/conta (Itaú's manual, as quoted in brcobranca `lib/brcobranca/boleto/itau.rb`).
    static let itauSpecialWallets: Set<String> = ["106", "107", "122", "142", "143", "195", "196", "198"]

    static func digits(_ value: String, _ field: Field, max: Int, pad: Int) throws(BoletoError) -> String {
        guard Digits.isDigits(value) else {
            throw .invalidSetting(field: field, reason: value.isEmpty ? "is empty" : "must be digits only, not '\(value)'")
        }
        guard value.count <= max else {
            throw .invalidSetting(field: field, reason: "must have at most \(max) digits, not \(value.count) ('\(value)')")
        }
        return Digits.leftPadded(value, width: pad)
    }

    static func checkDigit(_ value: String, _ field: Field, expected: String, of what: String, rule: String) throws(BoletoError) -> String {
        let v = value.uppercased()
        if v.isEmpty { return expected }
        guard v == expected else {
            throw .invalidSetting(field: field, reason: "'\(value)' is not the check digit of \(what); by the bank's \(rule) it is '\(expected)'")
        }
        return v
    }

    static func optionalDigit(_ value: String, _ field: Field) throws(BoletoError) -> String {
        let v = value.uppercased()
        guard v.isEmpty || (v.count == 1 && (Digits.isDigits(v) || v == "X")) else {
            throw .invalidSetting(field: field, reason: "must be one digit (or X), not '\(value)'")
        }
        return v.isEmpty ? "0" : v
    }
}

/// ``BankSettings`` checked for their bank, every value padded to the bank's width.
public struct ValidBankSettings: Sendable, Hashable {
    /// The bank.
    public let bank: Bank
    /// Agência/cooperativa, 4 digits.
    public let agency: String
    /// The agency's digit (BB: computed when not given; Sicoob: "0" when not given; Itaú: "").
    public let agencyDigit: String
    /// Conta: BB 8 digits, Sicoob 12, Itaú 5.
    public let account: String
    /// The account's digit (BB/Itaú: computed when not given; Sicoob: "0" when not given).
    public let accountDigit: String
    /// Carteira: BB 2 digits, Sicoob 1, Itaú 3.
    public let wallet: String
    /// BB's variação, 3 digits, or "" when not given.
    public let walletVariation: String
    /// BB convênio (7 digits) or Sicoob cliente (7 digits); "" for Itaú.
    public let beneficiaryCode: String
    /// Sicoob modalidade, 2 digits; "" otherwise.
    public let modality: String
}
