import ContonAPI
import ContonTesting
import Foundation
import GRPCCore
import Testing

/// Gerar honorários: the seed's example, repeat no, preview, skips, idempotency, due dates,
/// validation, templates, cancellation of fees.
@Suite struct FeeGenerationTests {
    @Test func seedExampleTwelveMonthsFromJanuary2018ThenSameGenerationSkipsEveryMonth() async throws {
        try await FeesTest.run { t in
            let a = try await t.client("Maria da Conceição", n: 1, dueDay: 10)
            // Preview before: the defaults, no last fee.
            var preview = Conton_Fees_V1_PreviewGenerationRequest()
            preview.clientIds = [a.id]
            let before = try await t.fees.previewGeneration(preview, metadata: t.owner).clients
            #expect(before.count == 1 && before[0].defaultAmountCents == 150_000 && before[0].dueDay == 10)
            #expect(!before[0].hasLastFee && before[0].clientName == "Maria da Conceição")

            let first = try await t.generate([a.id], start: "2018-01", times: 12) { $0.amountCents = 150_000 }
            #expect(first.created == 12 && first.skippedCount == 0 && first.totalCents == 12 * 150_000)
            #expect(first.firstCompetence == "2018-01" && first.lastCompetence == "2018-12" && !first.replayed)

            let listed = try await t.list { $0.clientId = a.id }
            let expectedDue = (1...12).map { String(format: "2018-%02d-10", $0) }
            #expect(listed.receivables.map(\.dueDate) == expectedDue)
            #expect(listed.receivables.map(\.competence) == (1...12).map { String(format: "2018-%02d", $0) })
            #expect(listed.receivables.allSatisfy { $0.amountCents == 150_000 && $0.status == .overdue && !$0.feeId.isEmpty })
            #expect(listed.receivables.first?.description == "Honorários 01/2018")
            #expect(listed.receivables.last?.description == "Honorários 12/2018")

            var listFees = Conton_Fees_V1_ListFeesRequest()
            listFees.clientId = a.id
            listFees.fromCompetence = "2018-03"
            listFees.toCompetence = "2018-05"
            let fees = try await t.fees.listFees(listFees, metadata: t.owner)
            #expect(fees.fees.map(\.competence) == ["2018-03", "2018-04", "2018-05"] && fees.totalCount == 3)
            #expect(fees.fees.allSatisfy { $0.generationId == first.generationId && $0.receivableId == $0.id })

            // The preview now shows the last scheduled fee and the next month's description.
            let after = try await t.fees.previewGeneration(preview, metadata: t.owner).clients[0]
            #expect(after.hasLastFee && after.lastFee.competence == "2018-12" && after.lastFee.amountCents == 150_000)
            #expect(after.lastFee.dueDate == "2018-12-10" && after.lastFee.status == .overdue)
            #expect(after.description == "Honorários 01/2019")
            // The clients plugin's ficha shows it too, with the open receivables.
            var record = Conton_Clients_V1_GetClientRecordRequest()
            record.clientId = a.id
            let ficha = try await t.clients.getClientRecord(record, metadata: t.owner).record
            #expect(ficha.lastFee.competence == "2018-12" && ficha.lastFee.amountCents == 150_000)
            #expect(ficha.lastFee.dueDate == "2018-12-10" && ficha.lastFee.status == "overdue")
            #expect(ficha.openReceivables == 12 && ficha.references["receivables"] == 12)

            // The same generation again creates nothing and reports every month as skipped.
            let again = try await t.generate([a.id], start: "2018-01", times: 12) { $0.amountCents = 150_000 }
            #expect(again.created == 0 && again.skippedCount == 12 && again.generationId != first.generationId)
            #expect(again.skipped.map(\.competence) == (1...12).map { String(format: "2018-%02d", $0) })
            #expect(Set(again.skipped.map(\.existingFeeId)) == Set(listed.receivables.map(\.feeId)))
            #expect(try await t.count("SELECT count(*) FROM fees_fee") == 12)
            #expect(try await t.count("SELECT count(*) FROM fees_receivable") == 12)
            // One fees.generated event per batch.
            #expect(try await t.count("SELECT count(*) FROM host_outbox WHERE topic = 'fees.generated'") == 2)
            // An overlapping range creates only the new months.
            let overlap = try await t.generate([a.id], start: "2018-11", times: 4)
            #expect(overlap.created == 2 && overlap.skippedCount == 2)
        }
    }

    @Test func repeatNoIsOneMonthAndTheClientsDefaultsApply() async throws {
        try await FeesTest.run { t in
            let a = try await t.client("Padaria Pão Quente", n: 2, fee: 89_990, dueDay: 15)
            let once = try await t.generate([a.id], start: "2018-01", repeat: false, times: 12)
            #expect(once.created == 1 && once.firstCompetence == "2018-01" && once.lastCompetence == "2018-01")
            let listed = try await t.list { $0.clientId = a.id }
            #expect(listed.receivables.count == 1)
            #expect(listed.receivables.first?.dueDate == "2018-01-15" && listed.receivables.first?.amountCents == 89_990)
        }
    }

    @Test func theSameIdempotencyKeyReplaysTheFirstAnswer() async throws {
        try await FeesTest.run { t in
            let a = try await t.client("Cliente A", n: 3)
            let b = try await t.client("Cliente B", n: 4)
            let first = try await t.generate([a.id, b.id], start: "2020-01", times: 6) { $0.idempotencyKey = "lote-2020" }
            #expect(first.created == 12 && !first.replayed)
            let replay = try await t.generate([a.id, b.id], start: "2020-01", times: 6) { $0.idempotencyKey = "lote-2020" }
            #expect(replay.replayed && replay.created == 12 && replay.generationId == first.generationId)
            #expect(replay.totalCents == first.totalCents && replay.skippedCount == 0)
            #expect(try await t.count("SELECT count(*) FROM fees_fee") == 12)
            #expect(try await t.count("SELECT count(*) FROM fees_generation") == 1)
            // The key used for a different request is refused.
            let error = await rpcError { _ = try await t.generate([a.id], start: "2021-01", times: 1) { $0.idempotencyKey = "lote-2020" } }
            #expect(error?.code == .invalidArgument && error?.message.contains("idempotency_key") == true)
        }
    }

    @Test func dueDay31IsClampedInFebruaryOfLeapAndCommonYearsAndTheFollowingMonthSetting() async throws {
        try await FeesTest.run { t in
            let a = try await t.client("Dia 31", n: 5, dueDay: 31)
            _ = try await t.generate([a.id], start: "2024-01", times: 3)
            _ = try await t.generate([a.id], start: "2023-02", repeat: false, times: 1)
            let due = try await t.list { $0.clientId = a.id }.receivables.map(\.dueDate)
            #expect(due == ["2023-02-28", "2024-01-31", "2024-02-29", "2024-03-31"])
            // A due-day override, and 30-day months.
            let b = try await t.client("Dia 5", n: 6, dueDay: 5)
            _ = try await t.generate([b.id], start: "2024-04", times: 1) { $0.dueDay = 31 }
            #expect(try await t.list { $0.clientId = b.id }.receivables.map(\.dueDate) == ["2024-04-30"])

            // "Due in the following month": competence 2023-01 falls due in February.
            var update = Conton_Fees_V1_UpdateFeeSettingsRequest()
            update.settings.dueInFollowingMonth = true
            update.settings.defaultDueDay = 10
            let saved = try await t.fees.updateFeeSettings(update, metadata: t.owner).settings
            #expect(saved.dueInFollowingMonth && saved.defaultDescriptionTemplate == "Honorários {competencia}" && saved.updatedAtMs > 0)
            #expect(try await t.fees.getFeeSettings(.init(), metadata: t.owner).settings == saved)
            let c = try await t.client("Seguinte", n: 7, dueDay: 31)
            _ = try await t.generate([c.id], start: "2023-01", times: 2)
            let fees = try await t.list { $0.clientId = c.id }.receivables
            #expect(fees.map(\.competence) == ["2023-01", "2023-02"])
            #expect(fees.map(\.dueDate) == ["2023-02-28", "2023-03-31"])
            // A client without a due day gets the office's default.
            let d = try await t.client("Sem dia", n: 8, dueDay: 0)
            _ = try await t.generate([d.id], start: "2023-05", repeat: false, times: 0)
            #expect(try await t.list { $0.clientId = d.id }.receivables.map(\.dueDate) == ["2023-06-10"])
        }
    }

    @Test func everyViolationAtOnceAndNothingWritten() async throws {
        try await FeesTest.run { t in
            let noFee = try await t.client("Sem honorário", n: 9, fee: 0)
            var r = Conton_Fees_V1_GenerateFeesRequest()
            r.clientIds = [noFee.id, "no-such-client"]
            r.startMonth = "2018-13"
            r.repeat = true
            r.times = 121
            r.dueDay = 32
            r.descriptionTemplate = "Honorários {competência}"
            let error = await rpcError { _ = try await t.fees.generateFees(r, metadata: t.owner) }
            #expect(error?.code == .invalidArgument)
            for field in ["start_month:", "times:", "due_day:", "description_template:"] {
                #expect(error?.message.contains(field) == true, "\(field) not in \(error?.message ?? "")")
            }
            // Field checks pass: then the clients are checked, all at once too.
            r.startMonth = "2018-01"
            r.times = 12
            r.dueDay = 0
            r.descriptionTemplate = ""
            let clients = await rpcError { _ = try await t.fees.generateFees(r, metadata: t.owner) }
            #expect(clients?.code == .invalidArgument)
            #expect(clients?.message.contains("client_ids[0]: client \(noFee.id) (Sem honorário) has no default monthly fee") == true)
            #expect(clients?.message.contains("client_ids[1]: client no-such-client not found") == true)
            #expect(try await t.count("SELECT count(*) FROM fees_fee") == 0)
            #expect(try await t.count("SELECT count(*) FROM fees_generation") == 0)
            // An amount override makes the client without a default fee acceptable.
            r.clientIds = [noFee.id]
            r.amountCents = 50_000
            r.descriptionTemplate = "Honorários contábeis {mes}/{ano} – {cliente}"
            #expect(try await t.fees.generateFees(r, metadata: t.owner).created == 12)
            let first = try await t.list { $0.clientId = noFee.id }.receivables.first
            #expect(first?.description == "Honorários contábeis janeiro/2018 – Sem honorário")
            // Too many clients.
            var big = Conton_Fees_V1_GenerateFeesRequest()
            big.clientIds = (0...5_000).map { "c\($0)" }
            big.startMonth = "2018-01"
            #expect(await code { _ = try await t.fees.generateFees(big, metadata: t.owner) } == .invalidArgument)
        }
    }

    @Test func cancellingAFeeCancelsItsReceivableFreesTheMonthAndAPaidFeeCannotBeCancelled() async throws {
        try await FeesTest.run { t in
            let a = try await t.client("Cancelamentos", n: 10)
            _ = try await t.generate([a.id], start: "2019-01", times: 2)
            let fees = try await t.list { $0.clientId = a.id }.receivables
            var cancel = Conton_Fees_V1_CancelFeeRequest()
            cancel.feeId = fees[0].feeId
            #expect(await code { _ = try await t.fees.cancelFee(cancel, metadata: t.owner) } == .invalidArgument)  // reason required
            cancel.reason = "valor errado"
            let cancelled = try await t.fees.cancelFee(cancel, metadata: t.owner).fee
            #expect(cancelled.status == .cancelled && cancelled.cancelReason == "valor errado" && cancelled.cancelledAtMs > 0)
            var get = Conton_Fees_V1_GetReceivableRequest()
            get.receivableId = fees[0].id
            #expect(try await t.receivables.getReceivable(get, metadata: t.owner).receivable.status == .cancelled)
            // The month is free again: regenerating creates a new fee for it only.
            let again = try await t.generate([a.id], start: "2019-01", times: 2) { $0.amountCents = 120_000 }
            #expect(again.created == 1 && again.skippedCount == 1)
            var byStatus = Conton_Fees_V1_ListFeesRequest()
            byStatus.clientId = a.id
            byStatus.statuses = [.cancelled]
            #expect(try await t.fees.listFees(byStatus, metadata: t.owner).fees.map(\.id) == [fees[0].feeId])
            // A paid fee cannot be cancelled.
            _ = try await t.settle(fees[1].id, paid: fees[1].amountCents)
            cancel.feeId = fees[1].feeId
            #expect(await code { _ = try await t.fees.cancelFee(cancel, metadata: t.owner) } == .failedPrecondition)
            byStatus.statuses = [.paid]
            #expect(try await t.fees.listFees(byStatus, metadata: t.owner).fees.map(\.id) == [fees[1].feeId])
        }
    }

    /// Through the real server: the cancellation is the client's CANCEL frame reaching the
    /// handler (GRPCCore's in-process transport does not carry it), so it stays on TLS.
    @Test func aStreamingGenerationReportsProgressAndACancelledOneLeavesNothing() async throws {
        try await FeesTLSTest.run { t in
            let ids = try await t.importClients(400)
            #expect(ids.count == 400 && ids.allSatisfy { !$0.isEmpty })
            var r = Conton_Fees_V1_GenerateFeesRequest()
            r.clientIds = ids
            r.startMonth = "2010-01"
            r.repeat = true
            r.times = 120

            // Cancelled once progress shows the transaction under way (clients done > 0, sent
            // from inside it): everything rolled back.
            let seen = AsyncStream.makeStream(of: Conton_Fees_V1_GenerateFeesProgress.self)
            let owner = t.owner
            let fees = t.fees
            let request = r
            let task = Task {
                try await fees.generateFeesStream(request, metadata: owner) { response in
                    for try await m in response.messages { seen.continuation.yield(m) }
                }
            }
            var underWay: Conton_Fees_V1_GenerateFeesProgress?
            for await m in seen.stream where m.clientsDone > 0 {
                underWay = m
                break
            }
            task.cancel()
            _ = await task.result
            #expect(underWay.map { !$0.finished && $0.clientsDone < 400 } == true)
            // Wait for the writer: a write queues behind the generation's transaction.
            try await t.host.database.pool.write { db in try db.execute(sql: "SELECT 1") }
            #expect(try await t.count("SELECT count(*) FROM fees_fee") == 0)
            #expect(try await t.count("SELECT count(*) FROM fees_receivable") == 0)
            #expect(try await t.count("SELECT count(*) FROM fees_generation") == 0)
            #expect(try await t.count("SELECT count(*) FROM host_outbox WHERE topic = 'fees.generated'") == 0)

            // Run to the end: progress, then one final message with the result.
            r.startMonth = "2018-01"
            r.times = 12
            let messages = try await t.fees.generateFeesStream(r, metadata: t.owner) { response in
                var all: [Conton_Fees_V1_GenerateFeesProgress] = []
                for try await m in response.messages { all.append(m) }
                return all
            }
            let last = try #require(messages.last)
            #expect(last.finished && last.result.created == 4_800 && last.clientsDone == 400 && last.clientsTotal == 400)
            #expect(messages.dropLast().allSatisfy { !$0.finished && $0.clientsTotal == 400 })
            #expect(messages.count >= 2)
            let done = messages.dropLast().map(\.clientsDone)
            #expect(done == done.sorted())
            #expect(try await t.count("SELECT count(*) FROM fees_fee") == 4_800)
        }
    }
}
