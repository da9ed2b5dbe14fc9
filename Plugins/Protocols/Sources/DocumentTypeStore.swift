import ContonAPI
import ContonBrazil
import ContonKit
import GRDB

/// The office's catalogue of document types (`protocols_doc_type`), inside the caller's transaction.
enum DocumentTypeStore {
    typealias DocumentType = Conton_Protocols_V1_DocumentType

    static func documentType(_ row: Row) -> DocumentType {
        var t = DocumentType()
        t.id = String(row["id"] as Int64)
        t.name = row["name"]
        t.kind = .init(rawValue: row["kind"])
        t.archived = row["archived"]
        t.builtin = row["builtin"]
        return t
    }

    static func find(_ id: String, in db: Database) throws -> DocumentType? {
        guard let key = Int64(id) else { return nil }
        return try Row.fetchOne(db, sql: "SELECT * FROM protocols_doc_type WHERE id = ?", arguments: [key]).map(documentType)
    }

    static func require(_ id: String, in db: Database) throws -> DocumentType {
        guard let t = try find(id, in: db) else { throw ServiceError.notFound("document type", id, type: "conton.protocols.v1.DocumentType") }
        return t
    }

    static func list(includeArchived: Bool, in db: Database) throws -> [DocumentType] {
        try Row.fetchAll(db, sql: "SELECT * FROM protocols_doc_type\(includeArchived ? "" : " WHERE archived = 0") ORDER BY name_key, id")
            .map(documentType)
    }

    /// A checked name and kind, with every violation at once.
    static func validate(_ t: DocumentType, field: String = "document_type") throws -> (name: String, kind: Int32) {
        var errors = FieldErrors()
        let name = t.name.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty { errors.add("\(field).name", "is required") }
        else if name.count > 80 { errors.add("\(field).name", "must have at most 80 characters") }
        else if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            errors.add("\(field).name", "must be one line without control characters")
        }
        switch t.kind {
        case .payment, .declaration, .registration: break
        default: errors.add("\(field).kind", "must be DOCUMENT_KIND_PAYMENT, DOCUMENT_KIND_DECLARATION or DOCUMENT_KIND_REGISTRATION")
        }
        try errors.check()
        return (name, t.kind.rawValue)
    }

    /// ALREADY_EXISTS when another type has the same name ignoring case and accents.
    static func checkUnique(_ name: String, except id: Int64?, in db: Database) throws {
        if let other = try Int64.fetchOne(db, sql: "SELECT id FROM protocols_doc_type WHERE name_key = ? AND id IS NOT ?",
                                          arguments: [SearchKey.fold(name), id]) {
            throw ServiceError.alreadyExists("a document type named '\(name)' exists already", reason: "DOCUMENT_TYPE_NAME_TAKEN", existing: ErrorDetails.Resource(type: "conton.protocols.v1.DocumentType", name: String(other)))
        }
    }

    static func inUse(_ id: Int64, in db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM protocols_item WHERE doc_type_id = ?", arguments: [id]) ?? 0
    }
}
