import AgendaCapability
import ClientsCapability
import ContonAPI
import ContonBrazil
import ContonKit
import FilesCapability
import GRDB

/// What a protocol shows of its client.
struct ClientFacts: Sendable, Hashable {
    var id: String
    var name: String
    var document: String
    var documentFormatted: String
    var email: String
    var archived: Bool
}

/// The clients plugin's registry as protocols read it.
struct ClientDirectory: Sendable {
    let registry: any ClientRegistry

    func facts(_ id: String, in db: Database) throws -> ClientFacts? {
        try registry.client(id: id, in: db).map(Self.facts)
    }

    /// The client a new protocol is for: the registry's answers for an empty, unknown or archived id.
    func require(_ id: String, field: String, in db: Database) throws -> ClientFacts {
        Self.facts(try registry.require(id, allowArchived: false, field: field, in: db))
    }

    /// The clients of `ids` that exist, by id.
    func facts(ids: [String], in db: Database) throws -> [String: ClientFacts] {
        try registry.clients(ids: ids, in: db).mapValues(Self.facts)
    }

    /// The clients whose CPF/CNPJ is one of `documents` (normalised), by document.
    func facts(documents: [String], in db: Database) throws -> [String: ClientFacts] {
        try registry.clients(documents: documents, in: db).mapValues(Self.facts)
    }

    private static func facts(_ c: ClientSummary) -> ClientFacts {
        ClientFacts(id: c.id, name: c.name, document: c.document, documentFormatted: TaxID.formatted(c.document), email: c.email,
                    archived: c.archived)
    }
}

/// An item that passed validation.
struct ValidItem: Sendable {
    var typeID: Int64
    var typeName: String
    var description: String
    var competence: String
    var dueDate: String
    var amountCents: Int64
    var file: FileFacts?
    /// The agenda obligation it delivers.
    var obligationID: Int64?
}

/// A protocol's editable fields, checked (every violation at once, under `field`).
struct ProtocolDraft: Sendable {
    var title: String
    var message: String
    var delivery: Conton_Protocols_V1_Delivery
    var items: [ValidItem]

    static let maxItems = 50

    /// Checks `p`'s title, message, delivery and items for client `clientID`. `files` is nil when
    /// the files plugin does not run (items with a file are then refused).
    static func validate(_ p: Conton_Protocols_V1_Protocol, clientID: String, files: (any FileCatalog)?,
                         obligations: (any ObligationLedger)?, field: String = "protocol", in db: Database) throws -> ProtocolDraft {
        var errors = FieldErrors()
        let text = validateText(title: p.title, message: p.message, prefix: "\(field).", errors: &errors)
        var title = text.title
        let message = text.message
        let delivery = validateDelivery(p.delivery, field: "\(field).delivery", errors: &errors)
        if p.items.isEmpty { errors.add("\(field).items", "must have 1 to \(maxItems) items") }
        if p.items.count > maxItems { errors.add("\(field).items", "must have at most \(maxItems) items") }
        let fileFacts = try files?.files(p.items.map(\.fileId).filter { !$0.isEmpty }, in: db) ?? [:]
        var items: [ValidItem] = []
        for (i, item) in p.items.prefix(maxItems).enumerated() {
            if let valid = try validateItem(item, clientID: clientID, files: files == nil ? nil : fileFacts, obligations: obligations,
                                            field: "\(field).items[\(i)]",
                                            errors: &errors, in: db) {
                items.append(valid)
            }
        }
        try errors.check()
        if title.isEmpty { title = defaultTitle(items) }
        return ProtocolDraft(title: title, message: message, delivery: delivery, items: items)
    }

    /// The title and the message, trimmed and checked (`prefix` + `title`, `message`).
    static func validateText(title: String, message: String, prefix: String, errors: inout FieldErrors) -> (title: String, message: String) {
        let message = message.trimmingCharacters(in: .whitespacesAndNewlines)
        if message.count > 4000 { errors.add("\(prefix)message", "must have at most 4,000 characters") }
        let title = title.trimmingCharacters(in: .whitespacesAndNewlines)
        if title.count > 200 { errors.add("\(prefix)title", "must have at most 200 characters") }
        if title.contains(where: \.isNewline) { errors.add("\(prefix)title", "must be one line") }
        return (title, message)
    }

    /// "DAS 11/2026", "DAS 11/2026, FGTS 11/2026", "Folha de pagamento e mais 3".
    static func defaultTitle(_ items: [ValidItem]) -> String {
        let names = items.map { item in
            Competence(item.competence).map { "\(item.typeName) \($0.text)" } ?? item.typeName
        }
        var unique: [String] = []
        for n in names where !unique.contains(n) { unique.append(n) }
        if unique.count <= 3 { return unique.joined(separator: ", ") }
        return "\(unique[0]) e mais \(unique.count - 1)"
    }

    static func validateDelivery(_ d: Conton_Protocols_V1_Delivery, field: String, errors: inout FieldErrors) -> Conton_Protocols_V1_Delivery {
        var out = Conton_Protocols_V1_Delivery()
        switch d.method {
        case .unspecified, .portal: out.method = .portal
        case .email: out.method = .email
        case .inPerson:
            out.method = .inPerson
            let name = d.receiverName.trimmingCharacters(in: .whitespacesAndNewlines)
            if name.isEmpty { errors.add("\(field).receiver_name", "is required when delivered in person") }
            else if name.count > 120 { errors.add("\(field).receiver_name", "must have at most 120 characters") }
            out.receiverName = name
            if d.receiverDocument.isEmpty {
                errors.add("\(field).receiver_document", "is required when delivered in person (the receiver's CPF)")
            } else {
                do { out.receiverDocument = try CPF(d.receiverDocument).digits } catch {
                    errors.add("\(field).receiver_document", "\(error)")
                }
            }
        case .other:
            out.method = .other
            let text = d.otherDescription.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty { errors.add("\(field).other_description", "is required for DELIVERY_METHOD_OTHER") }
            else if text.count > 200 { errors.add("\(field).other_description", "must have at most 200 characters") }
            out.otherDescription = text
        case .unrecognized(let n):
            errors.add("\(field).method", "unknown delivery method \(n)")
        }
        if out.method != .inPerson && (!d.receiverName.isEmpty || !d.receiverDocument.isEmpty) {
            errors.add("\(field).receiver_name", "only for DELIVERY_METHOD_IN_PERSON")
        }
        return out
    }

    /// Checks one item for client `clientID`. `requirePaymentFields` false leaves a guide's due
    /// date and amount to later (a batch's template, whose rows give them).
    /// `obligations`: the agenda's, when it runs; `clientID` "" for a batch's item, which may not
    /// name an obligation.
    static func validateItem(_ item: Conton_Protocols_V1_ProtocolItem, clientID: String, files: [String: FileFacts]?,
                             obligations: (any ObligationLedger)?, field: String,
                             requirePaymentFields: Bool = true, errors: inout FieldErrors, in db: Database) throws -> ValidItem? {
        let before = errors.violations.count
        var type: Conton_Protocols_V1_DocumentType?
        if item.documentTypeId.isEmpty {
            errors.add("\(field).document_type_id", "is required")
        } else if let t = try DocumentTypeStore.find(item.documentTypeId, in: db) {
            if t.archived { errors.add("\(field).document_type_id", "document type '\(t.name)' is archived") }
            type = t
        } else {
            errors.add("\(field).document_type_id", "no document type \(item.documentTypeId)")
        }
        let description = item.description.trimmingCharacters(in: .whitespacesAndNewlines)
        if description.count > 300 { errors.add("\(field).description", "must have at most 300 characters") }
        if !item.competence.isEmpty && Competence(item.competence) == nil {
            errors.add("\(field).competence", "must be a month YYYY-MM")
        }
        if !item.dueDate.isEmpty && CivilDate(item.dueDate) == nil {
            errors.add("\(field).due_date", "must be a date YYYY-MM-DD")
        }
        if item.amountCents < 0 { errors.add("\(field).amount_cents", "must not be negative") }
        if type?.kind == .payment && requirePaymentFields {
            if item.dueDate.isEmpty { errors.add("\(field).due_date", "is required for a guide to pay (\(type!.name))") }
            if item.amountCents == 0 { errors.add("\(field).amount_cents", "is required for a guide to pay (\(type!.name))") }
        }
        var file: FileFacts?
        if !item.fileId.isEmpty {
            if let files {
                if let f = files[item.fileId] {
                    if !f.clientID.isEmpty && f.clientID != clientID {
                        errors.add("\(field).file_id", "file \(item.fileId) is in another client's area")
                    }
                    file = f
                } else {
                    errors.add("\(field).file_id", "no file \(item.fileId)")
                }
            } else {
                errors.add("\(field).file_id", "the files plugin does not run on this server")
            }
        }
        var obligationID: Int64?
        if item.obligationEventId != 0 {
            let id = item.obligationEventId
            if clientID.isEmpty {
                errors.add("\(field).obligation_event_id", "must be empty in a batch (each client's obligation is its own)")
            } else if let obligations {
                if let o = try obligations.obligation(id: id, in: db) {
                    if o.clientID != clientID { errors.add("\(field).obligation_event_id", "obligation \(id) is another client's") }
                    obligationID = id
                } else {
                    errors.add("\(field).obligation_event_id", "no obligation \(id) on the agenda")
                }
            } else {
                errors.add("\(field).obligation_event_id", "the agenda plugin does not run on this server")
            }
        }
        guard errors.violations.count == before, let type, let typeID = Int64(type.id) else { return nil }
        return ValidItem(typeID: typeID, typeName: type.name, description: description.isEmpty ? type.name : description,
                         competence: item.competence, dueDate: item.dueDate, amountCents: item.amountCents, file: file,
                         obligationID: obligationID)
    }
}
