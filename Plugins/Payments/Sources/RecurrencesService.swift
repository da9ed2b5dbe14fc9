import ContonAPI
import ContonKit
import GRDB
import GRPCCore

/// The recurring-payable methods of `conton.payments.v1.Payables` (``Recurrences`` has the rules).
extension PayablesService {
    func createRecurrence(request: Conton_Payments_V1_CreateRecurrenceRequest, context: ServerContext) async throws -> Conton_Payments_V1_CreateRecurrenceResponse {
        let today = self.today
        var input = request.recurrence
        input.id = ""
        input.generatedThrough = ""
        let r = try Recurrences.validated(input, today: today)
        return try await self.context.write { m in
            let (_, category, costCenter) = try Recurrences.references(r, in: m.db)
            try m.db.execute(sql: """
                INSERT INTO payments_recurrence (supplier_id, description, category_id, cost_center_id, amount_cents, due_day, start_month,
                  end_month, method, notes, version, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
                """, arguments: [Int64(r.supplierId)!, r.description, r.categoryId.isEmpty ? nil : category, costCenter, r.amountCents, r.dueDay,
                                 r.startMonth, r.endMonth, r.method.rawValue, r.notes, m.now, m.now])
            let id = String(m.db.lastInsertedRowID)
            m.audit("recurrence", id, "created recurring payable of \(PayableMoney.formatted(r.amountCents)) a month, day \(r.dueDay), from \(r.startMonth)")
            let ids = try Recurrences.generate(try Recurrences.require(id, in: m.db), through: Recurrences.through(today), in: &m)
            var response = Conton_Payments_V1_CreateRecurrenceResponse()
            response.recurrence = try Recurrences.require(id, in: m.db)
            response.generated = try PayableStore.fetch(ids, today: today, in: m.db)
            return response
        }
    }

    func updateRecurrence(request: Conton_Payments_V1_UpdateRecurrenceRequest, context: ServerContext) async throws -> Conton_Payments_V1_UpdateRecurrenceResponse {
        let update = request.recurrence
        var errors = FieldErrors()
        if update.id.isEmpty { errors.add("recurrence.id", "is required") }
        if update.version <= 0 { errors.add("recurrence.version", "is required: the version you read (ListRecurrences)") }
        let effective = Competence(request.effectiveMonth)
        if effective == nil {
            errors.add("effective_month", request.effectiveMonth.isEmpty ? "is required: the first month the change applies to (YYYY-MM)"
                                                                          : "\(request.effectiveMonth) is not a month (YYYY-MM)")
        }
        try errors.check()
        let mask = request.updateMask.paths
        let today = self.today
        let from = effective!.description
        return try await self.context.write { m in
            let current = try Recurrences.require(update.id, field: "recurrence.id", in: m.db)
            guard current.version == update.version else {
                throw ServiceError(.aborted, "recurring payable \(update.id) changed since version \(update.version) (now \(current.version)); read it again and retry",
                                   reason: "VERSION_MISMATCH", resource: ErrorDetails.Resource(type: "conton.payments.v1.Recurrence", name: update.id))
            }
            let merged = try FieldMaskUpdate.apply(mask, from: update, to: current, outputOnly: Recurrences.outputOnly)
            let r = try Recurrences.validated(merged, today: today)
            let (supplier, category, costCenter) = try Recurrences.references(r, in: m.db)
            let key = Int64(r.id)!
            try m.db.execute(sql: """
                UPDATE payments_recurrence SET supplier_id = ?, description = ?, category_id = ?, cost_center_id = ?, amount_cents = ?, due_day = ?,
                  end_month = ?, method = ?, notes = ?, version = version + 1, updated_at_ms = ? WHERE id = ?
                """, arguments: [Int64(r.supplierId)!, r.description, r.categoryId.isEmpty ? nil : category, costCenter, r.amountCents, r.dueDay,
                                 r.endMonth, r.method.rawValue, r.notes, m.now, key])
            var response = Conton_Payments_V1_UpdateRecurrenceResponse()
            // Generated payables from the effective month on that nobody paid take the new values;
            // those past a new end month go.
            let open = "recurrence_id = ? AND competence >= ? AND status = 1 AND settled_cents = 0"
            if !r.endMonth.isEmpty {
                try m.db.execute(sql: "DELETE FROM payments_payable WHERE \(open) AND competence > ?", arguments: [key, from, r.endMonth])
                response.deleted = Int32(m.db.changesCount)
            }
            let rows = try Row.fetchAll(m.db, sql: "SELECT id, competence FROM payments_payable WHERE \(open)", arguments: [key, from])
            let statement = try m.db.cachedStatement(sql: """
                UPDATE payments_payable SET supplier_id = ?, supplier_name = ?, supplier_document = ?, payee_document = ?, description = ?,
                  category_id = ?, cost_center_id = ?, amount_cents = ?, due_date = ?, method = ?, notes = ?, search_key = ?,
                  version = version + 1, updated_at_ms = ? WHERE id = ?
                """)
            let supplierKey = SupplierStore.searchKey(supplier)
            for row in rows {
                let d = Recurrences.draft(r, month: Competence(row["competence"] as String)!, category: category ?? Int64(supplier.defaultCategoryId),
                                          costCenter: costCenter)
                try statement.execute(arguments: [Int64(supplier.id)!, supplier.name, supplier.document,
                                                  SupplierStore.payeeDocument(supplier), d.description, d.categoryID, d.costCenterID, d.amountCents,
                                                  d.dueDate, d.method.rawValue, d.notes,
                                                  PayableStore.searchKey(description: d.description, documentNumber: "", notes: d.notes, supplierKey: supplierKey),
                                                  m.now, row["id"] as Int64])
            }
            response.updated = Int32(rows.count)
            let fields = mask.isEmpty ? FieldMaskUpdate.populated(update, excluding: Recurrences.outputOnly) : Array(mask)
            m.audit("recurrence", r.id, "updated recurring payable from \(from): \(fields.joined(separator: ", "))")
            response.created = Int32(try Recurrences.generate(try Recurrences.require(r.id, in: m.db), through: Recurrences.through(today), in: &m).count)
            response.recurrence = try Recurrences.require(r.id, in: m.db)
            return response
        }
    }

    func listRecurrences(request: Conton_Payments_V1_ListRecurrencesRequest, context: ServerContext) async throws -> Conton_Payments_V1_ListRecurrencesResponse {
        var response = Conton_Payments_V1_ListRecurrencesResponse()
        response.recurrences = try await self.context.read { db in try Recurrences.list(in: db) }
        return response
    }

    func deleteRecurrence(request: Conton_Payments_V1_DeleteRecurrenceRequest, context: ServerContext) async throws -> Conton_Payments_V1_DeleteRecurrenceResponse {
        let today = self.today
        return try await self.context.write { m in
            let r = try Recurrences.require(request.recurrenceId, in: m.db)
            let key = Int64(r.id)!
            var response = Conton_Payments_V1_DeleteRecurrenceResponse()
            if request.deletePending {
                try m.db.execute(sql: """
                    DELETE FROM payments_payable WHERE recurrence_id = ? AND due_date >= ? AND status = 1 AND settled_cents = 0
                      AND NOT EXISTS (SELECT 1 FROM payments_payment x WHERE x.payable_id = payments_payable.id)
                    """, arguments: [key, today.description])
                response.deletedPayables = Int32(m.db.changesCount)
            }
            // The payables it made stay, no longer linked.
            try m.db.execute(sql: "UPDATE payments_payable SET recurrence_id = NULL WHERE recurrence_id = ?", arguments: [key])
            try m.db.execute(sql: "DELETE FROM payments_recurrence WHERE id = ?", arguments: [key])
            m.audit("recurrence", r.id, "deleted recurring payable \(r.description)" +
                    (request.deletePending ? " and \(response.deletedPayables) pending payable(s) it generated" : ""))
            return response
        }
    }

    func generateRecurringPayables(request: Conton_Payments_V1_GenerateRecurringPayablesRequest, context: ServerContext) async throws -> Conton_Payments_V1_GenerateRecurringPayablesResponse {
        let today = self.today
        var response = Conton_Payments_V1_GenerateRecurringPayablesResponse()
        response.created = Int32(try await self.context.write { m in try Recurrences.generateAll(today: today, in: &m) })
        response.generatedThrough = Recurrences.through(today).description
        return response
    }
}
