import ContonAPI
import ContonBrazil
import ContonKit
import GRDB
import GRPCCore

/// `conton.payments.v1.Suppliers`: suppliers (Fornecedores), expense categories and cost centres.
struct SuppliersService: Conton_Payments_V1_Suppliers.SimpleServiceProtocol {
    typealias Supplier = Conton_Payments_V1_Supplier

    let context: PluginContext

    /// The default category must exist, be a category and not be archived.
    private static func checkCategory(_ s: Supplier, errors: inout FieldErrors, in db: Database) throws {
        _ = try ClassifierStore.reference(s.defaultCategoryId, kind: .category, field: "supplier.default_category_id", errors: &errors, in: db)
    }

    func createSupplier(request: Conton_Payments_V1_CreateSupplierRequest, context: ServerContext) async throws -> Conton_Payments_V1_CreateSupplierResponse {
        let (input, errors) = SupplierValidation.normalized(request.supplier)
        try errors.check()
        var response = Conton_Payments_V1_CreateSupplierResponse()
        response.supplier = try await self.context.write { m in
            var errors = FieldErrors()
            try Self.checkCategory(input, errors: &errors, in: m.db)
            try errors.check()
            try SupplierStore.checkUnique(document: input.document, in: m.db)
            let s = try SupplierStore.save(input, id: nil, version: 1, now: m.now, in: m.db)
            m.audit("supplier", s.id, "created supplier \(s.documentFormatted)")
            return s
        }
        return response
    }

    func getSupplier(request: Conton_Payments_V1_GetSupplierRequest, context: ServerContext) async throws -> Conton_Payments_V1_GetSupplierResponse {
        var response = Conton_Payments_V1_GetSupplierResponse()
        response.supplier = try await self.context.read { db in try SupplierStore.require(request.supplierId, in: db) }
        return response
    }

    func updateSupplier(request: Conton_Payments_V1_UpdateSupplierRequest, context: ServerContext) async throws -> Conton_Payments_V1_UpdateSupplierResponse {
        let update = request.supplier
        var errors = FieldErrors()
        if update.id.isEmpty { errors.add("supplier.id", "is required") }
        if update.version <= 0 { errors.add("supplier.version", "is required: the version you read (GetSupplier)") }
        try errors.check()
        let mask = request.updateMask.paths
        var response = Conton_Payments_V1_UpdateSupplierResponse()
        response.supplier = try await self.context.write { m in
            let current = try SupplierStore.require(update.id, field: "supplier.id", in: m.db)
            guard current.version == update.version else {
                throw ServiceError(.aborted, "supplier \(update.id) changed since version \(update.version) (now \(current.version)); read it again and retry",
                                   reason: "VERSION_MISMATCH", resource: ErrorDetails.Resource(type: SupplierStore.type, name: update.id))
            }
            let merged = try FieldMaskUpdate.apply(mask, from: update, to: current, outputOnly: SupplierValidation.outputOnly)
            var (s, errors) = SupplierValidation.normalized(merged)
            if s.defaultCategoryId != current.defaultCategoryId { try Self.checkCategory(s, errors: &errors, in: m.db) }
            try errors.check()
            if s.document != current.document { try SupplierStore.checkUnique(document: s.document, except: current.id, in: m.db) }
            s.createdAtMs = current.createdAtMs
            let key = Int64(current.id)!
            let stored = try SupplierStore.save(s, id: key, version: current.version + 1, now: m.now, in: m.db)
            // Payables show the supplier's name, document and payee as they are now.
            try PayableStore.refreshSupplier(stored, in: m.db)
            let fields = mask.isEmpty ? FieldMaskUpdate.populated(update, excluding: SupplierValidation.outputOnly) : Array(mask)
            m.audit("supplier", current.id, "updated supplier: \(fields.joined(separator: ", "))")
            return stored
        }
        return response
    }

    func listSuppliers(request: Conton_Payments_V1_ListSuppliersRequest, context: ServerContext) async throws -> Conton_Payments_V1_ListSuppliersResponse {
        let pagination = try Pagination(size: request.pageSize, token: request.pageToken, defaultSize: 50, maximum: 500)
        let cursor = try ListCursor.decode(pagination.after)
        let filter = SupplierFilter(query: request.query, document: request.document, email: request.email, status: request.status)
        let size = pagination.size
        let (rows, total) = try await self.context.read { db in
            var sql = "SELECT * FROM payments_supplier WHERE \(filter.sql)"
            var args = filter.arguments
            if let cursor {
                sql += " AND (name_key, id) > (?, ?)"
                _ = args.append(contentsOf: [cursor.key, cursor.id])
            }
            sql += " ORDER BY name_key, id LIMIT ?"
            _ = args.append(contentsOf: [size])
            let rows = try Row.fetchAll(db, sql: sql, arguments: args).map { (try SupplierStore.supplier($0), $0["name_key"] as String) }
            let total = try Int64.fetchOne(db, sql: "SELECT count(*) FROM payments_supplier WHERE \(filter.sql)", arguments: filter.arguments) ?? 0
            return (rows, total)
        }
        var response = Conton_Payments_V1_ListSuppliersResponse()
        response.suppliers = rows.map(\.0)
        response.totalCount = total
        response.nextPageToken = pagination.nextToken(lastKey: rows.last.map { ListCursor.encode($0.1, Int64($0.0.id)!) }, returned: rows.count)
        return response
    }

    func archiveSupplier(request: Conton_Payments_V1_ArchiveSupplierRequest, context: ServerContext) async throws -> Conton_Payments_V1_ArchiveSupplierResponse {
        var response = Conton_Payments_V1_ArchiveSupplierResponse()
        response.supplier = try await self.context.write { m in
            let current = try SupplierStore.require(request.supplierId, in: m.db)
            guard (current.status == .archived) != request.archived else { return current }
            try m.db.execute(sql: "UPDATE payments_supplier SET archived_at_ms = ?, version = version + 1 WHERE id = ?",
                             arguments: [request.archived ? m.now : nil, Int64(current.id)!])
            m.audit("supplier", current.id, request.archived ? "archived supplier" : "restored supplier")
            return try SupplierStore.require(current.id, in: m.db)
        }
        return response
    }

    func deleteSupplier(request: Conton_Payments_V1_DeleteSupplierRequest, context: ServerContext) async throws -> Conton_Payments_V1_DeleteSupplierResponse {
        try await self.context.write { m in
            let current = try SupplierStore.require(request.supplierId, in: m.db)
            let key = Int64(current.id)!
            let payables = try Int.fetchOne(m.db, sql: "SELECT count(*) FROM payments_payable WHERE supplier_id = ?", arguments: [key]) ?? 0
            let recurrences = try Int.fetchOne(m.db, sql: "SELECT count(*) FROM payments_recurrence WHERE supplier_id = ?", arguments: [key]) ?? 0
            if payables + recurrences > 0 {
                let what = [payables > 0 ? "\(payables) payable(s)" : nil, recurrences > 0 ? "\(recurrences) recurring payable(s)" : nil]
                    .compactMap { $0 }.joined(separator: " and ")
                throw ServiceError(.failedPrecondition, "supplier \(current.id) has \(what); archive it instead",
                                   reason: "SUPPLIER_HAS_PAYABLES", resource: ErrorDetails.Resource(type: SupplierStore.type, name: current.id))
            }
            try m.db.execute(sql: "DELETE FROM payments_supplier WHERE id = ?", arguments: [key])
            m.audit("supplier", current.id, "deleted supplier \(current.documentFormatted)")
        }
        return Conton_Payments_V1_DeleteSupplierResponse()
    }

    // MARK: Categories and cost centres

    func listClassifiers(request: Conton_Payments_V1_ListClassifiersRequest, context: ServerContext) async throws -> Conton_Payments_V1_ListClassifiersResponse {
        let kind = try ClassifierStore.kind(request.kind)
        var response = Conton_Payments_V1_ListClassifiersResponse()
        response.classifiers = try await self.context.read { db in try ClassifierStore.list(kind, includeArchived: request.includeArchived, in: db) }
        return response
    }

    func createClassifier(request: Conton_Payments_V1_CreateClassifierRequest, context: ServerContext) async throws -> Conton_Payments_V1_CreateClassifierResponse {
        var errors = FieldErrors()
        var kind = Conton_Payments_V1_ClassifierKind.unspecified, name = ""
        do { kind = try ClassifierStore.kind(request.kind) } catch let e as RPCError { errors.add("kind", e.details?.fieldViolations.first?.description ?? e.message) }
        do { name = try ClassifierStore.name(request.name) } catch let e as RPCError { errors.add("name", e.details?.fieldViolations.first?.description ?? e.message) }
        try errors.check()
        let (k, n) = (kind, name)
        var response = Conton_Payments_V1_CreateClassifierResponse()
        response.classifier = try await self.context.write { m in
            try ClassifierStore.checkUnique(n, kind: k, in: m.db)
            try m.db.execute(sql: "INSERT INTO payments_classifier (kind, name, name_key, created_at_ms) VALUES (?, ?, ?, ?)",
                             arguments: [k.rawValue, n, SearchKey.fold(n), m.now])
            let id = String(m.db.lastInsertedRowID)
            m.audit("classifier", id, "created \(ClassifierStore.noun(k)) \(n)")
            return try ClassifierStore.require(id, in: m.db)
        }
        return response
    }

    func updateClassifier(request: Conton_Payments_V1_UpdateClassifierRequest, context: ServerContext) async throws -> Conton_Payments_V1_UpdateClassifierResponse {
        let paths = request.updateMask.paths.isEmpty && !request.name.isEmpty ? ["name"] : request.updateMask.paths
        var errors = FieldErrors()
        for (i, p) in paths.enumerated() where p != "name" && p != "archived" {
            errors.add("update_mask[\(i)]", "unknown field '\(p)': name or archived")
        }
        if paths.isEmpty { errors.add("update_mask", "name what to change: name, archived") }
        try errors.check()
        let name = paths.contains("name") ? try ClassifierStore.name(request.name) : nil
        let archived = paths.contains("archived") ? request.archived : nil
        var response = Conton_Payments_V1_UpdateClassifierResponse()
        response.classifier = try await self.context.write { m in
            let current = try ClassifierStore.require(request.id, in: m.db)
            let key = Int64(current.id)!
            if let name {
                try ClassifierStore.checkUnique(name, kind: current.kind, except: key, in: m.db)
                try m.db.execute(sql: "UPDATE payments_classifier SET name = ?, name_key = ? WHERE id = ?", arguments: [name, SearchKey.fold(name), key])
            }
            if let archived {
                try m.db.execute(sql: "UPDATE payments_classifier SET archived_at_ms = ? WHERE id = ?", arguments: [archived ? m.now : nil, key])
            }
            m.audit("classifier", current.id, "updated \(ClassifierStore.noun(current.kind)): \(paths.joined(separator: ", "))")
            return try ClassifierStore.require(current.id, in: m.db)
        }
        return response
    }

    func deleteClassifier(request: Conton_Payments_V1_DeleteClassifierRequest, context: ServerContext) async throws -> Conton_Payments_V1_DeleteClassifierResponse {
        try await self.context.write { m in
            let current = try ClassifierStore.require(request.id, in: m.db)
            let key = Int64(current.id)!
            if let use = try ClassifierStore.inUse(key, in: m.db) {
                throw ServiceError(.failedPrecondition, "the \(ClassifierStore.noun(current.kind)) \(current.name) is used by \(use); archive it instead",
                                   reason: "CLASSIFIER_IN_USE", resource: ErrorDetails.Resource(type: "conton.payments.v1.Classifier", name: current.id))
            }
            try m.db.execute(sql: "DELETE FROM payments_classifier WHERE id = ?", arguments: [key])
            m.audit("classifier", current.id, "deleted \(ClassifierStore.noun(current.kind)) \(current.name)")
        }
        return Conton_Payments_V1_DeleteClassifierResponse()
    }
}

/// ListSuppliers' filter as SQL over `payments_supplier`: folded words in the names (or a
/// document part), a document prefix, an e-mail part, the status.
struct SupplierFilter: Sendable {
    var conditions: [String] = []
    var arguments: StatementArguments = []

    init(query: String, document: String, email: String, status: Conton_Payments_V1_SupplierStatusFilter) {
        switch status {
        case .archived: conditions.append("archived_at_ms IS NOT NULL")
        case .all: break
        default: conditions.append("archived_at_ms IS NULL")
        }
        let words = SearchKey.fold(query).split(separator: " ").map(String.init)
        let queryDocument = SearchKey.taxID(query)
        if !words.isEmpty {
            // A query that reads as a document part ("11.222.333", "12345678909") also matches the
            // document, with or without punctuation.
            var names = words.map { _ in "instr(search_key, ?) > 0" }.joined(separator: " AND ")
            var args = words
            if queryDocument.count >= 3 && query.allSatisfy({ $0.isNumber || ".-/ ".contains($0) }) {
                names = "(\(names)) OR instr(document, ?) > 0"
                args.append(queryDocument)
            }
            conditions.append("(\(names))")
            _ = arguments.append(contentsOf: StatementArguments(args))
        }
        let doc = SearchKey.taxID(document)
        if !document.trimmingCharacters(in: .whitespaces).isEmpty {
            if doc.isEmpty {
                conditions.append("0")
            } else {
                conditions.append("document >= ? AND document < ?")
                _ = arguments.append(contentsOf: [doc, doc + "\u{7F}"])
            }
        }
        let e = email.trimmingCharacters(in: .whitespaces).lowercased()
        if !e.isEmpty {
            conditions.append("instr(emails_key, ?) > 0")
            _ = arguments.append(contentsOf: [e])
        }
    }

    var sql: String { conditions.isEmpty ? "1" : conditions.joined(separator: " AND ") }
}
