import ContonAPI
import ContonKit
import ContonTesting
import Foundation
import GRPCCore
import FeesPlugin
import Testing

/// Recebimentos: totals per status, settlement (partial, overpayment, late charges), reopen and
/// cancel, receipts and their numbers.
@Suite struct ReceivableTests {
    @Test func totalsPerStatusMatchARecountOverEveryPage() async throws {
        try await FeesTest.run { t in
            let a = try await t.client("Açougue São João", n: 20)
            let b = try await t.client("Oficina Três Corações", n: 21)
            let today = officeToday()
            let future = CivilDate(year: today.year + 1, month: 6, day: 15)!.description
            _ = try await t.generate([a.id, b.id], start: "2021-01", times: 12)  // all overdue
            var created: [Conton_Fees_V1_Receivable] = []
            for i in 0..<10 {
                created.append(try await t.create(client: i % 2 == 0 ? a.id : b.id, amount: Int64(10_000 + i), due: future,
                                                  description: "Consultoria extra \(i)"))
            }
            let all = try await t.listAll(pageSize: 7)
            #expect(all.count == 34 && Set(all.map(\.id)).count == 34)
            #expect(all.map(\.dueDate) == all.map(\.dueDate).sorted())
            // Pay two in full, one in part; cancel two.
            _ = try await t.settle(all[0].id, paid: all[0].amountCents, date: "2021-01-10")
            _ = try await t.settle(all[1].id, paid: 1_000 + 150, interest: 150)  // partial: 1,000 of principal
            _ = try await t.settle(created[0].id, paid: created[0].amountCents - 500, discount: 500)
            for r in [all[2], created[1]] {
                var cancel = Conton_Fees_V1_CancelReceivableRequest()
                cancel.receivableId = r.id
                cancel.reason = "lançado em duplicidade"
                _ = try await t.receivables.cancelReceivable(cancel, metadata: t.owner)
            }
            for filter in [{ (_: inout Conton_Fees_V1_ListReceivablesRequest) in },
                           { $0.clientId = a.id },
                           { $0.text = "sao joao" },
                           { $0.text = "consultoria" },
                           { $0.dueFrom = "2021-03-01"; $0.dueTo = "2021-08-31" },
                           { $0.paidFrom = "2021-01-01" },
                           { $0.statuses = [.open, .overdue] }] as [(inout Conton_Fees_V1_ListReceivablesRequest) -> Void] {
                let first = try await t.list { r in filter(&r); r.pageSize = 5 }
                let every = try await t.listAll(pageSize: 5, filter)
                for total in first.totals {
                    let mine = every.filter { $0.status == total.status }
                    #expect(total.count == Int64(mine.count), "\(total.status)")
                    #expect(total.amountCents == mine.reduce(0) { $0 + $1.amountCents })
                    #expect(total.balanceCents == mine.reduce(0) { $0 + $1.balanceCents })
                    #expect(total.receivedCents == mine.reduce(0) { $0 + $1.receivedCents })
                }
                #expect(first.totals.map(\.status) == [.open, .overdue, .paid, .cancelled])
                #expect(first.total.count == Int64(every.count))
                #expect(first.total.amountCents == every.reduce(0) { $0 + $1.amountCents })
            }
            let totals = try await t.list().totals
            #expect(totals.map(\.count) == [8, 22, 2, 2])
            #expect(try await t.listAll { $0.text = "sao joao" }.allSatisfy { $0.clientId == a.id })
            #expect(try await t.listAll { $0.statuses = [.paid] }.count == 2)
            #expect(try await t.listAll { $0.paidFrom = "2021-01-10"; $0.paidTo = "2021-01-10" }.map(\.id) == [all[0].id])
            #expect(await code { _ = try await t.list { $0.pageToken = "garbage" } } == .invalidArgument)
            #expect(await code { _ = try await t.list { $0.dueFrom = "2021-02-30" } } == .invalidArgument)
        }
    }

    @Test func settlementPartialThenFullLateChargesQuoteAndOverpayment() async throws {
        try await FeesTest.run { t in
            try await t.setOffice(fineBasisPoints: 200, interestBasisPoints: 100)
            let a = try await t.client("João Gonçalves", n: 22)
            let r = try await t.create(client: a.id, amount: 100_000, due: "2023-01-10", description: "Abertura de empresa")
            // The quote before settling: 30 days late → 2 % fine + 1 % interest.
            var quote = Conton_Fees_V1_QuoteSettlementRequest()
            quote.receivableId = r.id
            quote.paymentDate = "2023-02-09"
            var q = try await t.receivables.quoteSettlement(quote, metadata: t.owner).quote
            #expect(q.daysLate == 30 && q.fineCents == 2_000 && q.interestCents == 1_000 && q.totalCents == 103_000)
            #expect(q.fineBasisPoints == 200 && q.monthlyInterestBasisPoints == 100)
            quote.paymentDate = "2023-01-25"  // 15 days: interest pro rata die
            q = try await t.receivables.quoteSettlement(quote, metadata: t.owner).quote
            #expect(q.daysLate == 15 && q.fineCents == 2_000 && q.interestCents == 500)
            quote.paymentDate = "2023-01-10"  // on the due date: nothing
            q = try await t.receivables.quoteSettlement(quote, metadata: t.owner).quote
            #expect(q.daysLate == 0 && q.fineCents == 0 && q.interestCents == 0 && q.totalCents == 100_000)

            // Partial: 40,000 with 1,500 of interest → 38,500 off the balance.
            let part = try await t.settle(r.id, paid: 40_000, date: "2023-01-25", interest: 1_500, method: .cash)
            #expect(part.receivable.status == .overdue && part.receivable.balanceCents == 61_500)
            #expect(part.payment.principalCents == 38_500 && part.receipt.number == 1)
            // Overpayment is refused, and consumes no receipt number.
            let over = await rpcError { _ = try await t.settle(r.id, paid: 61_501, date: "2023-01-26") }
            #expect(over?.code == .failedPrecondition && over?.message.contains("overpayment") == true)
            #expect(await code { _ = try await t.settle(r.id, paid: 0, date: "2023-01-26") } == .invalidArgument)
            #expect(await code { _ = try await t.settle(r.id, paid: 100, date: "2999-01-01") } == .invalidArgument)
            #expect(await code { _ = try await t.settle(r.id, paid: 100, method: .unspecified) } == .invalidArgument)
            // The rest with a discount: paid.
            let rest = try await t.settle(r.id, paid: 61_000, date: "2023-02-01", discount: 500, method: .transfer)
            #expect(rest.receivable.status == .paid && rest.receivable.balanceCents == 0 && rest.receivable.settledCents == 100_000)
            #expect(rest.receivable.receivedCents == 101_000 && rest.receivable.paymentDate == "2023-02-01")
            #expect(rest.receipt.number == 2 && rest.receivable.payments.map(\.receiptNumber) == [1, 2])
            #expect(await code { _ = try await t.settle(r.id, paid: 1) } == .failedPrecondition)  // already paid
            #expect(try await t.count("SELECT count(*) FROM host_outbox WHERE topic = 'receivable.settled'") == 2)

            // The receipt: number, payer and document, amount in figures and words, what, where, when, issuer.
            var get = Conton_Fees_V1_GetReceiptRequest()
            get.number = 2
            let receipt = try await t.receivables.getReceipt(get, metadata: t.owner).receipt
            #expect(receipt.payerName == "João Gonçalves" && receipt.payerDocument.count == 14 && receipt.payerDocument.contains("-"))
            #expect(receipt.amountFormatted == "R$ 610,00" && receipt.amountInWords == "seiscentos e dez reais")
            #expect(receipt.description == "Abertura de empresa" && receipt.paymentDate == "2023-02-01")
            #expect(receipt.place == "São Paulo/SP" && receipt.placeAndDate == "São Paulo/SP, 1 de fevereiro de 2023")
            #expect(receipt.issuerName == "Contabilidade Exemplo Ltda" && receipt.issuerCnpj == "11.222.333/0001-81")
            #expect(receipt.text.hasPrefix("Recebemos de João Gonçalves, CPF \(receipt.payerDocument), a importância de R$ 610,00 (seiscentos e dez reais)"))
            #expect(receipt.text.contains("paga por transferência. São Paulo/SP, 1 de fevereiro de 2023. Contabilidade Exemplo Ltda, CNPJ 11.222.333/0001-81."))
            #expect(!receipt.voided && receipt.paymentId == rest.payment.id)
            get.number = 0
            get.paymentId = part.payment.id
            #expect(try await t.receivables.getReceipt(get, metadata: t.owner).receipt.number == 1)

            // Reopen: payments reversed, receipts void, numbers never reused.
            var reopen = Conton_Fees_V1_ReopenReceivableRequest()
            reopen.receivableId = r.id
            reopen.reason = "estorno do banco"
            let reopened = try await t.receivables.reopenReceivable(reopen, metadata: t.owner).receivable
            #expect(reopened.status == .overdue && reopened.balanceCents == 100_000 && reopened.paymentDate.isEmpty)
            #expect(reopened.payments.allSatisfy { $0.reversedAtMs > 0 })
            get.paymentId = ""
            get.number = 1
            #expect(try await t.receivables.getReceipt(get, metadata: t.owner).receipt.voided)
            let again = try await t.settle(r.id, paid: 100_000, date: "2023-03-01")
            #expect(again.receipt.number == 3)
            var receipts = Conton_Fees_V1_ListReceiptsRequest()
            receipts.receivableId = r.id
            #expect(try await t.receivables.listReceipts(receipts, metadata: t.owner).receipts.map(\.number) == [3, 2, 1])
            // A paid receivable cannot be cancelled; reopen first.
            var cancel = Conton_Fees_V1_CancelReceivableRequest()
            cancel.receivableId = r.id
            cancel.reason = "x"
            #expect(await code { _ = try await t.receivables.cancelReceivable(cancel, metadata: t.owner) } == .failedPrecondition)
        }
    }

    @Test func receiptNumbersStayGaplessUnderConcurrentSettlements() async throws {
        try await FeesTest.run { t in
            let a = try await t.client("Concorrência", n: 23)
            _ = try await t.generate([a.id], start: "2015-01", times: 45) { $0.amountCents = 10_000 }
            let receivables = try await t.listAll(pageSize: 100)
            #expect(receivables.count == 45)
            let ids = receivables.map(\.id)
            // 45 settlements and 45 refused overpayments at once, from many tasks (90 calls in
            // flight at once).
            let numbers = try await withThrowingTaskGroup(of: Int64?.self) { group in
                for id in ids {
                    group.addTask { try await t.settle(id, paid: 10_000, date: "2020-01-01").receipt.number }
                    group.addTask {
                        _ = await code { _ = try await t.settle(id, paid: 20_000, date: "2020-01-01") }
                        return nil
                    }
                }
                var all: [Int64] = []
                for try await n in group { if let n { all.append(n) } }
                return all
            }
            #expect(numbers.sorted() == Array(1...45))
            #expect(try await t.count("SELECT value FROM fees_counter WHERE name = 'receipt'") == 45)
            #expect(try await t.count("SELECT count(DISTINCT receipt_number) FROM fees_payment") == 45)
            #expect(try await t.list().totals[2].count == 45)
        }
    }

    @Test func overdueIsPublishedOncePerReceivableAndClientsWithReceivablesCannotBeDeleted() async throws {
        try await FeesTest.run { t in
            let a = try await t.client("Vencidos", n: 24)
            _ = try await t.generate([a.id], start: "2022-01", times: 3)
            let today = officeToday()
            _ = try await t.create(client: a.id, amount: 5_000, due: CivilDate(year: today.year + 1, month: 1, day: 1)!.description)
            let context = try t.feesContext
            let first = try await FeesPlugin.sweepOverdue(context: context)
            let second = try await FeesPlugin.sweepOverdue(context: context)
            // The sweep at start may have got there first; either way, once per receivable.
            #expect(first <= 3 && second == 0)
            #expect(try await t.count("SELECT count(*) FROM host_outbox WHERE topic = 'receivable.overdue'") == 3)
            #expect(try await FeesPlugin.sweepOverdue(context: context) == 0)

            var record = Conton_Clients_V1_GetClientRecordRequest()
            record.clientId = a.id
            let ficha = try await t.clients.getClientRecord(record, metadata: t.owner).record
            #expect(ficha.openReceivables == 4 && ficha.references["receivables"] == 4)
            var delete = Conton_Clients_V1_DeleteClientRequest()
            delete.clientId = a.id
            let error = await rpcError { _ = try await t.clients.deleteClient(delete, metadata: t.owner) }
            #expect(error?.code == .failedPrecondition && error?.message.contains("4 receivables") == true)
        }
    }
}
