import ContonAPI
import ContonBrazil
import ContonKit
import Foundation
import GRDB

/// Reads and writes `payments_supplier` rows inside the caller's transaction.
enum SupplierStore {
    typealias Supplier = Conton_Payments_V1_Supplier
    static let type = "conton.payments.v1.Supplier"

    static func supplier(_ row: Row) throws -> Supplier {
        var s = try Supplier(serializedBytes: row["record"] as Data)
        s.id = String(row["id"] as Int64)
        s.version = row["version"]
        s.documentFormatted = TaxID.formatted(s.document)
        s.archivedAtMs = row["archived_at_ms"] ?? 0
        s.status = s.archivedAtMs == 0 ? .active : .archived
        return s
    }

    static func find(_ id: String, in db: Database) throws -> Supplier? {
        guard let key = Int64(id) else { return nil }
        return try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM payments_supplier WHERE id = ?"), arguments: [key]).map(supplier)
    }

    /// The supplier `id`, or NOT_FOUND; INVALID_ARGUMENT on `field` when empty.
    static func require(_ id: String, field: String = "supplier_id", in db: Database) throws -> Supplier {
        guard !id.isEmpty else { throw FieldErrors.single(field, "is required") }
        guard let s = try find(id, in: db) else { throw ServiceError.notFound("supplier", id, type: type) }
        return s
    }

    /// ALREADY_EXISTS naming the supplier that holds `document`.
    static func checkUnique(document: String, except id: String? = nil, in db: Database) throws {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM payments_supplier WHERE document = ?", arguments: [document]) else { return }
        let holder = try supplier(row)
        guard holder.id != id else { return }
        throw ServiceError.alreadyExists("\(TaxID.formatted(document)) is already the document of supplier \(holder.id) (\(holder.name))",
                                         reason: "SUPPLIER_DOCUMENT_TAKEN",
                                         existing: ErrorDetails.Resource(type: type, name: holder.id, description: holder.name))
    }

    /// The document payments must go to: the MEI owner's CPF when flagged, else the supplier's.
    static func payeeDocument(_ s: Supplier) -> String {
        s.meiPaidToOwnerCpf && !s.ownerCpf.isEmpty ? s.ownerCpf : s.document
    }

    /// The folded names and document a search matches.
    static func searchKey(_ s: Supplier) -> String {
        SearchKey.fold(s.name + " " + s.tradeName) + " " + s.document.lowercased()
    }

    /// Stores `s` (validated) as `id` (nil: a new row); returns it as stored.
    @discardableResult
    static func save(_ input: Supplier, id: Int64?, version: Int64, now: Int64, in db: Database) throws -> Supplier {
        var s = input
        s.id = ""
        s.documentFormatted = ""
        s.status = .unspecified
        s.version = 0
        s.archivedAtMs = 0
        if id == nil { s.createdAtMs = now }
        s.updatedAtMs = now
        let record = Data(s.serializedBytes())
        let emails = s.emails.joined(separator: " ")
        if let id {
            try db.execute(sql: """
                UPDATE payments_supplier SET document = ?, name_key = ?, search_key = ?, emails_key = ?, version = ?, record = ? WHERE id = ?
                """, arguments: [s.document, SearchKey.fold(s.name), searchKey(s), emails, version, record, id])
            return try find(String(id), in: db)!
        }
        try db.execute(sql: """
            INSERT INTO payments_supplier (document, name_key, search_key, emails_key, version, record) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [s.document, SearchKey.fold(s.name), searchKey(s), emails, version, record])
        return try find(String(db.lastInsertedRowID), in: db)!
    }
}
