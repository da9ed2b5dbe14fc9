import AgendaPlugin
import ContonAPI
import ContonKit
import ContonTesting
import Foundation
import GRDB
import GRPCCore
import Testing

@Suite struct AgendaTests {
    @Test func eventsWithExceptionsAndWhatAClientSees() async throws {
        try await AgendaTest.run { t in
            let a = try await t.client("Padaria A", n: 1), b = try await t.client("Oficina B", n: 2)
            // A weekly meeting at 09:30 for an hour, São Paulo time (UTC−3).
            let weekly = try await t.create("Reunião semanal", on: "2026-12-02", time: "09:30", minutes: 60, rule: "FREQ=WEEKLY;COUNT=6")
            #expect(weekly.recurrence == "FREQ=WEEKLY;COUNT=6" && weekly.startTime == "09:30" && weekly.kind == .event)
            var all = try await t.occurrences("2026-12-01", "2027-01-31")
            #expect(all.map(\.date) == ["2026-12-02", "2026-12-09", "2026-12-16", "2026-12-23", "2026-12-30", "2027-01-06"])
            #expect(all[0].startMs == 1_796_214_600_000 && all[0].endMs == all[0].startMs + 3_600_000, "09:30 at −03:00 is 12:30 UTC")

            // Move the 23rd to the 22nd at 14:00, cancel the 30th; restore brings the 30th back.
            var move = Conton_Agenda_V1_MoveOccurrenceRequest()
            move.eventId = weekly.id
            move.originalDate = "2026-12-23"
            move.newDate = "2026-12-22"
            move.newStartTime = "14:00"
            let moved = try await t.agenda.moveOccurrence(move, metadata: t.owner).occurrence
            #expect(moved.moved && moved.date == "2026-12-22" && moved.originalDate == "2026-12-23")
            var cancel = Conton_Agenda_V1_CancelOccurrenceRequest()
            cancel.eventId = weekly.id
            cancel.originalDate = "2026-12-30"
            _ = try await t.agenda.cancelOccurrence(cancel, metadata: t.owner)
            all = try await t.occurrences("2026-12-01", "2027-01-31")
            #expect(all.map(\.date) == ["2026-12-02", "2026-12-09", "2026-12-16", "2026-12-22", "2027-01-06"])
            // A window holding only the new day finds the moved occurrence; one holding only the old day does not.
            #expect(try await t.occurrences("2026-12-22", "2026-12-22").map(\.originalDate) == ["2026-12-23"])
            #expect(try await t.occurrences("2026-12-23", "2026-12-23").isEmpty)
            // Pages of two, in the same order, each occurrence once (the moved one included).
            let paged = try await t.occurrences("2026-12-01", "2027-01-31", pageSize: 2)
            #expect(paged.map(\.originalDate) == all.map(\.originalDate) && paged.map(\.startMs) == all.map(\.startMs))
            var bad = Conton_Agenda_V1_ListOccurrencesRequest()
            bad.fromDate = "2026-12-01"
            bad.toDate = "2027-01-31"
            bad.pageToken = "nonsense"
            bad.pageSize = 6_000
            #expect(Set(await rpcError { _ = try await t.agenda.listOccurrences(bad, metadata: t.owner) }?.violations.keys ?? [:].keys) == ["page_token", "page_size"])
            var restore = Conton_Agenda_V1_RestoreOccurrenceRequest()
            restore.eventId = weekly.id
            restore.originalDate = "2026-12-30"
            _ = try await t.agenda.restoreOccurrence(restore, metadata: t.owner)
            #expect(try await t.occurrences("2026-12-30", "2026-12-30").count == 1)
            // An occurrence the rule does not give, and a single event, cannot be moved.
            move.originalDate = "2026-12-24"
            #expect(await rpcError { _ = try await t.agenda.moveOccurrence(move, metadata: t.owner) }?.violations.keys.contains("original_date") == true)
            let once = try await t.create("Entrega", on: "2026-12-10")
            move.eventId = once.id
            move.originalDate = "2026-12-10"
            #expect(await code { _ = try await t.agenda.moveOccurrence(move, metadata: t.owner) } == .failedPrecondition)

            // Client events: A's shared, A's private, B's shared; office events never reach a client.
            let shared = try await t.create("Assinatura do contrato", on: "2026-12-15", time: "10:00", minutes: 30, clientID: a.id, shared: true)
            let privateA = try await t.create("Revisar balancete", on: "2026-12-15", clientID: a.id)
            let sharedB = try await t.create("Visita", on: "2026-12-16", clientID: b.id, shared: true)
            let asA = AgendaTest.client(a.id)
            #expect(try await t.occurrences("2026-12-01", "2026-12-31", as: asA).map(\.eventId) == [shared.id])
            #expect(try await t.occurrences("2026-12-01", "2026-12-31", clientID: b.id, as: asA).isEmpty)
            var get = Conton_Agenda_V1_GetEventRequest()
            get.eventId = shared.id
            #expect(try await t.agenda.getEvent(get, metadata: asA).event.title == "Assinatura do contrato")
            for hidden in [privateA.id, sharedB.id, weekly.id, once.id] {
                get.eventId = hidden
                #expect(await code { _ = try await t.agenda.getEvent(get, metadata: asA) } == .notFound, "event \(hidden)")
            }
            // Staff see everything, or one client's.
            #expect(Set(try await t.occurrences("2026-12-15", "2026-12-16", clientID: a.id).map(\.eventId)) == [shared.id, privateA.id])
            // A client may not write.
            var create = Conton_Agenda_V1_CreateEventRequest()
            create.event.title = "x"
            create.event.startDate = "2026-12-01"
            create.event.allDay = true
            create.event.clientId = a.id
            #expect(await code { _ = try await t.agenda.createEvent(create, metadata: asA) } == .permissionDenied)
            #expect(await code { _ = try await t.agenda.cancelOccurrence(cancel, metadata: asA) } == .permissionDenied)

            // Update with a mask, optimistic concurrency; delete.
            var update = Conton_Agenda_V1_UpdateEventRequest()
            update.event.id = shared.id
            update.event.version = shared.version
            update.event.title = "Assinatura (novo horário)"
            update.event.startTime = "16:00"
            update.updateMask.paths = ["title", "start_time"]
            let updated = try await t.agenda.updateEvent(update, metadata: t.owner).event
            #expect(updated.title == "Assinatura (novo horário)" && updated.startTime == "16:00" && updated.version == shared.version + 1 && updated.clientId == a.id)
            #expect(await code { _ = try await t.agenda.updateEvent(update, metadata: t.owner) } == .aborted)
            var delete = Conton_Agenda_V1_DeleteEventRequest()
            delete.eventId = privateA.id
            _ = try await t.agenda.deleteEvent(delete, metadata: t.owner)
            #expect(await code { _ = try await t.agenda.deleteEvent(delete, metadata: t.owner) } == .notFound)
        }
    }

    @Test func pagesOfManyEventsOnTheSameDaysMatchTheWholeList() async throws {
        try await AgendaTest.run { t in
            // Several events a day, all-day and timed, so pages end inside crowded days (a page is
            // cut from the days that hold it: see AgendaOccurrences.list).
            try await t.create("Diário", on: "2027-01-01", time: "09:00", minutes: 30, rule: "FREQ=DAILY")
            try await t.create("Dias úteis", on: "2027-01-01", rule: "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR")
            try await t.create("Semanal", on: "2027-01-04", time: "09:00", minutes: 60, rule: "FREQ=WEEKLY;BYDAY=MO,WE")
            try await t.create("Mensal", on: "2027-01-20", rule: "FREQ=MONTHLY;BYMONTHDAY=20")
            try await t.create("Único", on: "2027-02-10", time: "08:00", minutes: 15)
            let whole = try await t.occurrences("2027-01-01", "2027-03-31")
            #expect(whole.count > 150)
            for size: Int32 in [1, 7, 50] {
                let paged = try await t.occurrences("2027-01-01", "2027-03-31", pageSize: size)
                #expect(paged.map(\.originalDate) == whole.map(\.originalDate) && paged.map(\.eventId) == whole.map(\.eventId), "pages of \(size)")
            }
        }
    }

    @Test func badEventsAndWindowsAreRefusedWithEveryViolation() async throws {
        try await AgendaTest.run { t in
            var r = Conton_Agenda_V1_CreateEventRequest()
            r.event.title = ""
            r.event.startDate = "2026-02-30"
            r.event.startTime = "25:00"
            r.event.durationMinutes = 0
            r.event.recurrence = "FREQ=MONTHLY;BYDAY=9MO"
            r.event.sharedWithClient = true
            r.event.reminderMinutes = [-1]
            let error = await rpcError { _ = try await t.agenda.createEvent(r, metadata: t.owner) }
            #expect(error?.code == .invalidArgument)
            #expect(Set(error?.violations.keys ?? [:].keys) == ["event.title", "event.start_date", "event.start_time", "event.duration_minutes",
                                                                "event.recurrence", "event.shared_with_client", "event.reminder_minutes[0]"])
            r = Conton_Agenda_V1_CreateEventRequest()
            r.event.title = "x"
            r.event.startDate = "2026-12-01"
            r.event.allDay = true
            r.event.clientId = "no-such-client"
            #expect(await rpcError { _ = try await t.agenda.createEvent(r, metadata: t.owner) }?.violations.keys.contains("event.client_id") == true)

            var list = Conton_Agenda_V1_ListOccurrencesRequest()
            list.fromDate = "2026-01-01"
            list.toDate = "2031-01-02"
            #expect(await rpcError { _ = try await t.agenda.listOccurrences(list, metadata: t.owner) }?.violations.keys.contains("to_date") == true)
            list.toDate = "2030-12-31"       // 5 years and a leap day: the longest window
            let longest = try await t.agenda.listOccurrences(list, metadata: t.owner).occurrences
            #expect(longest.isEmpty)
            list.fromDate = "ontem"
            #expect(await rpcError { _ = try await t.agenda.listOccurrences(list, metadata: t.owner) }?.violations.keys.contains("from_date") == true)
            let written = try await t.host.database.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM agenda_event") }
            #expect(written == 0)
        }
    }

    @Test func obligationsFollowRegimesEmployeesAndTheirBusinessDayRules() async throws {
        try await AgendaTest.run { t in
            let simples = try await t.client("Simples sem folha", n: 1, regime: .simplesNacional)
            let presumido = try await t.client("Presumido com folha", n: 2, regime: .lucroPresumido, employees: true)
            var generate = Conton_Agenda_V1_GenerateObligationsRequest()
            generate.year = 2026
            let first = try await t.agenda.generateObligations(generate, metadata: t.owner)
            // Simples without employees: DAS ×12. Presumido with employees: FGTS, INSS, IRRF, PIS/COFINS ×12.
            #expect(first.created == 12 + 48 && first.updated == 0 && first.unchanged == 0 && first.clients == 2)
            let again = try await t.agenda.generateObligations(generate, metadata: t.owner)
            #expect(again.created == 0 && again.updated == 0 && again.unchanged == 60, "idempotent")

            func due(_ client: String, _ competence: String, _ code: String) async throws -> String? {
                let all = try await t.occurrences("2026-01-01", "2027-12-31", clientID: client, kind: .obligation)
                return all.first { $0.competence == competence && $0.title.hasPrefix(code) }?.date
            }
            // Competence 2026-10: the 20th of November is Consciência Negra (a Friday).
            #expect(try await due(simples.id, "2026-10", "DAS") == "2026-11-23", "postponed to Monday")
            #expect(try await due(presumido.id, "2026-10", "FGTS") == "2026-11-19", "anticipated to Thursday")
            #expect(try await due(presumido.id, "2026-10", "Contribuições") == "2026-11-19")
            // Competence 2026-05: 20 June 2026 is a Saturday.
            #expect(try await due(simples.id, "2026-05", "DAS") == "2026-06-22")
            #expect(try await due(presumido.id, "2026-05", "IRRF") == "2026-06-19")
            // Competence 2026-03: PIS/Cofins on the 25th of April, a Saturday → Friday the 24th.
            #expect(try await due(presumido.id, "2026-03", "PIS") == "2026-04-24")
            // Competence 2026-12 falls in January 2027; a plain business day stays.
            #expect(try await due(simples.id, "2026-12", "DAS") == "2027-01-20")
            #expect(try await due(simples.id, "2026-06", "FGTS") == nil, "no employees, no FGTS")

            // The client sees its obligations (shared); the other's never.
            let asSimples = AgendaTest.client(simples.id)
            let seen = try await t.occurrences("2026-01-01", "2027-12-31", as: asSimples)
            #expect(seen.count == 12 && seen.allSatisfy { $0.clientId == simples.id && $0.kind == .obligation })

            // An office holiday on the new due day moves it on the next run; the count says so.
            var holiday = Conton_Agenda_V1_AddOfficeHolidayRequest()
            holiday.holiday.name = "Feriado municipal"
            holiday.holiday.year = 2027
            holiday.holiday.month = 1
            holiday.holiday.day = 20
            holiday.holiday.scope = .municipal
            _ = try await t.agenda.addOfficeHoliday(holiday, metadata: t.owner)
            let moved = try await t.agenda.generateObligations(generate, metadata: t.owner)
            // Competence 2026-12: DAS (simples) and FGTS, INSS, IRRF (presumido) were on 2027-01-20.
            #expect(moved.updated == 4 && moved.created == 0)
            #expect(try await due(simples.id, "2026-12", "DAS") == "2027-01-21")
            #expect(try await due(presumido.id, "2026-12", "FGTS") == "2027-01-19")

            // The client lets its employees go: FGTS, INSS and IRRF leave its agenda.
            var update = Conton_Clients_V1_UpdateClientRequest()
            update.client.id = presumido.id
            update.client.version = presumido.version
            update.client.hasEmployees = false
            update.updateMask.paths = ["has_employees"]
            _ = try await Conton_Clients_V1_Clients.Client(wrapping: t.grpc).updateClient(update, metadata: t.owner)
            generate.clientId = presumido.id
            let after = try await t.agenda.generateObligations(generate, metadata: t.owner)
            #expect(after.removed == 36 && after.unchanged == 12 && after.clients == 1)

            // Bad input.
            generate.year = 1999
            #expect(await code { _ = try await t.agenda.generateObligations(generate, metadata: t.owner) } == .invalidArgument)
            generate.year = 2026
            generate.clientId = "nobody"
            #expect(await code { _ = try await t.agenda.generateObligations(generate, metadata: t.owner) } == .notFound)
            #expect(await code { _ = try await t.agenda.generateObligations(generate, metadata: asSimples) } == .permissionDenied)
            let templates = try await t.agenda.listObligationTemplates(.init(), metadata: t.owner).templates
            #expect(templates.map(\.code) == ["DAS", "FGTS", "INSS", "IRRF", "PIS_COFINS"])
            #expect(templates.allSatisfy { !$0.source.isEmpty })
        }
    }

    @Test func remindersAreSentOnceWhenTheirTimeComes() async throws {
        try await AgendaTest.run { t in
            // Tomorrow (2026-12-02) at 09:00, reminders a day and an hour before.
            let event = try await t.create("Prazo da DCTFWeb", on: "2026-12-02", time: "09:00", minutes: 30, reminders: [1_440, 60])
            let context = try t.agendaContext
            #expect(try await AgendaPlugin.sweepReminders(context: context) == 1, "a day before is now (09:00 today)")
            #expect(try await AgendaPlugin.sweepReminders(context: context) == 0, "sent once")
            t.clock.advance(milliseconds: 22 * 60 * AgendaTest.minute)          // 07:00 tomorrow
            #expect(try await AgendaPlugin.sweepReminders(context: context) == 0)
            t.clock.advance(milliseconds: 61 * AgendaTest.minute)               // 08:01
            #expect(try await AgendaPlugin.sweepReminders(context: context) == 1)
            t.clock.advance(milliseconds: 120 * AgendaTest.minute)              // after the start
            #expect(try await AgendaPlugin.sweepReminders(context: context) == 0)
            let sent = try await t.host.database.pool.read { db in
                try Row.fetchAll(db, sql: "SELECT original_date, minutes FROM agenda_reminder_sent WHERE event_id = ? ORDER BY minutes", arguments: [event.id])
                    .map { "\($0["original_date"] as String)/\($0["minutes"] as Int)" }
            }
            #expect(sent == ["2026-12-02/60", "2026-12-02/1440"])
            let published = try await t.host.database.pool.read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM host_outbox WHERE topic = 'agenda.reminder'")
            }
            #expect(published == 2)
        }
    }

    @Test func theCalendarFeedIsValidICalendarAndRevocable() async throws {
        try await AgendaTest.run { t in
            let a = try await t.client("Padaria A; Filial, Centro", n: 1)
            let weekly = try await t.create("Reunião, semanal; equipe", on: "2026-12-02", time: "09:30", minutes: 60, rule: "FREQ=WEEKLY;UNTIL=20270131")
            _ = try await t.create("Entrega anual", on: "2026-12-10", rule: "FREQ=YEARLY;COUNT=3", clientID: a.id, shared: true)
            _ = try await t.create("Nota interna", on: "2026-12-11", clientID: a.id)
            var cancel = Conton_Agenda_V1_CancelOccurrenceRequest()
            cancel.eventId = weekly.id
            cancel.originalDate = "2026-12-09"
            _ = try await t.agenda.cancelOccurrence(cancel, metadata: t.owner)
            var move = Conton_Agenda_V1_MoveOccurrenceRequest()
            move.eventId = weekly.id
            move.originalDate = "2026-12-16"
            move.newDate = "2026-12-17"
            _ = try await t.agenda.moveOccurrence(move, metadata: t.owner)

            var create = Conton_Agenda_V1_CreateFeedTokenRequest()
            let office = try await t.agenda.createFeedToken(create, metadata: t.owner)
            create.clientId = a.id
            let client = try await t.agenda.createFeedToken(create, metadata: t.owner)
            var get = Conton_Agenda_V1_GetCalendarFeedRequest()
            get.token = office.token
            let feed = try await t.agenda.getCalendarFeed(get, metadata: InProcessTestServer.as(.anonymous))
            #expect(feed.contentType == "text/calendar; charset=utf-8")
            let text = String(decoding: feed.content, as: UTF8.self)
            #expect(text.hasPrefix("BEGIN:VCALENDAR\r\n") && text.hasSuffix("END:VCALENDAR\r\n"))
            #expect(text.split(separator: "\r\n", omittingEmptySubsequences: false).allSatisfy { $0.utf8.count <= 75 })

            struct Parsed: Decodable {
                struct Event: Decodable { var uid, summary, dtstart, dtend, tzid, rrule, recurrence_id: String; var exdates: [String] }
                var name: String
                var events: [Event]
            }
            let parsed = try JSONDecoder().decode(Parsed.self, from: try await AgendaOracle.run("ics", input: Data(feed.content)))
            #expect(parsed.events.count == 4, "three events and one moved occurrence")
            let master = try #require(parsed.events.first { $0.uid == "agenda-\(weekly.id)@conton" && $0.recurrence_id.isEmpty })
            #expect(master.summary == "Reunião, semanal; equipe", "escaped and read back")
            #expect(master.dtstart == "2026-12-02T09:30:00-03:00" && master.tzid == "America/Sao_Paulo")
            #expect(master.rrule.hasPrefix("FREQ=WEEKLY;UNTIL=20270201T025959Z"))
            #expect(master.exdates == ["2026-12-09T09:30:00-03:00"])
            let override = try #require(parsed.events.first { !$0.recurrence_id.isEmpty })
            #expect(override.recurrence_id == "2026-12-16T09:30:00-03:00" && override.dtstart == "2026-12-17T09:30:00-03:00")
            let annual = try #require(parsed.events.first { $0.summary == "Entrega anual" })
            #expect(annual.dtstart == "2026-12-10" && annual.dtend == "2026-12-11" && annual.rrule == "FREQ=YEARLY;COUNT=3")

            // The client's feed: only its shared events.
            get.token = client.token
            let clientFeed = try JSONDecoder().decode(Parsed.self, from: try await AgendaOracle.run("ics", input: Data(try await t.agenda.getCalendarFeed(get, metadata: InProcessTestServer.as(.anonymous)).content)))
            #expect(clientFeed.events.map(\.summary) == ["Entrega anual"])
            #expect(clientFeed.name == "ContOn — Padaria A; Filial, Centro")

            // Revoked or unknown: NOT_FOUND.
            var revoke = Conton_Agenda_V1_RevokeFeedTokenRequest()
            revoke.feedId = client.feedId
            _ = try await t.agenda.revokeFeedToken(revoke, metadata: t.owner)
            #expect(await code { _ = try await t.agenda.getCalendarFeed(get, metadata: InProcessTestServer.as(.anonymous)) } == .notFound)
            get.token = "not-a-token"
            #expect(await code { _ = try await t.agenda.getCalendarFeed(get, metadata: InProcessTestServer.as(.anonymous)) } == .notFound)
            #expect(await code { _ = try await t.agenda.createFeedToken(create, metadata: AgendaTest.client(a.id)) } == .permissionDenied)
        }
    }
}
