import ContonAPI
import ContonKit
import ContonTesting
import GRDB
import GRPCCore
import ProtocolsPlugin
import Testing

@Suite struct ProtocolRemindersTests {
    @Test func remindersAndOverdueFireOncePerProtocolUnderTheClock() async throws {
        try await ProtocolsTest.run { t in
            let a = try await t.client("Cliente A Ltda", n: 8, email: "a@example.com")
            let das = try await t.type("DAS")
            let soon = try await t.create(a.id, [t.item(das, due: "2026-12-03", amount: 10_000)])          // within 3 days, unseen
            let later = try await t.create(a.id, [t.item(das, due: "2026-12-10", amount: 10_000)])         // outside the window
            let opened = try await t.create(a.id, [t.item(das, due: "2026-12-03", amount: 10_000)])        // seen: no reminder
            let acked = try await t.create(a.id, [t.item(das, due: "2026-12-02", amount: 10_000)])         // acknowledged: never overdue
            _ = try await t.create(a.id, [t.item(das, due: "2026-12-02", amount: 10_000)], send: false)   // a draft: nothing
            let me = ProtocolsTest.client(a.id)
            _ = try await t.get(opened.id, as: me)
            _ = try await t.get(acked.id, as: me)
            _ = try await t.acknowledge(acked.id, as: me)
            let reminders = "SELECT count(*) FROM mail_outbox WHERE subject LIKE 'Lembrete:%'"

            #expect(try await ProtocolsPlugin.sweep(context: t.protocolsContext) == .init(dueSoon: 1, overdue: 0))
            #expect(try await t.count(reminders) == 1)
            let trail = try await t.evidence(soon.id)
            #expect(trail.last?.action == .emailed)
            #expect(trail.last?.detail == "lembrete de vencimento para a@example.com")
            #expect(trail.last?.principalKind == "system")
            #expect(try await t.verify(soon.id).intact)
            #expect(try await ProtocolsPlugin.sweep(context: t.protocolsContext) == .init())

            t.advance(days: 3)        // 2026-12-04: soon and opened are past due; later falls in the window on 12-07
            #expect(try await ProtocolsPlugin.sweep(context: t.protocolsContext) == .init(dueSoon: 0, overdue: 2))
            t.advance(days: 3)
            #expect(try await ProtocolsPlugin.sweep(context: t.protocolsContext) == .init(dueSoon: 1, overdue: 0))
            #expect(try await ProtocolsPlugin.sweep(context: t.protocolsContext) == .init())
            t.advance(days: 10)
            #expect(try await ProtocolsPlugin.sweep(context: t.protocolsContext) == .init(dueSoon: 0, overdue: 1))
            #expect(try await t.count(reminders) == 2)

            let events = try await t.host.database.pool.read { db in
                try Row.fetchAll(db, sql: "SELECT topic, payload FROM host_outbox WHERE topic IN ('protocol.due_soon', 'protocol.overdue') ORDER BY id")
                    .map { ($0["topic"] as String, $0["payload"] as String) }
            }
            #expect(events.map(\.0) == ["protocol.due_soon", "protocol.overdue", "protocol.overdue", "protocol.due_soon", "protocol.overdue"])
            #expect(events[0].1.contains("\"\(soon.id)\""))
            #expect(events[3].1.contains("\"\(later.id)\""))
            #expect(events[4].1.contains("\"\(later.id)\""))

            // 0 turns reminders off.
            var off = Conton_Protocols_V1_UpdateProtocolSettingsRequest()
            off.settings.reminderDays = 0
            _ = try await t.protocols.updateProtocolSettings(off, metadata: t.owner)
            _ = try await t.create(a.id, [t.item(das, due: "2026-12-18", amount: 10_000)])
            #expect(try await ProtocolsPlugin.sweep(context: t.protocolsContext) == .init())
            off.settings.reminderDays = 31
            #expect(await code { _ = try await t.protocols.updateProtocolSettings(off, metadata: t.owner) } == .invalidArgument)
        }
    }
}
