import ContonAPI
import ContonBrazil
import ContonKit
import Foundation

/// Checks and normalises a profile before it is stored. Every field may be empty (the office
/// fills Meus Dados in over time); a filled field must be valid. Violations name the field's
/// path in the request (`profile.registration.cnpj`).
enum ProfileValidation {
    static func normalized(_ input: Conton_Office_V1_OfficeProfile, prefix: String = "profile") -> (Conton_Office_V1_OfficeProfile, FieldErrors) {
        var p = input
        var errors = FieldErrors()
        func path(_ s: String) -> String { "\(prefix).\(s)" }
        func text(_ value: inout String, _ field: String, max: Int) {
            value = value.trimmingCharacters(in: .whitespacesAndNewlines)
            if value.count > max { errors.add(path(field), "must have at most \(max) characters") }
        }
        func check<T>(_ value: inout String, _ field: String, _ parse: (String) throws(BrazilValidationError) -> T, _ render: (T) -> String) {
            value = value.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !value.isEmpty else { return }
            do {
                value = render(try parse(value))
            } catch {
                errors.add(path(field), error.description)
            }
        }
        func digits(_ value: inout String, _ field: String, _ range: ClosedRange<Int>, what: String) {
            value = value.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !value.isEmpty else { return }
            if !range.contains(value.count) || !value.allSatisfy({ $0.isASCII && $0.isNumber }) {
                errors.add(path(field), "must be \(what)")
            }
        }

        // Registration.
        text(&p.registration.legalName, "registration.legal_name", max: 200)
        text(&p.registration.tradeName, "registration.trade_name", max: 200)
        check(&p.registration.cnpj, "registration.cnpj", { (s) throws(BrazilValidationError) in try CNPJ(s) }, \.value)
        text(&p.registration.stateRegistration, "registration.state_registration", max: 20)
        p.registration.stateRegistration = p.registration.stateRegistration.uppercased()
        text(&p.registration.municipalRegistration, "registration.municipal_registration", max: 20)
        text(&p.registration.address.street, "registration.address.street", max: 200)
        text(&p.registration.address.number, "registration.address.number", max: 20)
        text(&p.registration.address.complement, "registration.address.complement", max: 100)
        text(&p.registration.address.district, "registration.address.district", max: 100)
        text(&p.registration.address.city, "registration.address.city", max: 100)
        check(&p.registration.address.uf, "registration.address.uf", { (s) throws(BrazilValidationError) in try UF(s) }, \.rawValue)
        check(&p.registration.address.cep, "registration.address.cep", { (s) throws(BrazilValidationError) in try CEP(s) }, \.digits)
        check(&p.registration.phone, "registration.phone", { (s) throws(BrazilValidationError) in try BrazilianPhone(s) }, \.e164)
        check(&p.registration.mobile, "registration.mobile", { (s) throws(BrazilValidationError) in try BrazilianPhone(s) }, \.e164)
        check(&p.registration.email, "registration.email", { (s) throws(BrazilValidationError) in try EmailAddress(s) }, \.normalized)
        text(&p.registration.website, "registration.website", max: 200)
        if !p.registration.website.isEmpty {
            if !p.registration.website.lowercased().hasPrefix("http") { p.registration.website = "https://" + p.registration.website }
            if URL(string: p.registration.website)?.host == nil || p.registration.website.contains(" ") {
                errors.add(path("registration.website"), "is not a web address")
            }
        }

        // Boleto.
        digits(&p.boleto.bankCode, "boleto.bank_code", 3...3, what: "the bank's 3-digit code (e.g. 001, 341)")
        digits(&p.boleto.agency, "boleto.agency", 1...5, what: "1 to 5 digits")
        digits(&p.boleto.account, "boleto.account", 1...12, what: "1 to 12 digits")
        for (value, field) in [(\Conton_Office_V1_BoletoSettings.agencyDigit, "boleto.agency_digit"), (\.accountDigit, "boleto.account_digit")] {
            var digit = p.boleto[keyPath: value].trimmingCharacters(in: .whitespaces).uppercased()
            if !digit.isEmpty && (digit.count > 2 || !digit.allSatisfy({ $0.isNumber || $0 == "X" })) {
                errors.add(path(field), "must be a check digit (0-9 or X)")
            }
            p.boleto[keyPath: value] = digit
            digit = ""
        }
        text(&p.boleto.wallet, "boleto.wallet", max: 5)
        text(&p.boleto.beneficiaryCode, "boleto.beneficiary_code", max: 20)
        digits(&p.boleto.walletVariation, "boleto.wallet_variation", 1...3, what: "1 to 3 digits")
        digits(&p.boleto.modality, "boleto.modality", 1...2, what: "1 or 2 digits")
        text(&p.boleto.instructions, "boleto.instructions", max: 5 * 81)
        let lines = p.boleto.instructions.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.count > 5 || lines.contains(where: { $0.count > 80 }) {
            errors.add(path("boleto.instructions"), "must fit the boleto: at most 5 lines of 80 characters")
        }
        if !(0...2000).contains(p.boleto.fineBasisPoints) {
            errors.add(path("boleto.fine_basis_points"), "must be 0 to 2000 (0 % to 20 %)")
        }
        if !(0...1000).contains(p.boleto.monthlyInterestBasisPoints) {
            errors.add(path("boleto.monthly_interest_basis_points"), "must be 0 to 1000 (0 % to 10 % a month)")
        }

        // Accountant.
        text(&p.accountant.name, "accountant.name", max: 200)
        check(&p.accountant.cpf, "accountant.cpf", { (s) throws(BrazilValidationError) in try CPF(s) }, \.digits)
        text(&p.accountant.crcNumber, "accountant.crc_number", max: 20)
        p.accountant.crcNumber = p.accountant.crcNumber.uppercased()
        if !p.accountant.crcNumber.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || "/-. ".contains($0) }) {
            errors.add(path("accountant.crc_number"), "may hold letters, digits and / - . only")
        }
        check(&p.accountant.crcUf, "accountant.crc_uf", { (s) throws(BrazilValidationError) in try UF(s) }, \.rawValue)

        // Pix.
        if p.hasPix {
            p.pix.value = p.pix.value.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if p.hasPix && (!p.pix.value.isEmpty || p.pix.type != .unspecified) {
            p.pix.normalize(at: path("pix"), errors: &errors)
        }
        return (p, errors)
    }
}
