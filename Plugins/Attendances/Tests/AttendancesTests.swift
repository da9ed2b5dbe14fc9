import AttendancesPlugin
import ContonAPI
import ContonKit
import ContonTesting
import Foundation
import GRDB
import GRPCCore
import Testing

@Suite struct AttendancesTests {
    @Test func theServiceClockPausesWhileWaitingForTheClientAndNeverCountsClosedTime() async throws {
        try await AttendancesTest.run { t in
            let client = try await t.client("Padaria Pão Quente Ltda", n: 1)
            let maria = try await t.staffUser("Maria Souza")
            let a = try #require(try await t.open([client.id], responsible: maria.id).first)
            #expect(a.status == .open && a.responsibleName == "Maria Souza" && a.number == 1)
            #expect(a.clock.openMs == 0 && a.firstAnswerAtMs == 0)
            let me = AttendancesTest.client(client.id)

            t.advance(minutes: 20)
            try await t.post(a.id, "Bom dia! Vamos verificar o DAS.")                       // the first answer, 20 min in
            t.advance(minutes: 40)
            _ = try await t.status(a.id, .waitingClient)                                  // 60 min with the office
            t.advance(minutes: 120)                                                       // paused: the client takes 2 h
            var now = try await t.get(a.id).attendance
            #expect(now.clock.paused && now.clock.openMs == 180 * AttendancesTest.minute && now.clock.officeMs == 60 * AttendancesTest.minute)
            let reply = try await t.post(a.id, "Segue o extrato.", as: me)                 // the client answers: back to the office
            #expect(reply.attendance.status == .inProgress && !reply.attendance.clock.paused)
            t.advance(minutes: 30)
            _ = try await t.status(a.id, .closed)                                         // 90 min with the office, 210 open
            t.advance(minutes: 600)                                                       // closed time never counts
            now = try await t.get(a.id).attendance
            #expect(now.status == .closed)
            #expect(now.firstAnswerAtMs - now.openedAtMs == 20 * AttendancesTest.minute && now.clock.firstAnswerMs == 20 * AttendancesTest.minute)
            #expect(now.clock.openMs == 210 * AttendancesTest.minute)
            #expect(now.clock.officeMs == 90 * AttendancesTest.minute)

            // A closed attendance takes no message until it is reopened; the closed 10 h stay out.
            #expect(await code { try await t.post(a.id, "Mais uma coisa", as: me) } == .failedPrecondition)
            #expect(await code { _ = try await t.status(a.id, .inProgress) } == .failedPrecondition)
            let reopened = try await t.status(a.id, .open)
            #expect(reopened.status == .open && reopened.clockOpenMinutes == 210)
            t.advance(minutes: 15)
            #expect(try await t.get(a.id).attendance.clock.officeMs == 105 * AttendancesTest.minute)
        }
    }

    @Test func internalNotesAndInternalAttendancesNeverReachTheClient() async throws {
        try await AttendancesTest.run { t in
            let client = try await t.client("Padaria Pão Quente Ltda", n: 1)
            let other = try await t.client("Oficina Ltda", n: 2)
            let a = try #require(try await t.open([client.id], first: "Cliente ligou pedindo a guia.").first)
            let me = AttendancesTest.client(client.id)
            try await t.post(a.id, "Cliente costuma atrasar; cobrar na sexta.", internal: true, minutes: 15)
            try await t.post(a.id, "Enviamos a guia por e-mail.", minutes: 5)

            // Staff see three entries and 20 minutes; the client two, no internal note, no minutes.
            let office = try await t.messages(a.id)
            #expect(office.messages.map(\.internal) == [false, true, false])
            let staffView = try await t.get(a.id).attendance
            #expect(staffView.messages == 3 && staffView.minutes == 20)
            let portal = try await t.messages(a.id, as: me)
            #expect(portal.messages.map(\.text) == ["Cliente ligou pedindo a guia.", "Enviamos a guia por e-mail."])
            let seen = try await t.get(a.id, as: me)
            #expect(seen.attendance.messages == 2 && seen.attendance.unread == 2 && seen.attendance.minutes == 0)
            #expect(seen.assignments.isEmpty)
            let listed = try await t.list(as: me)
            #expect(listed.attendances.map(\.id) == [a.id])
            #expect(listed.attendances[0].messages == 2 && listed.attendances[0].unread == 2)
            // The client reads; its own answer is not unread for it, and is for the office.
            let read = try await t.attendances.markAttendanceRead(.init(attendanceID: a.id), metadata: me).attendance
            #expect(read.unread == 0)
            let answered = try await t.post(a.id, "Obrigado!", as: me)
            #expect(!answered.message.internal && answered.message.authorKind == .client)
            #expect(answered.attendance.unread == 0)

            // A client may not write internal notes, record minutes, attach another client's file, or exceed the text limit.
            #expect(await code { try await t.post(a.id, "nota", internal: true, as: me) } == .permissionDenied)
            #expect(await code { try await t.post(a.id, "tempo", minutes: 3, as: me) } == .permissionDenied)
            let othersFile = try await t.upload("extrato.pdf", clientID: other.id)
            let error = await rpcError { try await t.post(a.id, String(repeating: "x", count: 10_001), files: [othersFile.id], as: me) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.violations["message.text"] != nil && error?.violations["message.attachment_file_ids[0]"] != nil)
            #expect(try await t.messages(a.id).messages.count == 4, "nothing of the refused posts was written")

            // An internal-only attendance: not there for the client at all.
            let hidden = try #require(try await t.open([client.id], subject: "Análise de crédito", visible: false).first)
            #expect(await code { _ = try await t.get(hidden.id, as: me) } == .notFound)
            #expect(await code { _ = try await t.messages(hidden.id, as: me) } == .notFound)
            #expect(try await t.list(as: me).attendances.map(\.id) == [a.id])
        }
    }

    @Test func oneAttendanceForFiftyClientsAndTheListsCountsPerStatus() async throws {
        try await AttendancesTest.run { t in
            var clients: [String] = []
            for i in 1...50 { clients.append(try await t.client("Cliente \(i) Ltda", n: i).id) }
            let maria = try await t.staffUser("Maria Souza")
            let opened = try await t.open(clients, subject: "Certificado digital vence em dezembro", responsible: maria.id,
                                          deadline: "2026-12-10", department: .societario, channel: .email)
            #expect(opened.count == 50)
            #expect(opened.map(\.clientId) == clients)
            #expect(Set(opened.map(\.subject)) == ["Certificado digital vence em dezembro"])
            #expect(try await t.count("SELECT count(*) FROM host_outbox WHERE topic = 'attendance.opened'") == 50)
            for a in opened.prefix(10) { _ = try await t.status(a.id, .waitingClient) }
            for a in opened.suffix(5) { _ = try await t.status(a.id, .closed) }

            let page = try await t.list { $0.pageSize = 20; $0.statuses = [.open] }
            #expect(page.attendances.count == 20 && page.attendances.allSatisfy { $0.status == .open })
            let counts = Dictionary(page.counts.map { ($0.status, $0.count) }, uniquingKeysWith: +)
            #expect(counts == [.open: 35, .waitingClient: 10, .closed: 5], "the counts ignore the statuses filter")
            let next = try await t.list { $0.pageSize = 20; $0.statuses = [.open]; $0.pageToken = page.nextPageToken }
            #expect(next.attendances.count == 15 && Set(next.attendances.map(\.id)).isDisjoint(with: page.attendances.map(\.id)))
            #expect(try await t.list { $0.responsibleUserId = maria.id; $0.pageSize = 500 }.attendances.count == 50)
            #expect(try await t.list { $0.department = .fiscal }.attendances.isEmpty)
            #expect(try await t.list { $0.channel = .email; $0.pageSize = 500 }.attendances.count == 50)
            #expect(try await t.list { $0.clientId = clients[3] }.attendances.map(\.id) == [opened[3].id])
            #expect(try await t.list { $0.deadline.from = "2026-12-10"; $0.deadline.to = "2026-12-10"; $0.pageSize = 500 }.attendances.count == 50)

            // Past the deadline: 45 not closed are overdue, once each.
            t.advance(minutes: 10 * 24 * 60)
            let overdue = try await t.list { $0.overdue = true; $0.pageSize = 500 }
            #expect(overdue.attendances.count == 45 && overdue.attendances.allSatisfy(\.overdue))
            #expect(try await AttendancesPlugin.sweep(context: t.attendancesContext) == 45)
            #expect(try await AttendancesPlugin.sweep(context: t.attendancesContext) == 0)
            #expect(try await t.count("SELECT count(*) FROM host_outbox WHERE topic = 'attendance.overdue'") == 45)

            // Bad input, all at once, nothing written.
            var bad = Conton_Attendances_V1_OpenAttendancesRequest()
            bad.clientIds = [clients[0], clients[0], "nope"]
            bad.attendance.deadline = "2026-02-30"
            bad.attendance.responsibleUserId = "ghost"
            let error = await rpcError { _ = try await t.attendances.openAttendances(bad, metadata: t.owner) }
            #expect(error?.code == .invalidArgument)
            #expect(Set(error?.violations.keys.map { $0 } ?? []) == ["attendance.subject", "attendance.deadline", "attendance.responsible_user_id"])
            bad.attendance.subject = "x"
            bad.attendance.deadline = ""
            bad.attendance.responsibleUserId = ""
            let clientErrors = await rpcError { _ = try await t.attendances.openAttendances(bad, metadata: t.owner) }
            #expect(Set(clientErrors?.violations.keys.map { $0 } ?? []) == ["client_ids[1]", "client_ids[2]"])
            #expect(try await t.count("SELECT count(*) FROM attendances_attendance") == 50)
        }
    }

    /// The overdue list's counts come from `attendances_open_by_deadline`, kept by triggers: after
    /// every kind of change they must equal a scan of the attendances, and the page (read through
    /// the active index) must be exactly the overdue attendances, newest first.
    @Test func theOverdueCountersFollowEveryChange() async throws {
        try await AttendancesTest.run { t in
            var clients: [String] = []
            for i in 1...6 { clients.append(try await t.client("Cliente \(i) Ltda", n: i).id) }
            // Today is 2026-12-01 on the test clock.
            var all: [AttendancesTest.Attendance] = []
            for deadline in ["2026-11-20", "2026-11-30", "2026-12-01", "2026-12-15", ""] {
                all += try await t.open(clients, subject: "Prazo \(deadline)", deadline: deadline)
            }
            func check(_ step: String) async throws {
                let scan = "FROM attendances_attendance WHERE status IN (1, 2, 3) AND deadline <> '' AND deadline < '2026-12-01'"
                let listed = try await t.list { $0.overdue = true; $0.pageSize = 500 }
                var expected: [Conton_Attendances_V1_AttendanceStatus: Int64] = [:]
                for status: Int32 in [1, 2, 3] {
                    let n = try await t.count("SELECT count(*) \(scan) AND status = \(status)")
                    if n > 0 { expected[.init(rawValue: status)] = Int64(n) }
                }
                let counts = Dictionary(listed.counts.map { ($0.status, $0.count) }, uniquingKeysWith: +)
                #expect(counts == expected, "counts after \(step)")
                let ids = try await t.host.database.pool.read { db in try Int64.fetchAll(db, sql: "SELECT id \(scan) ORDER BY id DESC") }
                #expect(listed.attendances.map(\.id) == ids.map(String.init), "page after \(step)")
                #expect(listed.attendances.allSatisfy { $0.overdue }, "flag after \(step)")
            }
            try await check("opening")
            #expect(try await t.list { $0.overdue = true }.counts.map(\.count) == [12])

            _ = try await t.status(all[0].id, .inProgress)
            _ = try await t.status(all[1].id, .waitingClient)
            _ = try await t.status(all[2].id, .closed)
            _ = try await t.status(all[7].id, .cancelled)
            try await check("status changes")
            _ = try await t.status(all[2].id, .open)
            try await check("a reopen")

            func deadline(_ a: AttendancesTest.Attendance, _ value: String) async throws {
                var r = Conton_Attendances_V1_UpdateAttendanceRequest()
                r.attendance.id = a.id
                r.attendance.deadline = value
                r.updateMask.paths = ["deadline"]
                _ = try await t.attendances.updateAttendance(r, metadata: t.owner)
            }
            try await deadline(all[0], "2026-12-20")    // in progress, overdue → not yet due
            try await deadline(all[20], "2026-10-01")   // no deadline → overdue
            try await deadline(all[3], "")              // overdue → no deadline
            try await deadline(all[15], "2026-11-01")   // due in December → overdue
            try await check("deadline changes")
            #expect(try await t.list { $0.overdue = true; $0.statuses = [.waitingClient] }.attendances.map(\.id) == [all[1].id])

            // A day later what was due on 2026-12-01 is overdue too; the counters need no update.
            t.advance(minutes: 24 * 60)
            let later = try await t.list { $0.overdue = true; $0.pageSize = 500 }
            let dueToday = try await t.count("SELECT count(*) FROM attendances_attendance WHERE status IN (1, 2, 3) AND deadline <> '' AND deadline < '2026-12-02'")
            #expect(later.counts.reduce(0) { $0 + $1.count } == Int64(dueToday) && later.attendances.count == dueToday)
            #expect(try await t.count("SELECT count(*) FROM attendances_open_by_deadline WHERE n < 0") == 0)
        }
    }

    /// The counts per status of the whole office, a department and a channel come from
    /// `attendances_status_count`, kept by triggers: after every kind of change (opening, status,
    /// department, channel, a deletion) each filter's counts must equal a scan, and the
    /// filters the table cannot answer (a responsible user, overdue of a department) must too.
    @Test func theStatusCountersFollowEveryChange() async throws {
        try await AttendancesTest.run { t in
            var clients: [String] = []
            for i in 1...4 { clients.append(try await t.client("Cliente \(i) Ltda", n: i).id) }
            var all: [AttendancesTest.Attendance] = []
            all += try await t.open(clients, subject: "Folha", deadline: "2026-11-20", department: .pessoal, channel: .email)
            all += try await t.open(clients, subject: "DAS", deadline: "2026-12-10", department: .fiscal, channel: .phone)
            all += try await t.open(Array(clients.prefix(2)), subject: "Balanço", department: .contabil, channel: .whatsapp)
            typealias Filter = (name: String, sql: String, configure: (inout Conton_Attendances_V1_ListAttendancesRequest) -> Void)
            let filters: [Filter] = [
                ("everything", "1", { _ in }),
                ("open only (counts ignore the statuses)", "1", { $0.statuses = [.open] }),
                ("fiscal", "department = 1", { $0.department = .fiscal }),
                ("e-mail", "channel = 2", { $0.channel = .email }),
                ("pessoal by e-mail", "department = 2 AND channel = 2", { $0.department = .pessoal; $0.channel = .email }),
                ("pessoal by phone", "department = 2 AND channel = 1", { $0.department = .pessoal; $0.channel = .phone }),
                ("overdue pessoal", "department = 2 AND status IN (1, 2, 3) AND deadline <> '' AND deadline < '2026-12-01'",
                 { $0.department = .pessoal; $0.overdue = true }),
            ]
            func check(_ step: String) async throws {
                for filter in filters {
                    var expected: [Conton_Attendances_V1_AttendanceStatus: Int64] = [:]
                    let condition = filter.sql
                    let scanned: [[Int64]] = try await t.host.database.pool.read { db in
                        try Row.fetchAll(db, sql: "SELECT status, count(*) FROM attendances_attendance WHERE \(condition) GROUP BY status")
                            .map { [$0[0], $0[1]] }
                    }
                    for row in scanned { expected[.init(rawValue: Int32(row[0]))] = row[1] }
                    let counts = try await t.list(filter.configure).counts
                    #expect(Dictionary(counts.map { ($0.status, $0.count) }, uniquingKeysWith: +) == expected, "\(filter.name) after \(step)")
                    #expect(counts.map(\.status.rawValue) == counts.map(\.status.rawValue).sorted(), "\(filter.name) in status order")
                }
                #expect(try await t.count("SELECT count(*) FROM attendances_status_count WHERE n < 0") == 0)
            }
            try await check("opening")
            #expect(try await t.list().counts.map(\.count) == [10])

            _ = try await t.status(all[0].id, .inProgress)
            _ = try await t.status(all[1].id, .waitingClient)
            _ = try await t.status(all[4].id, .closed)
            _ = try await t.status(all[9].id, .cancelled)
            try await check("status changes")
            _ = try await t.status(all[4].id, .open)
            try await check("a reopen")

            func update(_ a: AttendancesTest.Attendance, _ configure: (inout Conton_Attendances_V1_Attendance) -> Void, _ paths: [String]) async throws {
                var r = Conton_Attendances_V1_UpdateAttendanceRequest()
                r.attendance.id = a.id
                configure(&r.attendance)
                r.updateMask.paths = paths
                _ = try await t.attendances.updateAttendance(r, metadata: t.owner)
            }
            try await update(all[0], { $0.department = .fiscal }, ["department"])
            try await update(all[5], { $0.channel = .email }, ["channel"])
            try await update(all[2], { $0.department = .contabil; $0.channel = .whatsapp }, ["department", "channel"])
            try await update(all[3], { $0.subject = "Folha de dezembro" }, ["subject"])
            try await check("department and channel changes")

            let deleted = try #require(Int64(all[8].id))
            try await t.host.database.pool.write { db in try db.execute(sql: "DELETE FROM attendances_attendance WHERE id = ?", arguments: [deleted]) }
            try await check("a deletion")
        }
    }

    @Test func theClientReportCountsAttendancesAndMinutesPerMonth() async throws {
        try await AttendancesTest.run { t in
            let client = try await t.client("Padaria Pão Quente Ltda", n: 1), other = try await t.client("Oficina Ltda", n: 2)
            let december = try await t.open([client.id, other.id])
            let second = try #require(try await t.open([client.id], subject: "Folha de dezembro").first)
            try await t.post(december[0].id, "Ligação de 20 minutos", internal: true, minutes: 20)
            try await t.post(second.id, "Conferência da folha", minutes: 45)
            try await t.post(december[1].id, "De outro cliente", minutes: 90)
            _ = try await t.status(second.id, .closed)
            t.advance(minutes: 31 * 24 * 60)                                                    // January 2027
            let january = try #require(try await t.open([client.id], subject: "DIRF").first)
            try await t.post(january.id, "Preparação", minutes: 30)
            try await t.post(december[0].id, "Retorno em janeiro", minutes: 10)
            var r = Conton_Attendances_V1_ClientReportRequest()
            r.clientId = client.id
            r.fromMonth = "2026-11"
            r.toMonth = "2027-01"
            let report = try await t.attendances.getClientReport(r, metadata: t.owner)
            #expect(report.months.map(\.month) == ["2026-11", "2026-12", "2027-01"])
            #expect(report.months.map(\.opened) == [0, 2, 1])
            #expect(report.months.map(\.closed) == [0, 1, 0])
            #expect(report.months.map(\.minutes) == [0, 65, 40], "minutes by the month they were recorded; the other client's apart")
            #expect(report.opened == 3 && report.minutes == 105)
            // The default period: the twelve months up to now.
            r.fromMonth = ""
            r.toMonth = ""
            let year = try await t.attendances.getClientReport(r, metadata: t.owner)
            #expect(year.months.count == 12 && year.months.last?.month == "2027-01" && year.months.first?.month == "2026-02")
            r.fromMonth = "2027-02"
            r.toMonth = "2026-01"
            #expect(await code { _ = try await t.attendances.getClientReport(r, metadata: t.owner) } == .invalidArgument)
            #expect(await code { _ = try await t.attendances.getClientReport(r, metadata: AttendancesTest.client(client.id)) } == .permissionDenied)
        }
    }

    @Test func reassigningKeepsTheHistory() async throws {
        try await AttendancesTest.run { t in
            let client = try await t.client("Padaria Pão Quente Ltda", n: 1)
            let maria = try await t.staffUser("Maria Souza"), joao = try await t.staffUser("João Lima")
            let a = try #require(try await t.open([client.id], responsible: maria.id).first)
            t.advance(minutes: 5)
            var u = Conton_Attendances_V1_UpdateAttendanceRequest()
            u.attendance.id = a.id
            u.attendance.version = a.version
            u.attendance.responsibleUserId = joao.id
            u.attendance.priority = .urgent
            u.updateMask.paths = ["responsible_user_id", "priority"]
            let updated = try await t.attendances.updateAttendance(u, metadata: t.owner).attendance
            #expect(updated.responsibleName == "João Lima" && updated.priority == .urgent)
            #expect(await code { _ = try await t.attendances.updateAttendance(u, metadata: t.owner) } == .aborted, "the version read is stale")
            let history = try await t.get(a.id).assignments
            #expect(history.map(\.responsibleName) == ["Maria Souza", "João Lima"])
            #expect(history[1].atMs - history[0].atMs == 5 * AttendancesTest.minute)
        }
    }

    @Test func aClientReachesOnlyItsOwnVisibleAttendances() async throws {
        try await AttendancesTest.run { t in
            let a = try await t.client("Cliente A Ltda", n: 1), b = try await t.client("Cliente B Ltda", n: 2)
            let mine = try #require(try await t.open([a.id]).first)
            let hidden = try #require(try await t.open([a.id], visible: false).first)
            let other = AttendancesTest.client(b.id), me = AttendancesTest.client(a.id)
            // Every method a client may call that takes an attendance id (the list below must name them all).
            for id in [mine.id, hidden.id, "999999", "x"] {
                #expect(await code { _ = try await t.get(id, as: other) } == .notFound)
                #expect(await code { try await t.post(id, "oi", as: other) } == .notFound)
                #expect(await code { _ = try await t.messages(id, as: other) } == .notFound)
                #expect(await code { _ = try await t.attendances.markAttendanceRead(.init(attendanceID: id), metadata: other) } == .notFound)
            }
            #expect(await code { _ = try await t.get(hidden.id, as: me) } == .notFound)
            #expect(try await t.list(as: other) { $0.clientId = a.id }.attendances.isEmpty)
            #expect(try await t.list(as: me).attendances.map(\.id) == [mine.id])
            let service = "conton.attendances.v1.Attendances"
            let client = Principal.client(ClientIdentity(userID: "u", email: "c@example.com", name: "C", clientID: a.id))
            let callable = Set(t.policies.filter { $0.key.service.fullyQualifiedService == service }.filter { policy in
                if case .allow = policy.value.decide(client) { return true }
                return false
            }.map(\.key.method))
            #expect(callable == ["GetAttendance", "ListAttendances", "PostAttendanceMessage", "ListAttendanceMessages", "MarkAttendanceRead"],
                    "each is checked for another client's ids above")
            #expect(await code { _ = try await t.status(mine.id, .closed) } == nil, "staff may close it")
            var open = Conton_Attendances_V1_OpenAttendancesRequest()
            open.clientIds = [a.id]
            open.attendance.subject = "pelo portal"
            #expect(await code { _ = try await t.attendances.openAttendances(open, metadata: me) } == .permissionDenied)
        }
    }
}

extension Conton_Attendances_V1_Attendance {
    var clockOpenMinutes: Int64 { clock.openMs / AttendancesTest.minute }
}

extension Conton_Attendances_V1_MarkAttendanceReadRequest {
    init(attendanceID: String, upTo: Int64 = 0) {
        self.init()
        self.attendanceId = attendanceID
        self.upToSequence = upTo
    }
}
