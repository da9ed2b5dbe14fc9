import ClientsCapability
import ContonAPI
import ContonBrazil
import ContonDocuments
import ContonKit
import Foundation
import GRDB

/// Issuing a boleto, inside the caller's transaction: Meus Dados checked for what a boleto needs,
/// the next nosso número of the agreement, the bar code and line, the Pix payload, the printed
/// snapshot, the row and its audit entry.
enum BoletoIssue {
    /// Meus Dados as a boleto needs it, checked.
    struct Beneficiary {
        var settings: ValidBankSettings
        var raw: BankSettings
        var name: String
        var document: String
        var address: String
        var city: String
        var fineBasisPoints: Int32
        var monthlyInterestBasisPoints: Int32
        var instructions: [String]
        var pixKey: PixKey?

        /// The agreement a nosso número sequence belongs to: bank, agency, account and code.
        var agreement: String {
            [settings.bank.code, settings.agency, settings.account, settings.beneficiaryCode].joined(separator: ":")
        }

        /// What the ficha prints as "Agência / Código do beneficiário".
        var agencyAndCode: String {
            let agency = settings.agency + (settings.agencyDigit.isEmpty ? "" : "-\(settings.agencyDigit)")
            switch settings.bank {
            case .bancoDoBrasil, .itau:
                return "\(agency) / \(settings.account)" + (settings.accountDigit.isEmpty ? "" : "-\(settings.accountDigit)")
            case .sicoob:
                return "\(settings.agency) / \(settings.beneficiaryCode)"
            }
        }
    }

    /// The Meus Dados field a bank setting is kept in.
    static func field(_ f: BankSettings.Field) -> String {
        switch f {
        case .bankCode: "boleto.bank_code"
        case .agency: "boleto.agency"
        case .agencyDigit: "boleto.agency_digit"
        case .account: "boleto.account"
        case .accountDigit: "boleto.account_digit"
        case .wallet: "boleto.wallet"
        case .walletVariation: "boleto.wallet_variation"
        case .beneficiaryCode: "boleto.beneficiary_code"
        case .modality: "boleto.modality"
        }
    }

    /// Meus Dados checked for a boleto: FAILED_PRECONDITION `BOLETO_SETTINGS_INCOMPLETE` naming
    /// every missing or wrong field at once.
    static func beneficiary(_ profile: Conton_Office_V1_OfficeProfile?) throws -> Beneficiary {
        let p = profile ?? Conton_Office_V1_OfficeProfile()
        var problems: [String] = []
        let name = p.registration.legalName
        if name.isEmpty { problems.append("registration.legal_name is empty (the beneficiário's name)") }
        if p.registration.cnpj.isEmpty { problems.append("registration.cnpj is empty (the beneficiário's CNPJ)") }
        let b = p.boleto
        let raw = BankSettings(bankCode: b.bankCode, agency: b.agency, agencyDigit: b.agencyDigit, account: b.account,
                               accountDigit: b.accountDigit, wallet: b.wallet, walletVariation: b.walletVariation,
                               beneficiaryCode: b.beneficiaryCode, modality: b.modality.isEmpty ? "01" : b.modality)
        var settings: ValidBankSettings?
        if b.bankCode.isEmpty {
            problems.append("boleto.bank_code is empty (001 Banco do Brasil, 341 Itaú or 756 Sicoob)")
        } else {
            do throws(BoletoError) {
                settings = try raw.validated()
            } catch {
                switch error {
                case .invalidSetting(let f, let reason): problems.append("\(field(f)): \(reason)")
                case .unsupportedBank(let code):
                    problems.append("boleto.bank_code \(code) is not supported: 001 Banco do Brasil, 341 Itaú or 756 Sicoob")
                default: problems.append("boleto: \(error.description)")
                }
            }
        }
        let pixKey = p.pix.validKey
        if p.pix.type != .unspecified && pixKey == nil { problems.append("pix.value is not a valid \(p.pix.type) key") }
        if pixKey != nil && p.registration.address.city.isEmpty {
            problems.append("registration.address.city is empty (a Pix payload names the receiver's city)")
        }
        guard problems.isEmpty, let settings else {
            throw ServiceError(.failedPrecondition, "Meus Dados lacks what a boleto needs: " + problems.joined(separator: "; "),
                               reason: "BOLETO_SETTINGS_INCOMPLETE")
        }
        let a = p.registration.address
        var instructions: [String] = []
        if b.fineBasisPoints > 0 { instructions.append("Após o vencimento, multa de \(percent(b.fineBasisPoints)).") }
        if b.monthlyInterestBasisPoints > 0 {
            instructions.append("Após o vencimento, juros de mora de \(percent(b.monthlyInterestBasisPoints)) ao mês, pro rata die.")
        }
        instructions += b.instructions.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        return Beneficiary(settings: settings, raw: raw, name: name, document: TaxID.formatted(p.registration.cnpj),
                           address: DocumentFormat.address(street: a.street, number: a.number, complement: a.complement,
                                                           district: a.district, city: a.city, uf: a.uf, cep: a.cep),
                           city: a.city, fineBasisPoints: b.fineBasisPoints, monthlyInterestBasisPoints: b.monthlyInterestBasisPoints,
                           instructions: instructions, pixKey: pixKey)
    }

    /// "2,00 %" from 200 basis points.
    static func percent(_ basisPoints: Int32) -> String {
        let whole = basisPoints / 100, cents = basisPoints % 100
        return "\(whole),\(cents < 10 ? "0" : "")\(cents) %"
    }

    /// The payer, checked: a registered boleto needs the client's address (CEP, city, UF).
    static func payer(_ clientID: String, clients: any ClientRegistry, in db: Database)
        throws -> (summary: ClientSummary, lines: [String], address: ClientPostalAddress) {
        let client = try clients.require(clientID, in: db)
        let address = try clients.postalAddress(of: clientID, in: db)
        var missing: [String] = []
        if (address?.street ?? "").isEmpty { missing.append("address.street") }
        if (address?.cep ?? "").isEmpty { missing.append("address.cep") }
        if (address?.city ?? "").isEmpty { missing.append("address.city") }
        if (address?.uf ?? "").isEmpty { missing.append("address.uf") }
        if !missing.isEmpty {
            throw ServiceError(.failedPrecondition, "client \(clientID) has no complete address (\(missing.joined(separator: ", "))): " +
                               "the bank registers a boleto with the payer's address", reason: "PAYER_ADDRESS_MISSING",
                               resource: ErrorDetails.Resource(type: "conton.clients.v1.Client", name: clientID))
        }
        let a = address!
        let street = [a.street, a.number, a.complement].filter { !$0.isEmpty }.joined(separator: ", ")
        let place = DocumentFormat.address(street: "", number: "", complement: "", district: a.district, city: a.city, uf: a.uf, cep: a.cep)
        return (client, [street, place], a)
    }

    /// The Pix payload charging `amountCents` for receivable `receivableID`.
    static func pix(_ beneficiary: Beneficiary, receivableID: Int64, amountCents: Int64) throws -> PixPayload? {
        guard let key = beneficiary.pixKey else { return nil }
        do throws(PixError) {
            return try PixPayload(key: key, merchantName: beneficiary.name, merchantCity: beneficiary.city, amountCents: amountCents,
                                  txid: txid(receivableID))
        } catch {
            throw ServiceError(.failedPrecondition, "the Pix payload cannot be made from Meus Dados: \(error)", reason: "PIX_SETTINGS_INVALID")
        }
    }

    /// The txid naming a receivable: "CONTON" and its id in 19 digits (25 alphanumerics).
    static func txid(_ receivableID: Int64) -> String {
        let digits = String(receivableID)
        return "CONTON" + String(repeating: "0", count: max(0, 19 - digits.count)) + digits
    }

    /// The next sequence of `agreement`: one more than the last ever used (a cancelled boleto's
    /// number stays used).
    static func nextSequence(_ agreement: String, in db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: """
            INSERT INTO billing_sequence (agreement, last_value) VALUES (?, 1)
            ON CONFLICT (agreement) DO UPDATE SET last_value = last_value + 1 RETURNING last_value
            """, arguments: [agreement])!
    }
}
