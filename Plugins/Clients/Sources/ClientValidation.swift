import ContonAPI
import ContonBrazil
import ContonKit
import Foundation

/// Checks and normalises a client's registration: every violation is collected (field paths
/// like `client.document`, `client.address.cep`, `client.phones[1]`) so the caller reports them
/// all at once; nothing is written when there is any. The rules are in docs/CLIENTS.md.
enum ClientValidation {
    typealias Client = Conton_Clients_V1_Client

    static let maxText = 200
    static let maxNotes = 4000
    static let maxListEntries = 10
    /// R$ 100 million a month: far above any fee, far below overflow.
    static let maxFeeCents: Int64 = 10_000_000_000

    /// The normalised client and the violations found. Output-only fields are cleared.
    static func normalized(_ input: Client, prefix: String = "client", today: CivilDate) -> (Client, FieldErrors) {
        // Output only: whatever the caller sent is ignored.
        var c = ClientStore.registration(of: input)
        var errors = FieldErrors()
        func path(_ s: String) -> String { "\(prefix).\(s)" }

        func text(_ value: inout String, _ field: String, max: Int = maxText, required: Bool = false) {
            value = trimmed(value)
            if value.isEmpty {
                if required { errors.add(path(field), "is required") }
            } else if value.count > max {
                errors.add(path(field), "must have at most \(max) characters")
            } else if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\r" && $0 != "\t" }) {
                errors.add(path(field), "must not contain control characters")
            } else if field != "notes" && value.contains(where: \.isNewline) {
                errors.add(path(field), "must be one line")
            }
        }

        let individual: Bool
        switch c.personType {
        case .individual: individual = true
        case .company: individual = false
        default:
            errors.add(path("person_type"), "is required: PERSON_TYPE_INDIVIDUAL (PF) or PERSON_TYPE_COMPANY (PJ)")
            individual = TaxIDKind.guess(c.document) != .cnpj
        }
        let known = c.personType == .individual || c.personType == .company

        text(&c.name, "name", required: true)
        text(&c.tradeName, "trade_name")
        if individual && known && !c.tradeName.isEmpty { errors.add(path("trade_name"), "is for companies (PJ) only") }

        // CPF for PF, CNPJ (numeric or alphanumeric) for PJ.
        let rawDocument = trimmed(c.document)
        if rawDocument.isEmpty {
            errors.add(path("document"), individual ? "CPF is required" : "CNPJ is required")
        } else if known && individual {
            do { c.document = try CPF(rawDocument).digits } catch { errors.add(path("document"), error.description) }
        } else if known {
            do { c.document = try CNPJ(rawDocument).value } catch { errors.add(path("document"), error.description) }
        } else if let id = try? TaxID(rawDocument) {
            c.document = id.value
        } else {
            errors.add(path("document"), "is not a valid CPF or CNPJ")
        }

        c.birthDate = trimmed(c.birthDate)
        if !c.birthDate.isEmpty {
            if known && !individual {
                errors.add(path("birth_date"), "is for individuals (PF) only")
            } else if let date = CivilDate(c.birthDate) {
                if date > today || date.year < 1900 { errors.add(path("birth_date"), "must be between 1900-01-01 and today") }
            } else {
                errors.add(path("birth_date"), "must be a date YYYY-MM-DD")
            }
        }

        c.stateRegistration = trimmed(c.stateRegistration).uppercased()
        if !c.stateRegistration.isEmpty {
            if known && individual {
                errors.add(path("state_registration"), "is for companies (PJ) only")
            } else if c.stateRegistration != "ISENTO" && !registration(c.stateRegistration) {
                errors.add(path("state_registration"), "must be digits (with . - / allowed), at most 20, or ISENTO")
            }
        }
        c.municipalRegistration = trimmed(c.municipalRegistration).uppercased()
        if !c.municipalRegistration.isEmpty {
            if known && individual {
                errors.add(path("municipal_registration"), "is for companies (PJ) only")
            } else if !registration(c.municipalRegistration) {
                errors.add(path("municipal_registration"), "must be digits (with . - / allowed), at most 20")
            }
        }

        let rawEmail = trimmed(c.email)
        if rawEmail.isEmpty {
            errors.add(path("email"), "is required")
        } else {
            do { c.email = try EmailAddress(rawEmail).normalized } catch { errors.add(path("email"), error.description) }
        }
        if c.otherEmails.count > maxListEntries { errors.add(path("other_emails"), "at most \(maxListEntries)") }
        for (i, raw) in c.otherEmails.enumerated() {
            do { c.otherEmails[i] = try EmailAddress(trimmed(raw)).normalized } catch { errors.add(path("other_emails[\(i)]"), error.description) }
        }
        if c.phones.count > maxListEntries { errors.add(path("phones"), "at most \(maxListEntries)") }
        for (i, raw) in c.phones.enumerated() {
            do { c.phones[i] = try BrazilianPhone(raw).formatted } catch { errors.add(path("phones[\(i)]"), error.description) }
        }

        if c.hasAddress {
            var a = c.address
            a.cep = trimmed(a.cep)
            if !a.cep.isEmpty {
                do { a.cep = try CEP(a.cep).digits } catch { errors.add(path("address.cep"), error.description) }
            }
            a.uf = trimmed(a.uf).uppercased()
            if !a.uf.isEmpty {
                do { a.uf = try UF(a.uf).code } catch { errors.add(path("address.uf"), error.description) }
            }
            text(&a.street, "address.street")
            text(&a.number, "address.number", max: 20)
            text(&a.complement, "address.complement")
            text(&a.district, "address.district")
            text(&a.city, "address.city")
            c.address = a
            if a == Conton_Clients_V1_Address() { c.clearAddress() }
        }

        switch c.taxRegime {
        case .unrecognized(let n): errors.add(path("tax_regime"), "\(n) is not a tax regime")
        default: break
        }
        text(&c.contactPerson, "contact_person")
        text(&c.notes, "notes", max: maxNotes)
        if c.monthlyFeeCents < 0 || c.monthlyFeeCents > maxFeeCents {
            errors.add(path("monthly_fee_cents"), "must be 0 to \(maxFeeCents) centavos")
        }
        if !(0...31).contains(c.feeDueDay) { errors.add(path("fee_due_day"), "must be a day 1 to 31 (0: not set)") }
        c.clientSince = trimmed(c.clientSince)
        if !c.clientSince.isEmpty {
            if let date = CivilDate(c.clientSince) {
                if date > today { errors.add(path("client_since"), "must not be in the future") }
            } else {
                errors.add(path("client_since"), "must be a date YYYY-MM-DD")
            }
        }
        return (c, errors)
    }

    private static func trimmed(_ s: String) -> String {
        s.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func registration(_ s: String) -> Bool {
        s.count <= 20 && s.contains(where: \.isNumber)
            && s.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || ("A"..."Z").contains($0) || $0 == "." || $0 == "-" || $0 == "/" }
    }
}

/// Which kind of document a raw input looks like, before the person type is known.
enum TaxIDKind {
    case cpf, cnpj, unknown

    static func guess(_ raw: String) -> TaxIDKind {
        switch SearchKey.taxID(raw).count {
        case 11: .cpf
        case 14: .cnpj
        default: .unknown
        }
    }
}
