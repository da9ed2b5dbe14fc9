import AgendaPlugin
import ContonAPI
import ContonKit
import ContonTesting
import Foundation
import GRPCCore
import Testing

/// Recurrence expansion through CreateEvent and ListOccurrences, against python-dateutil's rrule
/// on random rules of the subset; the rules outside it refused naming the part.
@Suite struct RecurrenceTests {
    struct Case: Codable {
        var rule: String
        var start: String
        var from: String
        var to: String
    }

    /// A random rule of the subset (seeded: the same rules every run).
    static func randomRule(_ next: (Int) -> Int) -> String {
        let frequencies = ["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]
        let frequency = frequencies[next(4)]
        var parts = ["FREQ=" + frequency]
        if next(2) == 0 { parts.append("INTERVAL=\(1 + next(3))") }
        switch next(3) {
        case 0: parts.append("COUNT=\(1 + next(40))")
        case 1: parts.append("UNTIL=\(2027 + next(3))\(["01", "06", "12"][next(3)])\(["01", "15", "28"][next(3)])")
        default: break
        }
        let days = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
        if frequency != "WEEKLY", next(3) == 0 {
            let values = (0..<(1 + next(3))).map { _ in next(2) == 0 ? String(1 + next(31)) : String(-(1 + next(5))) }
            parts.append("BYMONTHDAY=" + Array(Set(values)).sorted().joined(separator: ","))
        }
        if next(2) == 0 {
            // Ordinals or plain weekdays, not both in one list: there dateutil keeps only the days
            // that match both kinds, where RFC 5545 (and the agenda) takes either
            // (`mixedOrdinalAndPlainWeekdaysAreEitherNotBoth`).
            let ordinals = (frequency == "MONTHLY" || frequency == "YEARLY") && next(2) == 0
            let values = (0..<(1 + next(3))).map { _ -> String in
                let day = days[next(7)]
                guard ordinals else { return day }
                let limit = frequency == "YEARLY" ? 53 : 5
                let n = 1 + next(limit)
                return (next(3) == 0 ? "-" : "") + String(n) + day
            }
            parts.append("BYDAY=" + Array(Set(values)).sorted().joined(separator: ","))
        }
        return parts.joined(separator: ";")
    }

    @Test func expansionMatchesDateutilOnRandomRules() async throws {
        var seed: UInt64 = 2026
        func next(_ n: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(n))
        }
        var cases: [Case] = []
        for _ in 0..<250 {
            let start = CivilDate(year: 2025 + next(2), month: 1 + next(12), day: 1 + next(28))!
            let from = start.adding(days: next(400) - 100)
            let to = from.adding(days: 30 + next(1_500))
            cases.append(Case(rule: Self.randomRule(next), start: start.description, from: from.description, to: to.description))
        }
        // Hand-picked ones: the last Friday, the 31st (months without one skipped), 29 February,
        // the 20th Monday of the year, every weekday.
        cases += [
            Case(rule: "FREQ=MONTHLY;BYDAY=-1FR", start: "2026-01-30", from: "2026-01-01", to: "2027-12-31"),
            Case(rule: "FREQ=MONTHLY;BYMONTHDAY=31", start: "2026-01-31", from: "2026-01-01", to: "2027-12-31"),
            Case(rule: "FREQ=MONTHLY", start: "2026-01-31", from: "2026-01-01", to: "2027-12-31"),
            Case(rule: "FREQ=YEARLY", start: "2024-02-29", from: "2024-01-01", to: "2028-12-31"),
            Case(rule: "FREQ=YEARLY;BYDAY=20MO", start: "2026-01-01", from: "2026-01-01", to: "2030-12-31"),
            Case(rule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE,FR;COUNT=25", start: "2026-12-02", from: "2026-11-01", to: "2027-12-31"),
            Case(rule: "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20270115", start: "2026-12-01", from: "2026-12-10", to: "2027-03-01"),
            Case(rule: "FREQ=MONTHLY;BYMONTHDAY=-1,15", start: "2026-02-15", from: "2026-01-01", to: "2026-12-31"),
        ]
        let expected = try JSONDecoder().decode([[String]].self, from: try await AgendaOracle.run("rrule", input: JSONEncoder().encode(cases)))
        try await AgendaTest.run { t in
            for (i, c) in cases.enumerated() {
                let event = try await t.create("regra \(i)", on: c.start, rule: c.rule)
                let got = try await t.occurrences(c.from, c.to).filter { $0.eventId == event.id }.map(\.date)
                #expect(got == expected[i], "\(c.rule) from \(c.start), window \(c.from)…\(c.to)")
                // One event at a time: each list expands only the rule under test.
                var delete = Conton_Agenda_V1_DeleteEventRequest()
                delete.eventId = event.id
                _ = try await t.agenda.deleteEvent(delete, metadata: t.owner)
            }
        }
    }

    @Test func mixedOrdinalAndPlainWeekdaysAreEitherNotBoth() async throws {
        try await AgendaTest.run { t in
            // The 4th Saturday and every Monday of December 2026 (RFC 5545: the BYDAY list is a set).
            _ = try await t.create("misto", on: "2026-12-01", rule: "FREQ=MONTHLY;BYDAY=4SA,MO")
            let dates = try await t.occurrences("2026-12-01", "2026-12-31").map(\.date)
            #expect(dates == ["2026-12-07", "2026-12-14", "2026-12-21", "2026-12-26", "2026-12-28"])
        }
    }

    @Test func rulesOutsideTheSubsetAreRefusedNamingThePart() async throws {
        try await AgendaTest.run { t in
            let bad: [(String, String)] = [
                ("FREQ=HOURLY", "FREQ"),
                ("INTERVAL=2", "FREQ"),
                ("FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO", "BYSETPOS"),
                ("FREQ=YEARLY;BYMONTH=3", "BYMONTH"),
                ("FREQ=WEEKLY;BYMONTHDAY=1", "BYMONTHDAY"),
                ("FREQ=WEEKLY;BYDAY=1MO", "BYDAY"),
                ("FREQ=MONTHLY;BYDAY=6MO", "BYDAY"),
                ("FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY"),
                ("FREQ=DAILY;COUNT=3;UNTIL=20270101", "UNTIL"),
                ("FREQ=DAILY;UNTIL=2027-01-01", "UNTIL"),
                ("FREQ=DAILY;INTERVAL=0", "INTERVAL"),
                ("FREQ=DAILY;WKST=SU", "WKST"),
            ]
            for (rule, part) in bad {
                var r = Conton_Agenda_V1_CreateEventRequest()
                r.event.title = "x"
                r.event.startDate = "2026-12-01"
                r.event.allDay = true
                r.event.recurrence = rule
                let error = await rpcError { _ = try await t.agenda.createEvent(r, metadata: t.owner) }
                #expect(error?.code == .invalidArgument, "\(rule)")
                #expect(error?.violations["event.recurrence"]?.hasPrefix(part + ":") == true, "\(rule): \(error?.violations ?? [:])")
            }
            let written = try await t.occurrences("2026-01-01", "2026-12-31")
            #expect(written.isEmpty, "nothing written")
        }
    }
}
