import ContonAPI
import ContonBrazil
import ContonKit
import FilesCapability
import GRDB

/// `CreateProtocolBatch`: one document type and competence for many clients, each with its own
/// file — given per row or matched by the CPF/CNPJ in the file's name (``TaxIDFinder``). Runs in
/// the caller's transaction: every row is checked and matched first, each reporting its own
/// violations; then the valid ones are created (and sent) together (docs/PROTOCOLS.md, "Batch").
struct ProtocolBatch {
    typealias Request = Conton_Protocols_V1_CreateProtocolBatchRequest
    typealias Response = Conton_Protocols_V1_CreateProtocolBatchResponse
    typealias Result = Conton_Protocols_V1_BatchResult

    /// Rows and files one call takes together.
    static let maxEntries = 5_000

    let lifecycle: ProtocolLifecycle

    /// One protocol to be: a row, or a file not merged into a row.
    private struct Entry {
        var field: String
        var client: ClientFacts?
        var fileID = ""
        var amountCents: Int64
        var dueDate: String
        var description: String
        var violations: [(field: String, description: String)] = []
        var item: ValidItem?
    }

    /// The request's own problems (no row is looked at until they are fixed).
    /// The title, message and delivery every protocol of the batch shares, checked.
    typealias Header = (title: String, message: String, delivery: Conton_Protocols_V1_Delivery)

    static func checkRequest(_ r: Request) throws -> Header {
        var errors = FieldErrors()
        if r.rows.isEmpty && r.fileIds.isEmpty {
            errors.add("rows", "give the clients in rows, or files whose names carry their CPF/CNPJ in file_ids")
        }
        if r.rows.count + r.fileIds.count > maxEntries {
            errors.add("rows", "at most \(maxEntries) rows and files in one batch (\(r.rows.count + r.fileIds.count) given)")
        }
        if !r.item.fileId.isEmpty { errors.add("item.file_id", "must be empty: each client's file comes in rows[].file_id or file_ids") }
        if r.idempotencyKey.count > 180 { errors.add("idempotency_key", "must have at most 180 characters") }
        let text = ProtocolDraft.validateText(title: r.title, message: r.message, prefix: "", errors: &errors)
        let delivery = ProtocolDraft.validateDelivery(r.delivery, field: "delivery", errors: &errors)
        if delivery.method == .inPerson {
            errors.add("delivery.method", "in person names one receiver, so it is per protocol: not in a batch")
        }
        try errors.check()
        return (text.title, text.message, delivery)
    }

    /// Matches, checks and (unless `validate_only`) creates the batch `r`, whose `header` passed
    /// ``checkRequest(_:)``.
    func run(_ r: Request, header: Header, in m: inout Mutation) throws -> Response {
        let (title, message, delivery) = header
        // The template: its type must exist and its fields be well formed; a guide's due date and
        // amount may come per row.
        var errors = FieldErrors()
        guard let template = try ProtocolDraft.validateItem(r.item, clientID: "", files: [:], obligations: lifecycle.obligations, field: "item",
                                                            requirePaymentFields: false,
                                                            errors: &errors, in: m.db) else {
            try errors.check()
            throw FieldErrors.single("item", "is not a valid item")
        }
        let fileIDs = r.rows.map(\.fileId).filter { !$0.isEmpty } + r.fileIds.filter { !$0.isEmpty }
        let files = try lifecycle.files?.files(fileIDs, in: m.db) ?? [:]
        var entries = try rows(r.rows, template: r.item, in: m.db)
        try match(r.fileIds, files: files, template: r.item, into: &entries, in: m.db)

        // Each entry's item, checked as one protocol's would be.
        for i in entries.indices {
            guard let client = entries[i].client, entries[i].violations.isEmpty else { continue }
            var item = r.item
            item.description = entries[i].description
            item.dueDate = entries[i].dueDate
            item.amountCents = entries[i].amountCents
            item.fileId = entries[i].fileID
            var itemErrors = FieldErrors()
            entries[i].item = try ProtocolDraft.validateItem(item, clientID: client.id, files: lifecycle.files == nil ? nil : files,
                                                             obligations: lifecycle.obligations, field: entries[i].field, errors: &itemErrors, in: m.db)
            entries[i].violations += itemErrors.violations
        }

        var response = Response()
        for entry in entries {
            var result = Result()
            result.source = entry.field
            if let c = entry.client {
                result.clientId = c.id
                result.clientName = c.name
                result.clientDocumentFormatted = c.documentFormatted
            }
            result.fileId = entry.fileID
            result.fileName = files[entry.fileID]?.fileName ?? ""
            result.violations = entry.violations.map { v in
                var out = Conton_Protocols_V1_BatchViolation()
                out.field = v.field
                out.description = v.description
                return out
            }
            if let client = entry.client, let item = entry.item, entry.violations.isEmpty {
                response.created += 1
                if !r.validateOnly {
                    let (id, number) = try create(item, client: client, title: title, message: message, delivery: delivery,
                                                  key: r.idempotencyKey, send: r.send, in: &m)
                    result.protocolId = String(id)
                    result.number = number
                }
            } else {
                response.rejected += 1
            }
            response.results.append(result)
        }
        if !r.validateOnly && response.created > 0 {
            m.audit("protocol", "", "batch of \(response.created) protocol(s) (\(template.typeName)), \(response.rejected) row(s) rejected")
        }
        return response
    }

    /// The explicit rows, each with its client resolved (by id or CPF/CNPJ).
    private func rows(_ rows: [Conton_Protocols_V1_BatchRow], template: Conton_Protocols_V1_ProtocolItem,
                      in db: Database) throws -> [Entry] {
        let documents = rows.compactMap { (try? TaxID($0.clientDocument))?.value }
        let byDocument = try lifecycle.clients.facts(documents: documents, in: db)
        var seen: [String: String] = [:]
        var entries: [Entry] = []
        for (i, row) in rows.enumerated() {
            let field = "rows[\(i)]"
            var entry = Entry(field: field, fileID: row.fileId, amountCents: row.amountCents != 0 ? row.amountCents : template.amountCents,
                              dueDate: row.dueDate.isEmpty ? template.dueDate : row.dueDate,
                              description: row.description.isEmpty ? template.description : row.description)
            var client: ClientFacts?
            if row.clientId.isEmpty && row.clientDocument.isEmpty {
                entry.violations.append(("\(field).client_id", "is required (or client_document)"))
            }
            if !row.clientId.isEmpty {
                client = try lifecycle.clients.facts(row.clientId, in: db)
                if client == nil { entry.violations.append(("\(field).client_id", "no client \(row.clientId)")) }
            }
            if !row.clientDocument.isEmpty {
                do {
                    let document = try TaxID(row.clientDocument)
                    if let found = byDocument[document.value] {
                        if let client, client.id != found.id {
                            entry.violations.append(("\(field).client_document", "is \(found.name)'s, not client \(client.id)'s"))
                        }
                        client = client ?? found
                    } else {
                        entry.violations.append(("\(field).client_document", "no client has \(document.isCPF ? "CPF" : "CNPJ") \(document.formatted)"))
                    }
                } catch {
                    entry.violations.append(("\(field).client_document", "\(error)"))
                }
            }
            if let c = client {
                if c.archived { entry.violations.append(("\(field).client_id", "client \(c.name) is archived; restore it first")) }
                if let earlier = seen[c.id] {
                    entry.violations.append(("\(field).client_id", "client \(c.name) is already in \(earlier)"))
                } else {
                    seen[c.id] = field
                }
            }
            entry.client = client
            entries.append(entry)
        }
        return entries
    }

    /// The files matched by the CPF/CNPJ in their names: merged into their client's row when it
    /// has no file, otherwise entries of their own.
    private func match(_ fileIDs: [String], files: [String: FileFacts], template: Conton_Protocols_V1_ProtocolItem,
                       into entries: inout [Entry], in db: Database) throws {
        guard !fileIDs.isEmpty else { return }
        let found = fileIDs.map { id in files[id].map { TaxIDFinder.find(in: $0.fileName) } ?? [] }
        let byDocument = try lifecycle.clients.facts(documents: Array(Set(found.flatMap { $0.map(\.value) })), in: db)
        var usedFiles: [String: String] = [:]
        for (i, entry) in entries.enumerated() where !entry.fileID.isEmpty { usedFiles[entry.fileID] = "rows[\(i)]" }
        var rowOfClient: [String: Int] = [:]
        for (i, entry) in entries.enumerated() {
            if let c = entry.client, rowOfClient[c.id] == nil { rowOfClient[c.id] = i }
        }
        for (j, id) in fileIDs.enumerated() {
            let field = "file_ids[\(j)]"
            var entry = Entry(field: field, fileID: id, amountCents: template.amountCents, dueDate: template.dueDate,
                              description: template.description)
            func reject(_ text: String) {
                entry.violations.append((field, text))
                entries.append(entry)
            }
            guard !id.isEmpty else { reject("is empty"); continue }
            if let earlier = usedFiles[id] { reject("file \(id) is already in \(earlier)"); continue }
            usedFiles[id] = field
            guard let file = files[id] else {
                reject(lifecycle.files == nil ? "the files plugin does not run on this server" : "no file \(id)")
                continue
            }
            let ids = found[j]
            var clients: [ClientFacts] = []
            for taxID in ids {
                if let c = byDocument[taxID.value], !clients.contains(c) { clients.append(c) }
            }
            guard let client = clients.first else {
                reject(ids.isEmpty
                       ? "the name '\(file.fileName)' carries no CPF or CNPJ; give the file in rows with its client"
                       : "the name '\(file.fileName)' carries \(ids.map(\.formatted).joined(separator: ", ")), which no client has")
                continue
            }
            if clients.count > 1 {
                reject("the name '\(file.fileName)' carries the CPF/CNPJ of more than one client (\(clients.map(\.name).joined(separator: ", "))); "
                       + "give the file in rows with its client")
                continue
            }
            entry.client = client
            if client.archived { reject("client \(client.name) is archived; restore it first"); continue }
            if let row = rowOfClient[client.id] {
                if entries[row].fileID.isEmpty {
                    entries[row].fileID = id
                } else {
                    reject("client \(client.name) already has file \(entries[row].fileID) in \(entries[row].field)")
                }
                continue
            }
            rowOfClient[client.id] = entries.count
            entries.append(entry)
        }
    }

    /// Creates (and sends) one protocol of the batch; a retry with the same key answers the one
    /// made before.
    private func create(_ item: ValidItem, client: ClientFacts, title: String, message: String, delivery: Conton_Protocols_V1_Delivery,
                        key: String, send: Bool, in m: inout Mutation) throws -> (id: Int64, number: Int64) {
        let clientKey = key.isEmpty ? "" : "batch:\(key):\(client.id)"
        if let earlier = try ProtocolLifecycle.existing(key: clientKey, in: m.db) { return earlier }
        let draft = ProtocolDraft(title: title.isEmpty ? ProtocolDraft.defaultTitle([item]) : title, message: message,
                                  delivery: delivery, items: [item])
        return try lifecycle.create(draft, client: client, idempotencyKey: clientKey, send: send, in: &m)
    }
}
