import ContonAPI
import ContonBrazil
import ContonKit
import GRDB

/// Expense categories and cost centres (`payments_classifier`), inside the caller's transaction.
enum ClassifierStore {
    typealias Classifier = Conton_Payments_V1_Classifier
    typealias Kind = Conton_Payments_V1_ClassifierKind

    static func noun(_ kind: Kind) -> String { kind == .costCenter ? "cost centre" : "expense category" }

    static func kind(_ kind: Kind, field: String = "kind") throws -> Kind {
        guard kind == .category || kind == .costCenter else {
            throw FieldErrors.single(field, "must be CLASSIFIER_KIND_CATEGORY or CLASSIFIER_KIND_COST_CENTER")
        }
        return kind
    }

    static func name(_ raw: String, field: String = "name") throws -> String {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty { throw FieldErrors.single(field, "is required") }
        if name.count > 80 { throw FieldErrors.single(field, "must have at most 80 characters") }
        if name.contains(where: { $0.isNewline }) || name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw FieldErrors.single(field, "must be one line without control characters")
        }
        return name
    }

    static let select = """
        SELECT c.*, (SELECT count(*) FROM payments_payable p WHERE p.category_id = c.id OR p.cost_center_id = c.id) AS payable_count
        FROM payments_classifier c
        """

    static func classifier(_ row: Row) -> Classifier {
        var c = Classifier()
        c.id = String(row["id"] as Int64)
        c.kind = Kind(rawValue: row["kind"])
        c.name = row["name"]
        c.archived = (row["archived_at_ms"] as Int64?) != nil
        c.payableCount = row["payable_count"]
        c.createdAtMs = row["created_at_ms"]
        return c
    }

    static func require(_ id: String, kind: Kind? = nil, in db: Database) throws -> Classifier {
        guard let key = Int64(id), let row = try Row.fetchOne(db, sql: select + " WHERE c.id = ?", arguments: [key]),
              kind == nil || (row["kind"] as Int32) == kind!.rawValue else {
            let what = kind.map(noun) ?? "category or cost centre"
            throw ServiceError.notFound(what, id, type: "conton.payments.v1.Classifier")
        }
        return classifier(row)
    }

    static func list(_ kind: Kind, includeArchived: Bool, in db: Database) throws -> [Classifier] {
        try Row.fetchAll(db, sql: select + " WHERE c.kind = ?\(includeArchived ? "" : " AND c.archived_at_ms IS NULL") ORDER BY c.name_key, c.id",
                         arguments: [kind.rawValue]).map(classifier)
    }

    /// ALREADY_EXISTS when another classifier of `kind` has the same folded name.
    static func checkUnique(_ name: String, kind: Kind, except id: Int64? = nil, in db: Database) throws {
        guard let row = try Row.fetchOne(db, sql: "SELECT id, name FROM payments_classifier WHERE kind = ? AND name_key = ?",
                                         arguments: [kind.rawValue, SearchKey.fold(name)]),
              (row["id"] as Int64) != id else { return }
        throw ServiceError.alreadyExists("there is already a \(noun(kind)) named \(row["name"] as String) (id \(row["id"] as Int64))",
                                         reason: "CLASSIFIER_NAME_TAKEN",
                                         existing: ErrorDetails.Resource(type: "conton.payments.v1.Classifier", name: String(row["id"] as Int64)))
    }

    /// Resolves a payable's or supplier's `category_id` / `cost_center_id` to a row id, checking
    /// it exists, is of `kind` and (for new references) is not archived; violations go to `errors`.
    static func reference(_ id: String, kind: Kind, field: String, allowArchived: Bool = false, errors: inout FieldErrors,
                          in db: Database) throws -> Int64? {
        guard !id.isEmpty else { return nil }
        guard let key = Int64(id), let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT kind, archived_at_ms FROM payments_classifier WHERE id = ?"), arguments: [key]),
              (row["kind"] as Int32) == kind.rawValue else {
            errors.add(field, "no \(noun(kind)) has id \(id)")
            return nil
        }
        if !allowArchived && (row["archived_at_ms"] as Int64?) != nil {
            errors.add(field, "the \(noun(kind)) \(id) is archived")
        }
        return key
    }

    /// Whether anything names classifier `id`: payables, recurrences, suppliers' default category.
    static func inUse(_ id: Int64, in db: Database) throws -> String? {
        let payables = try Int.fetchOne(db, sql: "SELECT count(*) FROM payments_payable WHERE category_id = ?1 OR cost_center_id = ?1", arguments: [id]) ?? 0
        if payables > 0 { return "\(payables) payable(s)" }
        let recurrences = try Int.fetchOne(db, sql: "SELECT count(*) FROM payments_recurrence WHERE category_id = ?1 OR cost_center_id = ?1", arguments: [id]) ?? 0
        if recurrences > 0 { return "\(recurrences) recurring payable(s)" }
        let suppliers = try Row.fetchAll(db, sql: "SELECT * FROM payments_supplier").filter {
            (try? SupplierStore.supplier($0).defaultCategoryId) == String(id)
        }.count
        if suppliers > 0 { return "\(suppliers) supplier(s) as their default category" }
        return nil
    }
}
