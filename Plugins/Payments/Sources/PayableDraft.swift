import ContonAPI
import ContonBrazil
import ContonKit
import DocumentsCapability
import FilesCapability
import GRDB

/// One payable about to be inserted, validated.
struct PayableDraft: Sendable, Hashable {
    var description: String
    var categoryID: Int64?
    var costCenterID: Int64?
    var amountCents: Int64
    var competence: String
    var dueDate: String
    var expectedPaymentDate: String
    var method: Conton_Payments_V1_PaymentMethod
    var documentNumber: String
    var boletoLine: String
    var attachments: [String]
    var notes: String
    var recurrenceID: Int64?
}

/// Money rules of payables.
enum PayableMoney {
    /// R$ 10 billion: the largest amount one payable takes. 360 instalments × 5,000 entries of it
    /// stay far below `Int64.max`.
    static let maxCents: Int64 = 1_000_000_000_000
    static func formatted(_ cents: Int64) -> String { DocumentFormat.money(cents: cents) }

    /// Checks an amount field: more than 0, at most R$ 10 billion.
    static func check(_ cents: Int64, _ field: String, errors: inout FieldErrors) {
        if cents <= 0 { errors.add(field, "must be greater than zero") }
        if cents > maxCents { errors.add(field, "must be at most \(formatted(maxCents))") }
    }
}

/// A CreatePayables request checked without the database: the template's fields and the
/// instalments split into drafts. ``resolve(in:files:errors:)`` then checks what needs the
/// database (supplier, category, cost centre, attachments) inside the write transaction.
struct PayableRequest: Sendable {
    static let maxInstalments = 360
    static let maxAttachments = 20

    let supplierID: String
    var drafts: [PayableDraft]
    let categoryID: String
    let costCenterID: String
    /// Violation paths start with this (`""` or `entries[3].`).
    let prefix: String

    /// Validates `r`; every violation goes to `errors` under `prefix`. Nil when any was found.
    init?(_ r: Conton_Payments_V1_CreatePayablesRequest, prefix: String = "", today: CivilDate, errors: inout FieldErrors) {
        let before = errors.violations.count
        let p = r.payable
        func path(_ s: String) -> String { prefix + s }
        self.prefix = prefix
        supplierID = p.supplierId
        if p.supplierId.isEmpty { errors.add(path("payable.supplier_id"), "is required") }
        categoryID = p.categoryId
        costCenterID = p.costCenterId
        var template = PayableDraft(description: "", amountCents: p.amountCents, competence: "", dueDate: "", expectedPaymentDate: "",
                                    method: p.method, documentNumber: "", boletoLine: "", attachments: [], notes: "")
        template.description = TextRules.clean(p.description, path("payable.description"), required: true, errors: &errors)
        template.documentNumber = TextRules.clean(p.documentNumber, path("payable.document_number"), max: 60, errors: &errors)
        template.notes = TextRules.clean(p.notes, path("payable.notes"), max: 4000, multiline: true, errors: &errors)
        if case .unrecognized(let n) = p.method { errors.add(path("payable.method"), "\(n) is not a payment method") }
        let due = CivilDate(p.dueDate)
        if p.dueDate.isEmpty { errors.add(path("payable.due_date"), "is required") } else if due == nil {
            errors.add(path("payable.due_date"), "\(p.dueDate) is not a date (YYYY-MM-DD)")
        }
        var expected: CivilDate?
        if !p.expectedPaymentDate.isEmpty {
            expected = CivilDate(p.expectedPaymentDate)
            if expected == nil { errors.add(path("payable.expected_payment_date"), "\(p.expectedPaymentDate) is not a date (YYYY-MM-DD)") }
        }
        if !p.competence.isEmpty && Competence(p.competence) == nil {
            errors.add(path("payable.competence"), "\(p.competence) is not a month (YYYY-MM)")
        }
        template.competence = p.competence
        if !p.boletoLine.isEmpty {
            do {
                template.boletoLine = try BoletoLine(p.boletoLine, today: today.description).digits
            } catch {
                errors.add(path("payable.boleto_line"), error.description)
            }
        }
        if p.attachmentFileIds.count > Self.maxAttachments { errors.add(path("payable.attachment_file_ids"), "at most \(Self.maxAttachments)") }
        template.attachments = p.attachmentFileIds
        if Set(p.attachmentFileIds).count != p.attachmentFileIds.count { errors.add(path("payable.attachment_file_ids"), "lists a file twice") }

        // The split: (amount, due date) per instalment.
        var parts: [(Int64, CivilDate)] = []
        if r.hasInstalments {
            let n = r.instalments
            if !n.items.isEmpty {
                if n.count != 0 && Int(n.count) != n.items.count {
                    errors.add(path("instalments.count"), "is \(n.count) but \(n.items.count) items are given; leave it 0 or make them equal")
                }
                if n.items.count > Self.maxInstalments { errors.add(path("instalments.items"), "at most \(Self.maxInstalments) instalments") }
                var sum: Int64 = 0
                for (i, item) in n.items.enumerated() {
                    PayableMoney.check(item.amountCents, path("instalments.items[\(i)].amount_cents"), errors: &errors)
                    sum += min(max(item.amountCents, 0), PayableMoney.maxCents)
                    if let d = CivilDate(item.dueDate) { parts.append((item.amountCents, d)) } else {
                        errors.add(path("instalments.items[\(i)].due_date"), item.dueDate.isEmpty ? "is required" : "\(item.dueDate) is not a date (YYYY-MM-DD)")
                    }
                }
                if p.amountCents != 0 && sum != p.amountCents {
                    errors.add(path("instalments.items"), "add up to \(PayableMoney.formatted(sum)), not the payable's \(PayableMoney.formatted(p.amountCents))")
                } else if p.amountCents == 0 {
                    template.amountCents = sum
                }
                if p.amountCents != 0 { PayableMoney.check(p.amountCents, path("payable.amount_cents"), errors: &errors) }
            } else {
                PayableMoney.check(p.amountCents, path("payable.amount_cents"), errors: &errors)
                if n.count < 1 || Int(n.count) > Self.maxInstalments {
                    errors.add(path("instalments.count"), "must be 1 to \(Self.maxInstalments) (or give the items)")
                } else if p.amountCents < Int64(n.count) && p.amountCents > 0 {
                    errors.add(path("instalments.count"), "\(n.count) instalments of \(PayableMoney.formatted(p.amountCents)) would leave some at zero")
                } else if let due, p.amountCents > 0 {
                    let count = Int64(n.count)
                    let base = p.amountCents / count
                    let first = p.amountCents - base * (count - 1)
                    for k in 0..<Int(count) {
                        let month = due.competence.adding(months: k)!
                        parts.append((k == 0 ? first : base, month.dueDate(day: due.day, followingMonth: false)))
                    }
                }
            }
            if n.items.count + Int(n.count) > 1 && !template.boletoLine.isEmpty {
                errors.add(path("payable.boleto_line"), "is one slip's line: give each instalment its own with UpdatePayable")
            }
        } else {
            PayableMoney.check(p.amountCents, path("payable.amount_cents"), errors: &errors)
            if let due { parts.append((p.amountCents, due)) }
        }
        guard errors.violations.count == before, let due else { return nil }
        let offset = expected.map { $0.dayNumber - due.dayNumber }
        drafts = parts.map { amount, date in
            var d = template
            d.amountCents = amount
            d.dueDate = date.description
            d.competence = template.competence.isEmpty ? date.competence.description : template.competence
            d.expectedPaymentDate = offset.map { date.adding(days: $0).description } ?? ""
            return d
        }
    }

    /// The supplier (active), the category (default: the supplier's) and cost centre (not
    /// archived), and the attachments (office files that exist), read in `db`.
    mutating func resolve(in db: Database, files: (any OfficeFileLookup)?, allowArchivedSupplier: Bool = false,
                          suppliers: SupplierCache = SupplierCache(), errors: inout FieldErrors) throws -> Conton_Payments_V1_Supplier? {
        let before = errors.violations.count
        var supplier: Conton_Payments_V1_Supplier?
        if !supplierID.isEmpty {
            if let s = try suppliers.find(supplierID, in: db) {
                if s.status == .archived && !allowArchivedSupplier {
                    errors.add(prefix + "payable.supplier_id", "supplier \(s.id) (\(s.name)) is archived; restore it first")
                }
                supplier = s
            } else {
                errors.add(prefix + "payable.supplier_id", "no supplier has id \(supplierID)")
            }
        }
        let categoryText = categoryID.isEmpty ? (supplier?.defaultCategoryId ?? "") : categoryID
        let category = try ClassifierStore.reference(categoryText, kind: .category, field: prefix + "payable.category_id",
                                                     allowArchived: categoryID.isEmpty, errors: &errors, in: db)
        let costCenter = try ClassifierStore.reference(costCenterID, kind: .costCenter, field: prefix + "payable.cost_center_id",
                                                       errors: &errors, in: db)
        try Attachments.check(drafts.first?.attachments ?? [], field: prefix + "payable.attachment_file_ids", files: files, errors: &errors, in: db)
        guard errors.violations.count == before else { return nil }
        for i in drafts.indices {
            drafts[i].categoryID = category
            drafts[i].costCenterID = costCenter
        }
        return supplier
    }
}

/// Attachments are files of the files plugin's office area (``FilesCapability/OfficeFileLookup``).
enum Attachments {
    static func check(_ ids: [String], field: String, files: (any OfficeFileLookup)?, errors: inout FieldErrors, in db: Database) throws {
        guard !ids.isEmpty else { return }
        guard let files else {
            errors.add(field, "attachments need the files plugin, which this server does not run")
            return
        }
        for (i, id) in ids.enumerated() {
            switch try files.officeFile(id, in: db) {
            case .some(true): break
            case .some(false): errors.add("\(field)[\(i)]", "file \(id) is in a client's area; attach files uploaded to the office's own area")
            case .none: errors.add("\(field)[\(i)]", "no file has id \(id)")
            }
        }
    }
}

/// The suppliers one transaction has read (a batch names the same ones many times).
final class SupplierCache {
    private var found: [String: Conton_Payments_V1_Supplier?] = [:]

    func find(_ id: String, in db: Database) throws -> Conton_Payments_V1_Supplier? {
        if let known = found[id] { return known }
        let s = try SupplierStore.find(id, in: db)
        found[id] = s
        return s
    }
}
