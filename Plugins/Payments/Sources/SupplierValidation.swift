import ContonAPI
import ContonBrazil
import ContonKit
import Foundation

/// Checks and normalises a supplier: every violation is collected with its field path
/// (`supplier.document`, `supplier.emails[1]`, `supplier.bank_account.agency`); nothing is
/// written when there is any. The rules are in docs/PAYMENTS.md ("Suppliers").
enum SupplierValidation {
    typealias Supplier = Conton_Payments_V1_Supplier

    static let maxText = 200
    static let maxNotes = 4000
    static let maxListEntries = 10

    /// Fields a caller never writes.
    static let outputOnly: Set<String> = ["id", "document_formatted", "status", "version", "created_at_ms", "updated_at_ms", "archived_at_ms"]

    static func normalized(_ input: Supplier, prefix: String = "supplier") -> (Supplier, FieldErrors) {
        var s = input
        var errors = FieldErrors()
        func path(_ p: String) -> String { "\(prefix).\(p)" }

        func text(_ value: inout String, _ field: String, max: Int = maxText, required: Bool = false, multiline: Bool = false) {
            value = TextRules.clean(value, path(field), max: max, required: required, multiline: multiline, errors: &errors)
        }

        let individual: Bool
        switch s.personType {
        case .individual: individual = true
        case .company: individual = false
        default:
            errors.add(path("person_type"), "is required: PERSON_TYPE_INDIVIDUAL (PF) or PERSON_TYPE_COMPANY (PJ)")
            individual = SearchKey.taxID(s.document).count == 11
        }
        let known = s.personType == .individual || s.personType == .company
        text(&s.name, "name", required: true)
        text(&s.tradeName, "trade_name")
        if individual && known && !s.tradeName.isEmpty { errors.add(path("trade_name"), "is for companies (PJ) only") }

        let raw = s.document.trimmingCharacters(in: .whitespacesAndNewlines)
        if raw.isEmpty {
            errors.add(path("document"), individual ? "CPF is required" : "CNPJ is required")
        } else if known && individual {
            do { s.document = try CPF(raw).digits } catch { errors.add(path("document"), error.description) }
        } else if known {
            do { s.document = try CNPJ(raw).value } catch { errors.add(path("document"), error.description) }
        } else if let id = try? TaxID(raw) {
            s.document = id.value
        } else {
            errors.add(path("document"), "is not a valid CPF or CNPJ")
        }

        if s.emails.count > maxListEntries { errors.add(path("emails"), "at most \(maxListEntries)") }
        for (i, e) in s.emails.enumerated() {
            do { s.emails[i] = try EmailAddress(e.trimmingCharacters(in: .whitespaces)).normalized } catch { errors.add(path("emails[\(i)]"), error.description) }
        }
        if s.phones.count > maxListEntries { errors.add(path("phones"), "at most \(maxListEntries)") }
        for (i, p) in s.phones.enumerated() {
            do { s.phones[i] = try BrazilianPhone(p).formatted } catch { errors.add(path("phones[\(i)]"), error.description) }
        }

        if s.hasAddress {
            var a = s.address
            a.cep = a.cep.trimmingCharacters(in: .whitespaces)
            if !a.cep.isEmpty {
                do { a.cep = try CEP(a.cep).digits } catch { errors.add(path("address.cep"), error.description) }
            }
            a.uf = a.uf.trimmingCharacters(in: .whitespaces).uppercased()
            if !a.uf.isEmpty {
                do { a.uf = try UF(a.uf).code } catch { errors.add(path("address.uf"), error.description) }
            }
            text(&a.street, "address.street")
            text(&a.number, "address.number", max: 20)
            text(&a.complement, "address.complement")
            text(&a.district, "address.district")
            text(&a.city, "address.city")
            s.address = a
            if a == Conton_Clients_V1_Address() { s.clearAddress() }
        }

        if s.hasPix {
            s.pix.value = s.pix.value.trimmingCharacters(in: .whitespacesAndNewlines)
            if s.pix.value.isEmpty && s.pix.type == .unspecified { s.clearPix() } else { s.pix.normalize(at: path("pix"), errors: &errors) }
        }

        if s.hasBankAccount {
            var b = s.bankAccount
            for keyPath in [\Conton_Payments_V1_BankAccount.bankCode, \.agency, \.agencyDigit, \.account, \.accountDigit] {
                b[keyPath: keyPath] = b[keyPath: keyPath].trimmingCharacters(in: .whitespaces).uppercased()
            }
            b.account = b.account.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ".", with: "")
            if b == Conton_Payments_V1_BankAccount() {
                s.clearBankAccount()
            } else {
                func digits(_ value: String, _ field: String, _ range: ClosedRange<Int>, _ what: String) {
                    if !range.contains(value.count) || !value.allSatisfy(\.isASCIIDigit) { errors.add(path("bank_account.\(field)"), "must be \(what)") }
                }
                digits(b.bankCode, "bank_code", 3...3, "the bank's 3-digit code (e.g. 001, 341)")
                digits(b.agency, "agency", 1...5, "1 to 5 digits")
                digits(b.account, "account", 1...20, "1 to 20 digits")
                if !b.agencyDigit.isEmpty && !(b.agencyDigit.count == 1 && (b.agencyDigit.first!.isASCIIDigit || b.agencyDigit == "X")) {
                    errors.add(path("bank_account.agency_digit"), "must be one digit or X")
                }
                if !(b.accountDigit.count == 1 && (b.accountDigit.first!.isASCIIDigit || b.accountDigit == "X")) {
                    errors.add(path("bank_account.account_digit"), "must be one digit or X")
                }
                if case .unrecognized(let n) = b.type { errors.add(path("bank_account.type"), "\(n) is not an account type") }
                s.bankAccount = b
            }
        }

        s.ownerCpf = s.ownerCpf.trimmingCharacters(in: .whitespaces)
        if s.meiPaidToOwnerCpf {
            if known && individual { errors.add(path("mei_paid_to_owner_cpf"), "is for MEI companies (PJ) only") }
            if s.ownerCpf.isEmpty {
                errors.add(path("owner_cpf"), "is required when the MEI is paid to its owner's CPF")
            } else {
                do { s.ownerCpf = try CPF(s.ownerCpf).digits } catch { errors.add(path("owner_cpf"), error.description) }
            }
        } else if !s.ownerCpf.isEmpty {
            do { s.ownerCpf = try CPF(s.ownerCpf).digits } catch { errors.add(path("owner_cpf"), error.description) }
        }
        s.defaultCategoryId = s.defaultCategoryId.trimmingCharacters(in: .whitespaces)
        text(&s.notes, "notes", max: maxNotes, multiline: true)
        return (s, errors)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

