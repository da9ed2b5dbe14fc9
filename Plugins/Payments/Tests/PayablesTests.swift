import ContonAPI
import ContonKit
import ContonTesting
import Foundation
import GRPCCore
import PaymentsPlugin
import Testing

/// Pagamentos: instalments, the list and its totals, settlement, reopening, cancelling and
/// deleting (one, the following, all), bulk actions, updates, events.
@Suite struct PayablesTests {
    @Test func theContractsThreeInstalmentsAreListedWithTheirTotals() async throws {
        try await PaymentsTest.run { t in
            let s = try await t.supplier()
            let created = try await t.create(s.id, amount: 300_000, due: "2026-12-10", description: "Licença anual do sistema", instalments: 3)
            #expect(created.map(\.amountCents) == [100_000, 100_000, 100_000])
            #expect(created.map(\.dueDate) == ["2026-12-10", "2027-01-10", "2027-02-10"])
            #expect(created.map(\.instalmentNumber) == [1, 2, 3] && created.allSatisfy { $0.instalmentCount == 3 && $0.instalmentGroupId == created[0].id })
            #expect(created.allSatisfy { $0.status == .pending && $0.balanceCents == 100_000 && $0.supplierName == "Imobiliária Central Ltda" })
            #expect(created.map(\.competence) == ["2026-12", "2027-01", "2027-02"])

            let listed = try await t.list {
                $0.status = .pending
                $0.period.from = "2026-12-01"
                $0.period.to = "2027-02-28"
            }
            #expect(listed.payables.map(\.id) == created.map(\.id))
            #expect(listed.totals.count == 3 && listed.totals.sumCents == 300_000 && listed.totals.pending.count == 3 && listed.totals.paid.count == 0)
            // Without a period: the current month's (December 2026), by due date, as Cont On opens.
            let month = try await t.list()
            #expect(month.payables.map(\.id) == [created[0].id] && month.period.from == "2026-12-01" && month.period.to == "2026-12-31")
            #expect(month.totals.count == 1 && month.totals.sumCents == 100_000)
            // The JSON a thin client reads: amounts as strings, counts as numbers.
            let json = try listed.totals.jsonString()
            #expect(json.contains("\"count\":3") && json.contains("\"sumCents\":\"300000\""))
        }
    }

    @Test func equalSplitsPutTheRemainderOnTheFirstAndGivenItemsMustAddUp() async throws {
        try await PaymentsTest.run { t in
            let s = try await t.supplier()
            let split = try await t.create(s.id, amount: 100_000, due: "2027-01-31", instalments: 3)
            #expect(split.map(\.amountCents) == [33_334, 33_333, 33_333])
            // The month's last day when it is shorter.
            #expect(split.map(\.dueDate) == ["2027-01-31", "2027-02-28", "2027-03-31"])
            // Expected payment dates keep their distance to the due date.
            let planned = try await t.create(s.id, amount: 20_000, due: "2027-01-10", instalments: 2) { $0.payable.expectedPaymentDate = "2027-01-08" }
            #expect(planned.map(\.expectedPaymentDate) == ["2027-01-08", "2027-02-08"])

            let items = try await t.create(s.id, amount: 0, due: "2027-01-05") { r in
                for (amount, date) in [(Int64(50_000), "2027-01-05"), (30_000, "2027-02-20"), (20_000, "2027-04-01")] {
                    var item = Conton_Payments_V1_InstalmentSpec()
                    item.amountCents = amount
                    item.dueDate = date
                    r.instalments.items.append(item)
                }
            }
            #expect(items.map(\.amountCents) == [50_000, 30_000, 20_000] && items.map(\.dueDate) == ["2027-01-05", "2027-02-20", "2027-04-01"])
            let mismatch = await failure { _ = try await t.create(s.id, amount: 90_000, due: "2027-01-05") { r in
                var item = Conton_Payments_V1_InstalmentSpec()
                item.amountCents = 50_000
                item.dueDate = "2027-01-05"
                r.instalments.items = [item, item]
            } }
            #expect(mismatch?.violations["instalments.items"] == "add up to R$ 1.000,00, not the payable's R$ 900,00")
        }
    }

    @Test func badInputIsRefusedWithEveryFieldAtOnceAndNothingIsWritten() async throws {
        try await PaymentsTest.run { t in
            let s = try await t.supplier()
            var r = Conton_Payments_V1_CreatePayablesRequest()
            r.payable.supplierId = s.id
            r.payable.description = ""
            r.payable.amountCents = 1_000_000_000_001
            r.payable.dueDate = "2026-02-30"
            r.payable.expectedPaymentDate = "amanhã"
            r.payable.competence = "2026-13"
            r.payable.boletoLine = "23793.38128 60000.000003 00000.000406 8 84340000012345"
            r.instalments.count = 361
            let error = try #require(await failure { _ = try await t.payables.createPayables(r, metadata: t.owner) })
            #expect(error.code == .invalidArgument)
            #expect(Set(error.violations.keys) == ["payable.description", "payable.amount_cents", "payable.due_date", "payable.expected_payment_date",
                                                   "payable.competence", "payable.boleto_line", "instalments.count"])
            #expect(error.violations["payable.due_date"] == "2026-02-30 is not a date (YYYY-MM-DD)")
            #expect(error.violations["payable.boleto_line"]?.contains("digit 21") == true)
            #expect(error.violations["payable.amount_cents"] == "must be at most R$ 10.000.000.000,00")
            r = Conton_Payments_V1_CreatePayablesRequest()
            r.payable.supplierId = s.id
            r.payable.description = "x"
            r.payable.amountCents = 0
            r.payable.dueDate = "2026-12-01"
            r.instalments.count = 0
            #expect(Set(try #require(await failure { _ = try await t.payables.createPayables(r, metadata: t.owner) }).violations.keys)
                    == ["payable.amount_cents", "instalments.count"])
            r.payable.amountCents = -5
            r.clearInstalments()
            #expect(await failure { _ = try await t.payables.createPayables(r, metadata: t.owner) }?.violations["payable.amount_cents"] == "must be greater than zero")
            r.payable.amountCents = 100
            r.payable.supplierId = "4242"
            #expect(await failure { _ = try await t.payables.createPayables(r, metadata: t.owner) }?.violations["payable.supplier_id"] == "no supplier has id 4242")
            #expect(try await t.count("SELECT count(*) FROM payments_payable") == 0)

            // A batch is all or nothing: one bad entry, named by index, and nothing is created.
            var batch = Conton_Payments_V1_BatchCreatePayablesRequest()
            var good = Conton_Payments_V1_CreatePayablesRequest()
            good.payable.supplierId = s.id
            good.payable.description = "Ok"
            good.payable.amountCents = 100
            good.payable.dueDate = "2026-12-05"
            var bad = good
            bad.payable.supplierId = "4242"
            batch.entries = [good, good, bad]
            #expect(await failure { _ = try await t.payables.batchCreatePayables(batch, metadata: t.owner) }?.violations.keys.sorted() == ["entries[2].payable.supplier_id"])
            #expect(try await t.count("SELECT count(*) FROM payments_payable") == 0)
            batch.entries = [good, good]
            #expect(try await t.payables.batchCreatePayables(batch, metadata: t.owner).created == 2)
        }
    }

    @Test func settlementTakesDiscountInterestAndPartialPaymentsAndRefusesOverpaying() async throws {
        try await PaymentsTest.run { t in
            let s = try await t.supplier()
            let p = try await t.create(s.id, amount: 100_000, due: "2026-11-20")[0]
            #expect(p.overdue && p.daysOverdue == 11)
            // Partial: stays pending with its balance.
            let partial = try await t.settle(p.id, paid: 40_000, date: "2026-11-25")
            #expect(partial.payable.status == .pending && partial.payable.balanceCents == 60_000 && partial.payable.paidCents == 40_000)
            #expect(partial.payment.principalCents == 40_000)
            // Paying more than the balance: INVALID_ARGUMENT, nothing written.
            let over = await failure { _ = try await t.settle(p.id, paid: 70_000) }
            #expect(over?.violations["amount_paid_cents"]?.contains("more than the balance of R$ 600,00") == true)
            #expect(await failure { _ = try await t.settle(p.id, date: "2026-12-02") }?.violations["payment_date"] != nil)
            // The rest, with interest/fine: the whole balance plus R$ 12,00.
            let rest = try await t.settle(p.id, interest: 1_200)
            #expect(rest.payable.status == .paid && rest.payable.balanceCents == 0 && rest.payment.amountPaidCents == 61_200)
            #expect(rest.payable.paidCents == 101_200 && rest.payable.interestCents == 1_200 && rest.payable.paymentDate == "2026-12-01")
            #expect(rest.payable.payments.count == 2)
            #expect(await failure { _ = try await t.settle(p.id) }?.details?.reason?.reason == "PAYABLE_PAID")

            // With a discount: R$ 50,00 off a R$ 500,00 payable, R$ 450,00 paid.
            let q = try await t.create(s.id, amount: 50_000, due: "2026-12-10")[0]
            let discounted = try await t.settle(q.id, discount: 5_000)
            #expect(discounted.payment.amountPaidCents == 45_000 && discounted.payable.status == .paid && discounted.payable.discountCents == 5_000)

            // Reopen: pending again, the whole amount due, the payments kept reversed.
            var reopen = Conton_Payments_V1_ReopenPayableRequest()
            reopen.payableId = p.id
            #expect(await failure { _ = try await t.payables.reopenPayable(reopen, metadata: t.owner) }?.violations["reason"] == "is required")
            reopen.reason = "Pagamento estornado pelo banco"
            let reopened = try await t.payables.reopenPayable(reopen, metadata: t.owner).payable
            #expect(reopened.status == .pending && reopened.balanceCents == 100_000 && reopened.paidCents == 0 && reopened.paymentDate.isEmpty)
            #expect(reopened.payments.count == 2 && reopened.payments.allSatisfy { $0.reversedAtMs > 0 })

            // payable.settled: one per payment, paid on the last.
            let settled = try await t.events("payable.settled")
            #expect(settled.map { $0["paid"] as? Bool } == [false, true, true])
            #expect(settled.map { $0["balanceCents"] as? Int } == [60_000, 0, 0])
        }
    }

    @Test func cancellingAndDeletingCoverOneTheFollowingOrAllInstalments() async throws {
        try await PaymentsTest.run { t in
            let s = try await t.supplier()
            let group = try await t.create(s.id, amount: 600_000, due: "2026-12-15", instalments: 6)
            _ = try await t.settle(group[0].id)
            // Delete 4/6 and the following: 4, 5, 6.
            var delete = Conton_Payments_V1_DeletePayableRequest()
            delete.payableId = group[3].id
            delete.scope = .following
            let deleted = try await t.payables.deletePayable(delete, metadata: t.owner)
            #expect(deleted.deletedIds == group[3...].map(\.id) && deleted.skipped.isEmpty)
            // Cancel 2/6 alone, with a reason.
            var cancel = Conton_Payments_V1_CancelPayableRequest()
            cancel.payableId = group[1].id
            cancel.reason = "Negociado"
            let cancelled = try await t.payables.cancelPayable(cancel, metadata: t.owner)
            #expect(cancelled.cancelled.map(\.id) == [group[1].id] && cancelled.cancelled[0].status == .cancelled && cancelled.cancelled[0].cancelReason == "Negociado")
            // Delete all: 1/6 has a payment and 2/6 … is cancelled (deleted too: nothing was paid); 1/6 is kept and said why.
            delete.payableId = group[2].id
            delete.scope = .all
            let all = try await t.payables.deletePayable(delete, metadata: t.owner)
            #expect(Set(all.deletedIds) == [group[1].id, group[2].id])
            #expect(all.skipped.map(\.payableId) == [group[0].id] && all.skipped[0].reason.contains("has payments"))
            // The named payable must succeed: deleting the paid one alone is refused.
            delete.payableId = group[0].id
            delete.scope = .this
            #expect(await failure { _ = try await t.payables.deletePayable(delete, metadata: t.owner) }?.details?.reason?.reason == "PAYABLE_HAS_PAYMENTS")
            #expect(try await t.count("SELECT count(*) FROM payments_payable") == 1)
        }
    }

    @Test func bulkActionsRunInOneTransactionWithOneResultPerRow() async throws {
        try await PaymentsTest.run { t in
            let s = try await t.supplier()
            let a = try await t.create(s.id, amount: 10_000, due: "2026-12-05")[0]
            let b = try await t.create(s.id, amount: 20_000, due: "2026-12-06")[0]
            let c = try await t.create(s.id, amount: 30_000, due: "2026-12-07")[0]
            _ = try await t.settle(b.id)
            var settle = Conton_Payments_V1_BulkSettlePayablesRequest()
            settle.payableIds = [a.id, b.id, "999", c.id]
            settle.paymentDate = "2026-11-30"
            settle.method = .pix
            let result = try await t.payables.bulkSettlePayables(settle, metadata: t.owner)
            #expect(result.succeeded == 2 && result.failed == 2)
            #expect(result.results.map(\.code) == [0, Int32(RPCError.Code.failedPrecondition.rawValue), Int32(RPCError.Code.notFound.rawValue), 0])
            #expect(result.results[0].payable.status == .paid && result.results[0].payable.method == .pix && result.results[3].payable.paymentDate == "2026-11-30")
            #expect(result.results[1].message.contains("paid already"))
            // Audit rows: one per payable settled (and the single settle before).
            #expect(try await t.count("SELECT count(*) FROM host_audit WHERE entity_type = 'payable' AND summary LIKE 'registered a payment%'") == 3)

            var cancel = Conton_Payments_V1_BulkCancelPayablesRequest()
            cancel.payableIds = [a.id]
            #expect(await failure { _ = try await t.payables.bulkCancelPayables(cancel, metadata: t.owner) }?.violations["reason"] == "is required")
            settle.payableIds = [a.id, a.id]
            #expect(await failure { _ = try await t.payables.bulkSettlePayables(settle, metadata: t.owner) }?.violations["payable_ids"] == "lists an id twice")

            let d = try await t.create(s.id, amount: 40_000, due: "2026-12-08")[0]
            var remove = Conton_Payments_V1_BulkDeletePayablesRequest()
            remove.payableIds = [d.id, a.id]
            let removed = try await t.payables.bulkDeletePayables(remove, metadata: t.owner)
            #expect(removed.results.map(\.code) == [0, Int32(RPCError.Code.failedPrecondition.rawValue)])
            #expect(try await t.count("SELECT count(*) FROM payments_payable WHERE id = ?", [Int64(d.id)!]) == 0)
        }
    }

    @Test func totalsEqualARecountForRandomFilters() async throws {
        try await PaymentsTest.run { t in
            var generator = SeededGenerator(seed: 14)
            let suppliers = [try await t.supplier("Aluguéis Paulista", n: 1), try await t.supplier("Energia Sul", n: 2), try await t.supplier("Software Norte", n: 3)]
            var list = Conton_Payments_V1_ListClassifiersRequest()
            list.kind = .category
            let categories = try await t.suppliers.listClassifiers(list, metadata: t.owner).classifiers
            var batch = Conton_Payments_V1_BatchCreatePayablesRequest()
            for i in 0..<120 {
                var e = Conton_Payments_V1_CreatePayablesRequest()
                e.payable.supplierId = suppliers[Int.random(in: 0..<3, using: &generator)].id
                e.payable.description = ["Aluguel", "Conta de luz", "Licença", "Manutenção"][i % 4] + " \(i)"
                e.payable.amountCents = Int64.random(in: 1...500_000, using: &generator)
                e.payable.dueDate = CivilDate(year: 2026, month: 11, day: 1)!.adding(days: Int.random(in: 0..<120, using: &generator)).description
                e.payable.categoryId = categories[Int.random(in: 0..<categories.count, using: &generator)].id
                batch.entries.append(e)
            }
            let ids = try await t.payables.batchCreatePayables(batch, metadata: t.owner).results.flatMap(\.payableIds)
            var all: [Conton_Payments_V1_Payable] = []
            for id in ids { all.append(try await t.get(id)) }
            var deleted: Set<String> = []
            for p in all.shuffled(using: &generator).prefix(50) {
                switch Int.random(in: 0..<5, using: &generator) {
                case 3:
                    var d = Conton_Payments_V1_DeletePayableRequest()
                    d.payableId = p.id
                    _ = try await t.payables.deletePayable(d, metadata: t.owner)
                    deleted.insert(p.id)
                case 4:
                    var u = Conton_Payments_V1_UpdatePayableRequest()
                    u.payable.id = p.id
                    u.payable.version = p.version
                    u.payable.dueDate = CivilDate(p.dueDate)!.adding(days: Int.random(in: -20...20, using: &generator)).description
                    u.payable.amountCents = p.amountCents + 100
                    u.updateMask.paths = ["due_date", "amount_cents"]
                    _ = try await t.payables.updatePayable(u, metadata: t.owner)
                case 0: _ = try await t.settle(p.id, date: p.dueDate < "2026-12-01" ? p.dueDate : "2026-12-01")
                case 1: _ = try await t.settle(p.id, paid: max(1, p.amountCents / 3))
                default:
                    var c = Conton_Payments_V1_CancelPayableRequest()
                    c.payableId = p.id
                    c.reason = "teste"
                    _ = try await t.payables.cancelPayable(c, metadata: t.owner)
                }
            }
            // Every payable as GetPayable shows it now (the filters below change nothing).
            var current: [Conton_Payments_V1_Payable] = []
            for p in all where !deleted.contains(p.id) { current.append(try await t.get(p.id)) }
            // The per-(due date, status) sums the triggers keep equal a recount of the rows.
            let sums = "SELECT due_date, status, count(*), sum(amount_cents), sum(settled_cents), sum(paid_cents) FROM payments_payable GROUP BY 1, 2"
            let kept = "SELECT due_date, status, n, amount, settled, paid FROM payments_due_totals WHERE n != 0"
            #expect(try await t.count("SELECT count(*) FROM (\(kept) EXCEPT \(sums))") == 0)
            #expect(try await t.count("SELECT count(*) FROM (\(sums) EXCEPT \(kept))") == 0)
            #expect(try await t.count("SELECT count(*) FROM payments_due_totals") > 50)
            for _ in 0..<25 {
                let status = [Conton_Payments_V1_PayableStatusFilter.all, .pending, .paid, .overdue, .cancelled][Int.random(in: 0..<5, using: &generator)]
                let byPayment = Bool.random(using: &generator)
                let from = CivilDate(year: 2026, month: 10, day: 20)!.adding(days: Int.random(in: 0..<100, using: &generator))
                let to = from.adding(days: Int.random(in: 0..<90, using: &generator))
                let supplier = Int.random(in: 0..<4, using: &generator)
                let text = ["", "luz", "Licença"][Int.random(in: 0..<3, using: &generator)]
                let configure: @Sendable (inout Conton_Payments_V1_ListPayablesRequest) -> Void = { r in
                    r.status = status
                    r.dateField = byPayment ? .payment : .due
                    r.period.from = from.description
                    r.period.to = to.description
                    if supplier < 3 { r.supplier = ["paulista", "ENERGIA", "norte"][supplier] }
                    r.text = text
                }
                let listed = try await t.listAll(configure)
                let totals = try await t.list(configure).totals
                // The recount, from every payable as GetPayable shows it.
                var expected: [Conton_Payments_V1_Payable] = []
                for now in current {
                    let date = byPayment ? now.paymentDate : now.dueDate
                    guard !date.isEmpty, date >= from.description, date <= to.description else { continue }
                    switch status {
                    case .pending: guard now.status == .pending else { continue }
                    case .paid: guard now.status == .paid else { continue }
                    case .cancelled: guard now.status == .cancelled else { continue }
                    case .overdue: guard now.overdue else { continue }
                    default: break
                    }
                    if supplier < 3 && now.supplierId != suppliers[supplier].id { continue }
                    if !text.isEmpty && !now.description.lowercased().contains(text.lowercased()) { continue }
                    expected.append(now)
                }
                expected.sort { (byPayment ? ($0.paymentDate, Int64($0.id)!) : ($0.dueDate, Int64($0.id)!)) < (byPayment ? ($1.paymentDate, Int64($1.id)!) : ($1.dueDate, Int64($1.id)!)) }
                #expect(listed.map(\.id) == expected.map(\.id), "status \(status) \(from)…\(to) supplier \(supplier) text '\(text)'")
                #expect(totals.count == Int32(expected.count))
                #expect(totals.sumCents == expected.reduce(0) { $0 + $1.amountCents })
                #expect(totals.balanceCents == expected.reduce(0) { $0 + $1.balanceCents })
                #expect(totals.paidCents == expected.reduce(0) { $0 + $1.paidCents })
                #expect(totals.overdue.count == Int32(expected.filter(\.overdue).count))
                #expect(totals.pending.count == Int32(expected.filter { $0.status == .pending }.count))
                #expect(totals.paid.sumCents == expected.filter { $0.status == .paid }.reduce(0) { $0 + $1.amountCents })
                #expect(totals.cancelled.count == Int32(expected.filter { $0.status == .cancelled }.count))
            }
        }
    }

    @Test func updatesTakeAMaskAndTheVersionAndKeepWhatIsSettled() async throws {
        try await PaymentsTest.run { t in
            let s = try await t.supplier()
            let other = try await t.supplier("Outro fornecedor", n: 2)
            let p = try await t.create(s.id, amount: 100_000, due: "2026-12-10")[0]
            _ = try await t.settle(p.id, paid: 30_000)
            let current = try await t.get(p.id)
            var r = Conton_Payments_V1_UpdatePayableRequest()
            r.payable.id = p.id
            r.payable.version = current.version
            r.payable.amountCents = 20_000
            r.payable.dueDate = "2026-12-20"
            r.payable.supplierId = other.id
            r.updateMask.paths = ["amount_cents", "due_date", "supplier_id"]
            #expect(await failure { _ = try await t.payables.updatePayable(r, metadata: t.owner) }?.violations["payable.amount_cents"]?.contains("R$ 300,00") == true)
            r.payable.amountCents = 30_000
            let updated = try await t.payables.updatePayable(r, metadata: t.owner).payable
            // Lowered to what was paid: paid.
            #expect(updated.status == .paid && updated.dueDate == "2026-12-20" && updated.supplierName == "Outro fornecedor" && updated.version == current.version + 1)
            #expect(await failure { _ = try await t.payables.updatePayable(r, metadata: t.owner) }?.code == .aborted)
            r.payable.version = updated.version
            r.updateMask.paths = ["status"]
            #expect(await failure { _ = try await t.payables.updatePayable(r, metadata: t.owner) }?.violations["update_mask[0]"] == "'status' is output only")
        }
    }

    @Test func theSweepPublishesDueSoonAndOverdueOncePerPayable() async throws {
        try await PaymentsTest.run { t in
            let s = try await t.supplier()
            let late = try await t.create(s.id, amount: 10_000, due: "2026-11-30")[0]
            let soon = try await t.create(s.id, amount: 20_000, due: "2026-12-04")[0]
            let later = try await t.create(s.id, amount: 30_000, due: "2026-12-10")[0]
            #expect(try await t.events("payable.created").count == 3)
            let first = try await PaymentsPlugin.sweep(context: t.paymentsContext)
            #expect(first.overdue == 1 && first.dueSoon == 1)
            #expect(try await t.events("payable.overdue").map { $0["payableID"] as? String } == [late.id])
            #expect(try await t.events("payable.due_soon").map { $0["payableID"] as? String } == [soon.id])
            #expect(try await PaymentsPlugin.sweep(context: t.paymentsContext) == .init())
            // Six days on: `later` is due soon, `soon` overdue; each once.
            t.advance(days: 6)
            let second = try await PaymentsPlugin.sweep(context: t.paymentsContext)
            #expect(second.overdue == 1 && second.dueSoon == 1)
            #expect(try await t.events("payable.overdue").compactMap { $0["payableID"] as? String } == [late.id, soon.id])
            #expect(try await t.events("payable.due_soon").compactMap { $0["payableID"] as? String } == [soon.id, later.id])
            // The window is the office's: 0 turns due-soon notices off.
            var settings = Conton_Payments_V1_UpdatePaymentsSettingsRequest()
            settings.settings.dueSoonDays = 31
            #expect(await failure { _ = try await t.payables.updatePaymentsSettings(settings, metadata: t.owner) }?.code == .invalidArgument)
            settings.settings.dueSoonDays = 0
            #expect(try await t.payables.updatePaymentsSettings(settings, metadata: t.owner).settings.dueSoonDays == 0)
        }
    }
}

/// A small deterministic generator (SplitMix64) so a failing random case can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
