import AgendaCapability
import ContonAPI
import ContonBrazil
import ContonKit
import DocumentsCapability
import FilesCapability
import GRDB

/// The transitions of a protocol, each inside the caller's transaction with its evidence entries,
/// audit row, event and e-mail.
struct ProtocolLifecycle: Sendable {
    let clients: ClientDirectory
    let files: (any FileCatalog)?
    /// The agenda's obligations, when the agenda plugin runs.
    let obligations: (any ObligationLedger)?

    typealias Status = Conton_Protocols_V1_ProtocolStatus

    /// Inserts a DRAFT protocol for `client` with `draft`; returns its id and number.
    func insert(_ draft: ProtocolDraft, client: ClientFacts, idempotencyKey: String, in m: inout Mutation) throws -> (id: Int64, number: Int64) {
        let number = (try Int64.fetchOne(try m.db.cachedStatement(sql: "SELECT max(number) FROM protocols_protocol")) ?? 0) + 1
        try m.db.cachedStatement(sql: """
            INSERT INTO protocols_protocol (number, client_id, title, message, delivery_method, receiver_name, receiver_document,
              other_description, status, first_due_date, created_at_ms, created_by, idempotency_key)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, '', ?, ?, ?)
            """).execute(arguments: [number, client.id, draft.title, draft.message, draft.delivery.method.rawValue, draft.delivery.receiverName,
                             draft.delivery.receiverDocument, draft.delivery.otherDescription, m.now,
                             CallIdentity.current?.principal.displayName ?? "ContOn", idempotencyKey.isEmpty ? nil : idempotencyKey])
        let id = m.db.lastInsertedRowID
        try ProtocolStore.writeItems(draft.items, of: id, in: m.db)
        m.audit("protocol", String(id), "created protocol nº \(number) for client \(client.id) (\(draft.items.count) item(s))")
        return (id, number)
    }

    /// The protocol an earlier call made with idempotency key `key` ("" never matches).
    static func existing(key: String, in db: Database) throws -> (id: Int64, number: Int64)? {
        guard !key.isEmpty,
              let row = try Row.fetchOne(db, sql: "SELECT id, number FROM protocols_protocol WHERE idempotency_key = ?", arguments: [key]) else {
            return nil
        }
        return (row[0], row[1])
    }

    /// Inserts `draft` for `client` and, when `send`, sends it in the same transaction.
    func create(_ draft: ProtocolDraft, client: ClientFacts, idempotencyKey: String, send: Bool, in m: inout Mutation) throws -> (id: Int64, number: Int64) {
        let made = try insert(draft, client: client, idempotencyKey: idempotencyKey, in: &m)
        if send, let row = try ProtocolStore.row(String(made.id), in: m.db) { try self.send(row, in: &m) }
        return made
    }

    /// DRAFT → SENT: files of the office's area move into the client's, every item is an
    /// evidence entry, the client is e-mailed when it has an address, `protocol.sent` is published.
    func send(_ row: Row, in m: inout Mutation) throws {
        let id: Int64 = row["id"]
        guard Status(rawValue: row["status"]) == .draft else {
            throw ProtocolStore.failedPrecondition(id, "protocol \(id) was sent already", reason: "PROTOCOL_NOT_DRAFT")
        }
        let clientID: String = row["client_id"]
        guard let client = try clients.facts(clientID, in: m.db) else {
            throw ServiceError.notFound("client", clientID, type: "conton.clients.v1.Client")
        }
        let items = try ProtocolStore.items(of: [id], in: m.db)[id] ?? []
        for item in items where !item.fileId.isEmpty {
            guard let files, let file = try files.file(item.fileId, in: m.db), file.sha256 == item.fileSha256 else {
                throw ProtocolStore.failedPrecondition(id, "the file of item '\(item.description)' is no longer stored; attach it again",
                                                       reason: "PROTOCOL_FILE_GONE")
            }
            if file.clientID.isEmpty { try files.deliver(file.id, to: clientID, in: m.db) }
        }
        try m.db.cachedStatement(sql: "UPDATE protocols_protocol SET status = 2, sent_at_ms = ?, portal_sort = ?, version = version + 1 WHERE id = ?")
            .execute(arguments: [m.now, ProtocolStore.portalSort(status: .sent, sentAtMs: m.now), id])
        let how = Self.describe(method: row["delivery_method"], receiver: row["receiver_name"], document: row["receiver_document"],
                                other: row["other_description"])
        var facts = items.map { item in
            EvidenceChain.Fact(action: .sent, itemID: item.id, fileSHA256: item.fileSha256,
                               detail: "\(how); \(item.description)\(item.fileName.isEmpty ? "" : " (\(item.fileName))")")
        }
        let number: Int64 = row["number"], title: String = row["title"], message: String = row["message"]
        if let mail = ProtocolMail.sent(number: number, title: title, message: message, items: items, client: client) {
            try m.mail(mail)
            facts.append(EvidenceChain.Fact(action: .emailed, detail: "aviso de envio para \(client.email)"))
        }
        try EvidenceChain.append(facts, to: id, in: &m)
        // The obligations its items deliver are delivered, in the same transaction.
        for item in items where item.obligationEventId != 0 {
            try obligations?.markDelivered(id: item.obligationEventId, atMs: m.now, in: m.db)
        }
        let first = items.map(\.dueDate).filter { !$0.isEmpty }.min() ?? ""
        try m.publish(ProtocolSent(protocolID: String(id), clientID: clientID, number: number, title: title, itemCount: items.count,
                                   firstDueDate: first))
        m.audit("protocol", String(id), "sent protocol nº \(number) to client \(clientID)")
    }

    static func describe(method: Int32, receiver: String, document: String, other: String) -> String {
        switch Conton_Protocols_V1_DeliveryMethod(rawValue: method) {
        case .email: "entregue por e-mail"
        case .inPerson: "entregue pessoalmente a \(receiver) (CPF \(TaxID.formatted(document)))"
        case .other: "entregue por: \(other)"
        default: "entregue na área do cliente"
        }
    }

    /// A client's opening of a protocol: an evidence entry each time; SENT → VIEWED the first time.
    func view(_ row: Row, in m: inout Mutation) throws {
        let id: Int64 = row["id"]
        try EvidenceChain.append([.init(action: .viewed)], to: id, in: &m)
        try markViewed(row, in: &m)
        m.audit("protocol", String(id), "the client opened protocol nº \(row["number"] as Int64)")
    }

    /// SENT → VIEWED, the first time the client opens the protocol or downloads one of its files.
    private func markViewed(_ row: Row, in m: inout Mutation) throws {
        let id: Int64 = row["id"]
        guard Status(rawValue: row["status"]) == .sent else { return }
        try m.db.execute(sql: "UPDATE protocols_protocol SET status = 3, first_viewed_at_ms = ?, portal_sort = ?, version = version + 1 WHERE id = ?",
                         arguments: [m.now, ProtocolStore.portalSort(status: .viewed, sentAtMs: row["sent_at_ms"]), id])
        try m.publish(ProtocolViewed(protocolID: String(id), clientID: row["client_id"], viewedAtMs: m.now))
    }

    /// A complete download of `item`'s file through the protocol: a DOWNLOADED entry with the
    /// file's SHA-256 (not for a draft, which has no evidence yet); by the client, SENT → VIEWED.
    func downloaded(_ row: Row, item: ProtocolStore.Item, by principal: Principal, in m: inout Mutation) throws {
        let id: Int64 = row["id"]
        guard Status(rawValue: row["status"]) != .draft else { return }
        try EvidenceChain.append([.init(action: .downloaded, itemID: item.id, fileSHA256: item.fileSha256,
                                        detail: "\(item.fileName) (\(item.fileSize) bytes)")], to: id, in: &m)
        if case .client = principal { try markViewed(row, in: &m) }
        m.audit("protocol", String(id), "\(principal.displayName) downloaded '\(item.fileName)' of protocol nº \(row["number"] as Int64)")
    }

    /// SENT/VIEWED → `to` (ACKNOWLEDGED, JUSTIFIED or CANCELLED) with its entry.
    func close(_ row: Row, to status: Status, text: String, in m: inout Mutation) throws {
        let id: Int64 = row["id"]
        let current = Status(rawValue: row["status"])
        guard ProtocolStore.open.contains(current) else {
            let verb = switch status { case .acknowledged: "acknowledged"; case .justified: "justified"; default: "cancelled" }
            throw ProtocolStore.failedPrecondition(id, "protocol \(id) is \(Self.name(current)); only a sent or viewed protocol can be \(verb)",
                                                   reason: "PROTOCOL_NOT_OPEN")
        }
        let action: EvidenceChain.Action
        switch status {
        case .acknowledged:
            action = .acknowledged
            try m.db.execute(sql: "UPDATE protocols_protocol SET status = 4, acknowledged_at_ms = ?, ack_comment = ?, portal_sort = ?, version = version + 1 WHERE id = ?",
                             arguments: [m.now, text, ProtocolStore.portalSort(status: status, sentAtMs: row["sent_at_ms"]), id])
            try m.publish(ProtocolAcknowledged(protocolID: String(id), clientID: row["client_id"], comment: text, acknowledgedAtMs: m.now))
        default:
            action = status == .justified ? .justified : .cancelled
            try m.db.execute(sql: "UPDATE protocols_protocol SET status = ?, closing_reason = ?, closed_at_ms = ?, portal_sort = ?, version = version + 1 WHERE id = ?",
                             arguments: [status.rawValue, text, m.now, ProtocolStore.portalSort(status: status, sentAtMs: row["sent_at_ms"]), id])
        }
        try EvidenceChain.append([.init(action: action, detail: text)], to: id, in: &m)
        m.audit("protocol", String(id), "protocol nº \(row["number"] as Int64) \(Self.name(status))")
    }

    static func name(_ s: Status) -> String {
        switch s {
        case .draft: "a draft"
        case .sent: "sent"
        case .viewed: "viewed"
        case .acknowledged: "acknowledged"
        case .justified: "justified"
        case .cancelled: "cancelled"
        default: "in an unknown state"
        }
    }
}
