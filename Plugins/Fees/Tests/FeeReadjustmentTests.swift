import ContonAPI
import ContonTesting
import Foundation
import GRPCCore
import Testing

/// Reajuste de honorários (ReadjustFees, ListFeeChanges) and the 13th fee of GenerateFees.
@Suite struct FeeReadjustmentTests {
    /// An independent oracle: Foundation's decimal arithmetic, rounding half up (`.plain`), not
    /// the plugin's integer formula.
    static func halfUp(_ cents: Int64, percent: String) -> Int64 {
        var value = Decimal(cents) * (1 + Decimal(string: percent)! / 100)
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 0, .plain)
        return NSDecimalNumber(decimal: rounded).int64Value
    }

    func readjust(_ t: FeesTest, _ ids: [String], percent: String = "4.87", from: String = "2027-01",
                  configure: (inout Conton_Fees_V1_ReadjustFeesRequest) -> Void = { _ in }) async throws -> Conton_Fees_V1_ReadjustFeesResponse {
        var r = Conton_Fees_V1_ReadjustFeesRequest()
        r.clientIds = ids
        r.percent = percent
        r.fromMonth = from
        r.indexName = "IPCA 12 meses até 11/2026"
        configure(&r)
        return try await t.fees.readjustFees(r, metadata: t.owner)
    }

    @Test func readjustmentOf4_87PercentRoundsHalfUpAndKeepsEachClientsHistory() async throws {
        try await FeesTest.run { t in
            // R$ 150,00 × 1,0487 = R$ 157,305: half up gives 157,31 (half even would give 157,30).
            let a = try await t.client("Ana Tie", n: 1, fee: 15_000)
            let b = try await t.client("Bruno Comum", n: 2, fee: 89_990)
            let c = try await t.client("Carla Mil", n: 3, fee: 100_000)
            let none = try await t.client("Sem Honorário", n: 4, fee: 0)
            let archived = try await t.client("Arquivado", n: 5, fee: 50_000)
            var archive = Conton_Clients_V1_ArchiveClientRequest()
            archive.clientId = archived.id
            _ = try await t.clients.archiveClient(archive, metadata: t.owner)
            // A fee of the readjusted period generated before the readjustment keeps its amount.
            _ = try await t.generate([c.id], start: "2027-01", repeat: false)

            let r = try await readjust(t, [a.id, b.id, c.id, none.id, archived.id])
            #expect(!r.readjustmentId.isEmpty && !r.replayed)
            let byClient = Dictionary(uniqueKeysWithValues: r.changes.map { ($0.clientId, $0) })
            #expect(byClient[a.id]?.newCents == 15_731 && Self.halfUp(15_000, percent: "4.87") == 15_731)
            #expect(byClient[b.id]?.newCents == Self.halfUp(89_990, percent: "4.87") && byClient[b.id]?.newCents == 94_373)
            #expect(byClient[c.id]?.newCents == 104_870)
            #expect(r.changes.allSatisfy { $0.percent == "4.87" && $0.effectiveFrom == "2027-01" && $0.indexName == "IPCA 12 meses até 11/2026" })
            #expect(Dictionary(uniqueKeysWithValues: r.skipped.map { ($0.clientId, $0.reason) }) == [none.id: "NO_MONTHLY_FEE", archived.id: "ARCHIVED"])
            #expect(r.previousTotalCents == 15_000 + 89_990 + 100_000 && r.newTotalCents == 15_731 + 94_373 + 104_870)
            #expect(r.generatedFeesKept == 1)

            // The client's registration carries the new fee (version bumped, audited).
            var get = Conton_Clients_V1_GetClientRequest()
            get.clientId = a.id
            let after = try await t.clients.getClient(get, metadata: t.owner).client
            #expect(after.monthlyFeeCents == 15_731 && after.version == a.version + 1)
            #expect(try await t.count("SELECT count(*) FROM host_audit WHERE entity_type = 'client' AND entity_id = ? AND summary LIKE 'monthly fee 15000 → 15731%'",
                                      [a.id]) == 1)
            #expect(try await t.count("SELECT count(*) FROM host_outbox WHERE topic = 'fees.readjusted'") == 1)

            // Before the first month the old fee is charged, from it the new one.
            let generated = try await t.generate([a.id], start: "2026-11", times: 4)
            #expect(generated.created == 4)
            let listed = try await t.list { $0.clientId = a.id }
            #expect(listed.receivables.map(\.competence) == ["2026-11", "2026-12", "2027-01", "2027-02"])
            #expect(listed.receivables.map(\.amountCents) == [15_000, 15_000, 15_731, 15_731])
            // The fee generated before the readjustment was not changed.
            let kept = try await t.list { $0.clientId = c.id }
            #expect(kept.receivables.map(\.amountCents) == [100_000])

            // A second readjustment from a later month compounds on the first; the history lists both.
            let second = try await readjust(t, [a.id], percent: "-0,5", from: "2028-01") { $0.indexName = "IGP-M 2027" }
            #expect(second.changes.first?.previousCents == 15_731 && second.changes.first?.newCents == Self.halfUp(15_731, percent: "-0.5"))
            #expect(second.changes.first?.percent == "-0.5")
            var history = Conton_Fees_V1_ListFeeChangesRequest()
            history.clientId = a.id
            let changes = try await t.fees.listFeeChanges(history, metadata: t.owner).changes
            #expect(changes.map(\.effectiveFrom) == ["2028-01", "2027-01"] && changes.map(\.previousCents) == [15_731, 15_000])
            // Three competences, one on each side of each readjustment.
            let later = try await t.generate([a.id], start: "2027-12", times: 2)
            #expect(later.created == 2)
            let all = try await t.list { $0.clientId = a.id; $0.dueFrom = "2027-12-01" }
            #expect(all.receivables.map(\.amountCents) == [15_731, Self.halfUp(15_731, percent: "-0.5")])
            // Paging the whole history, newest first.
            var page = Conton_Fees_V1_ListFeeChangesRequest()
            page.pageSize = 3
            let first = try await t.fees.listFeeChanges(page, metadata: t.owner)
            page.pageToken = first.nextPageToken
            let rest = try await t.fees.listFeeChanges(page, metadata: t.owner)
            #expect(first.changes.count == 3 && rest.changes.count == 1 && rest.nextPageToken.isEmpty)
            let ids = (first.changes + rest.changes).compactMap { Int($0.id) }
            #expect(ids.count == 4 && ids == ids.sorted(by: >))
        }
    }

    @Test func readjustmentIsIdempotentAndRefusesBadInputNamingEachField() async throws {
        try await FeesTest.run { t in
            let a = try await t.client("Ana", n: 1, fee: 100_000)
            let once = try await readjust(t, [a.id]) { $0.idempotencyKey = "reajuste-2027" }
            let again = try await readjust(t, [a.id]) { $0.idempotencyKey = "reajuste-2027" }
            #expect(again.replayed && again.readjustmentId == once.readjustmentId && again.changes == once.changes)
            #expect(try await t.count("SELECT count(*) FROM fees_fee_change") == 1)
            var get = Conton_Clients_V1_GetClientRequest()
            get.clientId = a.id
            #expect(try await t.clients.getClient(get, metadata: t.owner).client.monthlyFeeCents == 104_870)
            // The key for another request.
            let reused = await rpcError { _ = try await readjust(t, [a.id], percent: "5") { $0.idempotencyKey = "reajuste-2027" } }
            #expect(reused?.code == .invalidArgument && reused?.violations["idempotency_key"] != nil)
            // The same month again (or an earlier one) would rewrite history: refused, nothing written.
            let same = await rpcError { _ = try await readjust(t, [a.id], from: "2026-06") }
            #expect(same?.code == .invalidArgument && same?.violations["client_ids[0]"]?.contains("already readjusted from 2027-01") == true)
            for bad in ["", "abc", "4.87001", "0", "0,0", "100.0001", "-100", "1.2.3", "+-5", "4. 8"] {
                let e = await rpcError { _ = try await readjust(t, [a.id], percent: bad, from: "2029-01") }
                #expect(e?.code == .invalidArgument && e?.violations["percent"] != nil, "percent \"\(bad)\"")
            }
            let many = await rpcError { _ = try await readjust(t, ["", "999999"], from: "2027-13") { $0.indexName = String(repeating: "x", count: 101) } }
            #expect(many?.code == .invalidArgument)
            #expect(Set(many?.violations.keys.map { $0 } ?? []) == ["client_ids[0]", "from_month", "index_name"])
            let unknown = await rpcError { _ = try await readjust(t, [a.id, "999999"], from: "2029-01") }
            #expect(unknown?.violations["client_ids[1]"]?.contains("not found") == true)
            #expect(try await t.count("SELECT count(*) FROM fees_fee_change") == 1)
            #expect(try await t.count("SELECT count(*) FROM fees_readjustment") == 1)
            // "4,87" and "4.87" are the same percentage; "+10" and "100" are accepted.
            let comma = try await readjust(t, [a.id], percent: "4,87", from: "2029-01")
            #expect(comma.changes.first?.percent == "4.87" && comma.changes.first?.newCents == Self.halfUp(104_870, percent: "4.87"))
            let ten = try await readjust(t, [a.id], percent: "+10", from: "2030-01")
            #expect(ten.changes.first?.percent == "10")
        }
    }

    @Test func thirteenthFeeInThreeInstalmentsAddsUpToTheMonthlyFeeExactly() async throws {
        try await FeesTest.run { t in
            let a = try await t.client("Ana", n: 1, fee: 100_000, dueDay: 10)
            let b = try await t.client("Bruno", n: 2, fee: 150_001, dueDay: 5)
            // The months of 2027 and the 13th in 3 instalments (October, November, December).
            let r = try await t.generate([a.id, b.id], start: "2027-01", times: 12) { $0.thirteenth.year = 2027; $0.thirteenth.instalments = 3 }
            #expect(r.created == 2 * 12 + 2 * 3 && r.thirteenthCreated == 6 && r.skippedCount == 0)
            #expect(r.totalCents == 12 * (100_000 + 150_001) + 100_000 + 150_001)
            var request = Conton_Fees_V1_ListFeesRequest()
            request.clientId = a.id
            request.fromCompetence = "2027-10"
            let fees = try await t.fees.listFees(request, metadata: t.owner).fees
            let thirteenth = fees.filter { $0.kind == .thirteenth }
            #expect(thirteenth.map(\.competence) == ["2027-10", "2027-11", "2027-12"])
            #expect(thirteenth.map(\.amountCents) == [33_334, 33_333, 33_333])
            #expect(thirteenth.map(\.instalment) == [1, 2, 3] && thirteenth.allSatisfy { $0.instalments == 3 && $0.thirteenthYear == 2027 })
            #expect(thirteenth.map(\.description) == ["13º honorário 2027 (parcela 1/3)", "13º honorário 2027 (parcela 2/3)", "13º honorário 2027 (parcela 3/3)"])
            #expect(thirteenth.map(\.dueDate) == ["2027-10-10", "2027-11-10", "2027-12-10"])
            #expect(fees.filter { $0.kind == .monthly }.map(\.competence) == ["2027-10", "2027-11", "2027-12"])
            request.clientId = b.id
            let bFees = try await t.fees.listFees(request, metadata: t.owner).fees.filter { $0.kind == .thirteenth }
            #expect(bFees.map(\.amountCents) == [50_001, 50_000, 50_000] && bFees.map(\.amountCents).reduce(0, +) == 150_001)
            // The receivables are there to be charged like any other.
            let receivables = try await t.list { $0.clientId = a.id; $0.dueFrom = "2027-10-01" }
            #expect(receivables.receivables.count == 6 && receivables.receivables.allSatisfy { !$0.feeId.isEmpty })

            // Again: the 13th of 2027 exists for both, each reported once; the months too.
            let again = try await t.generate([a.id, b.id], start: "2027-12", repeat: false) { $0.thirteenth.year = 2027 }
            #expect(again.created == 0 && again.thirteenthCreated == 0 && again.skippedCount == 2 + 2)
            #expect(again.skipped.filter(\.thirteenth).map(\.competence) == ["2027-10", "2027-10"])
            #expect(Set(again.skipped.filter(\.thirteenth).map(\.existingFeeId)) == Set([thirteenth[0].id, bFees[0].id]))
            // Cancelling one instalment does not let a second 13th in: the others still exist.
            var cancel = Conton_Fees_V1_CancelFeeRequest()
            cancel.feeId = thirteenth[1].id
            cancel.reason = "negociado"
            _ = try await t.fees.cancelFee(cancel, metadata: t.owner)
            let third = try await t.generate([a.id], start: "", repeat: false) { $0.thirteenth.year = 2027 }
            #expect(third.created == 0 && third.skippedCount == 1)
        }
    }

    @Test func thirteenthFeeWholeInDecemberAloneUsesTheFeeInForceInDecember() async throws {
        try await FeesTest.run { t in
            let a = try await t.client("Ana", n: 1, fee: 100_000, dueDay: 20)
            // Readjusted from 2028-01: December 2027 still charges the old fee, 2028's the new.
            _ = try await readjust(t, [a.id], percent: "10", from: "2028-01")
            let only = try await t.generate([a.id], start: "", repeat: false) { $0.thirteenth.year = 2027 }
            #expect(only.created == 1 && only.thirteenthCreated == 1 && only.firstCompetence == "2027-12" && only.lastCompetence == "2027-12")
            let next = try await t.generate([a.id], start: "", repeat: false) { $0.thirteenth.year = 2028; $0.thirteenth.instalments = 2; $0.thirteenth.firstMonth = "2028-06" }
            #expect(next.created == 2 && next.firstCompetence == "2028-06" && next.lastCompetence == "2028-07")
            var listRequest = Conton_Fees_V1_ListFeesRequest()
            listRequest.clientId = a.id
            let fees = try await t.fees.listFees(listRequest, metadata: t.owner).fees
            #expect(fees.map(\.competence) == ["2027-12", "2028-06", "2028-07"])
            #expect(fees.map(\.amountCents) == [100_000, 55_000, 55_000])
            #expect(fees.map(\.description) == ["13º honorário 2027", "13º honorário 2028 (parcela 1/2)", "13º honorário 2028 (parcela 2/2)"])
            #expect(fees[0].instalment == 1 && fees[0].instalments == 1 && fees[0].dueDate == "2027-12-20")
            // The monthly December fee is a different fee: both can exist.
            let december = try await t.generate([a.id], start: "2027-12", repeat: false)
            #expect(december.created == 1)
            // The preview's last fee is the last monthly one.
            var previewRequest = Conton_Fees_V1_PreviewGenerationRequest()
            previewRequest.clientIds = [a.id]
            let preview = try await t.fees.previewGeneration(previewRequest, metadata: t.owner)
            #expect(preview.clients.first?.lastFee.competence == "2027-12" && preview.clients.first?.lastFee.kind == .monthly)

            for (configure, field) in [
                ({ (r: inout Conton_Fees_V1_GenerateFeesRequest) in r.thirteenth.year = 1999 }, "thirteenth.year"),
                ({ (r: inout Conton_Fees_V1_GenerateFeesRequest) in r.thirteenth.year = 2027; r.thirteenth.instalments = 13 }, "thirteenth.instalments"),
                ({ (r: inout Conton_Fees_V1_GenerateFeesRequest) in r.thirteenth.year = 2027; r.thirteenth.firstMonth = "2027-11" }, "thirteenth.first_month"),
                ({ (r: inout Conton_Fees_V1_GenerateFeesRequest) in r.thirteenth.year = 2027; r.thirteenth.instalments = 2; r.thirteenth.firstMonth = "11/2027" }, "thirteenth.first_month"),
                ({ (r: inout Conton_Fees_V1_GenerateFeesRequest) in r.thirteenth.year = 0 }, "start_month"),
            ] {
                let e = await rpcError { _ = try await t.generate([a.id], start: "", repeat: false, configure: configure) }
                #expect(e?.code == .invalidArgument && e?.violations[field] != nil, "\(field)")
            }
        }
    }
}
