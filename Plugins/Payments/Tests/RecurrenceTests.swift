import ContonAPI
import ContonKit
import ContonTesting
import GRPCCore
import PaymentsPlugin
import Testing

/// Recurring payables: the current month and the next two generated, idempotently; changes from a
/// month on; the end month; deleting a template.
@Suite struct RecurrenceTests {
    func recurrence(_ t: PaymentsTest, supplier: String, amount: Int64 = 250_000, day: Int32 = 5, start: String = "2026-11",
                    end: String = "") async throws -> Conton_Payments_V1_CreateRecurrenceResponse {
        var r = Conton_Payments_V1_CreateRecurrenceRequest()
        r.recurrence.supplierId = supplier
        r.recurrence.description = "Aluguel da sala"
        r.recurrence.amountCents = amount
        r.recurrence.dueDay = day
        r.recurrence.startMonth = start
        r.recurrence.endMonth = end
        return try await t.payables.createRecurrence(r, metadata: t.owner)
    }

    func generated(_ t: PaymentsTest, _ id: String) async throws -> [Conton_Payments_V1_Payable] {
        try await t.listAll { $0.recurrenceId = id; $0.period.from = "2000-01-01"; $0.period.to = "2100-12-31" }
    }

    @Test func aTemplateKeepsThreeMonthsGeneratedAndGeneratingTwiceCreatesNothing() async throws {
        try await PaymentsTest.run { t in
            let s = try await t.supplier()
            // Started in November (a month already past): November through February.
            let created = try await recurrence(t, supplier: s.id, day: 31)
            #expect(created.generated.map(\.competence) == ["2026-11", "2026-12", "2027-01", "2027-02"])
            #expect(created.generated.map(\.dueDate) == ["2026-11-30", "2026-12-31", "2027-01-31", "2027-02-28"])
            #expect(created.recurrence.generatedThrough == "2027-02")
            #expect(created.generated.allSatisfy { $0.recurrenceId == created.recurrence.id && $0.amountCents == 250_000 })

            // Twice, and through the sweep: nothing new.
            #expect(try await t.payables.generateRecurringPayables(.init(), metadata: t.owner).created == 0)
            #expect(try await PaymentsPlugin.sweep(context: t.paymentsContext).generated == 0)
            #expect(try await generated(t, created.recurrence.id).count == 4)

            // A generated payable the office deleted is not made again.
            var delete = Conton_Payments_V1_DeletePayableRequest()
            delete.payableId = created.generated[1].id
            _ = try await t.payables.deletePayable(delete, metadata: t.owner)
            #expect(try await t.payables.generateRecurringPayables(.init(), metadata: t.owner).created == 0)

            // A month on (January 2027): March is generated, once.
            t.advance(days: 31)
            let next = try await t.payables.generateRecurringPayables(.init(), metadata: t.owner)
            #expect(next.created == 1 && next.generatedThrough == "2027-03")
            #expect(try await t.payables.generateRecurringPayables(.init(), metadata: t.owner).created == 0)
            #expect(try await generated(t, created.recurrence.id).map(\.competence) == ["2026-11", "2027-01", "2027-02", "2027-03"])
            #expect(try await t.count("SELECT count(*) FROM payments_payable WHERE recurrence_id IS NOT NULL") == 4)
        }
    }

    @Test func aChangeFromAMonthOnRewritesOnlyTheUnpaidPayablesFromThatMonth() async throws {
        try await PaymentsTest.run { t in
            let s = try await t.supplier()
            let other = try await t.supplier("Nova Imobiliária", n: 2)
            let created = try await recurrence(t, supplier: s.id, start: "2026-12")
            let months = created.generated
            #expect(months.map(\.competence) == ["2026-12", "2027-01", "2027-02"])
            _ = try await t.settle(months[1].id, paid: 1_000)
            var update = Conton_Payments_V1_UpdateRecurrenceRequest()
            update.recurrence.id = created.recurrence.id
            update.recurrence.version = created.recurrence.version
            update.recurrence.amountCents = 275_000
            update.recurrence.dueDay = 10
            update.recurrence.supplierId = other.id
            update.updateMask.paths = ["amount_cents", "due_day", "supplier_id"]
            update.effectiveMonth = "2027-01"
            let changed = try await t.payables.updateRecurrence(update, metadata: t.owner)
            // January has a payment: it stays as it was; February takes the new values.
            #expect(changed.updated == 1 && changed.created == 0 && changed.deleted == 0)
            let after = try await generated(t, created.recurrence.id)
            #expect(after.map(\.amountCents) == [250_000, 250_000, 275_000])
            #expect(after.map(\.dueDate) == ["2026-12-05", "2027-01-05", "2027-02-10"])
            #expect(after.map(\.supplierName) == ["Imobiliária Central Ltda", "Imobiliária Central Ltda", "Nova Imobiliária"])
            #expect(changed.recurrence.amountCents == 275_000 && changed.recurrence.version == created.recurrence.version + 1)

            // An end month in January: February goes; nothing is generated after it.
            update.recurrence = changed.recurrence
            update.recurrence.endMonth = "2027-01"
            update.updateMask.paths = ["end_month"]
            update.effectiveMonth = "2027-01"
            #expect(try await t.payables.updateRecurrence(update, metadata: t.owner).deleted == 1)
            t.advance(days: 62)
            #expect(try await t.payables.generateRecurringPayables(.init(), metadata: t.owner).created == 0)
            #expect(try await generated(t, created.recurrence.id).count == 2)

            // A stale version and a missing effective month are refused.
            update.effectiveMonth = ""
            #expect(Set(try #require(await failure { _ = try await t.payables.updateRecurrence(update, metadata: t.owner) }).violations.keys) == ["effective_month"])
        }
    }

    @Test func badTemplatesAreRefusedAndDeletingATemplateCanTakeItsPendingPayables() async throws {
        try await PaymentsTest.run { t in
            let s = try await t.supplier()
            var r = Conton_Payments_V1_CreateRecurrenceRequest()
            r.recurrence.supplierId = s.id
            r.recurrence.dueDay = 32
            r.recurrence.amountCents = 0
            r.recurrence.startMonth = "2026-12"
            r.recurrence.endMonth = "2026-11"
            let error = try #require(await failure { _ = try await t.payables.createRecurrence(r, metadata: t.owner) })
            #expect(Set(error.violations.keys) == ["recurrence.description", "recurrence.amount_cents", "recurrence.due_day", "recurrence.end_month"])

            let created = try await recurrence(t, supplier: s.id, start: "2026-12")
            _ = try await t.settle(created.generated[0].id)
            var delete = Conton_Payments_V1_DeleteRecurrenceRequest()
            delete.recurrenceId = created.recurrence.id
            delete.deletePending = true
            #expect(try await t.payables.deleteRecurrence(delete, metadata: t.owner).deletedPayables == 2)
            // The paid one stays, unlinked; the template is gone.
            #expect(try await t.get(created.generated[0].id).recurrenceId.isEmpty)
            #expect(try await t.payables.listRecurrences(.init(), metadata: t.owner).recurrences.isEmpty)
        }
    }
}
