import ArgumentParser
import ContonAPI
import ContonBrazil
import ContonKit
import ContonStore
import Foundation
import GRDB
import GRPCCore
import Histogram

/// `conton bench-attendances`: the attendances plugin at scale, against a real `conton serve` child
/// process — attendances up to 100,000 (OpenAttendances for 1,000 clients at a time), one thread of
/// 10,000 messages, then ListAttendanceMessages pages across that thread and ListAttendances with
/// its counts per status, each beside the same statements run by SQLite itself on the server's file.
struct BenchAttendances: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-attendances",
        abstract: "Time a 10,000-message thread's pages and ListAttendances with counts over 100,000 attendances.",
        discussion: """
        Spawns `conton serve` on a temporary data directory, creates --clients clients, opens \
        attendances for all of them at once until --attendances exist (departments and channels \
        varying by call), moves --changed of them to other statuses, posts --messages messages on one \
        attendance, then runs each query --rounds times, one call in flight, beside the same SQL in \
        SQLite on the server's file. docs/BENCHMARKS.md has the figures.
        """)

    @Option(help: "Clients; each OpenAttendances call opens one attendance for every one.")
    var clients = 1_000

    @Option(help: "Attendances to reach.")
    var attendances = 100_000

    @Option(help: "Attendances moved to IN_PROGRESS, WAITING_CLIENT, CLOSED or CANCELLED.")
    var changed = 2_000

    @Option(help: "Messages on the one long thread.")
    var messages = 10_000

    @Option(help: "Times each query runs.")
    var rounds = 300

    @Option(name: .customLong("server-log"), help: "Where the server's stderr goes. Default: discarded.")
    var serverLog: String?

    func run() async throws {
        var out = StandardError()
        let clientCount = clients, target = attendances, changed = self.changed, messageCount = messages, rounds = self.rounds
        try await BenchServer.withSignedInServer(name: "attendances", serverLog: serverLog) { grpc, metadata, dataDir in
            let clientsAPI = Conton_Clients_V1_Clients.Client(wrapping: grpc)
            let api = Conton_Attendances_V1_Attendances.Client(wrapping: grpc)
            var ids: [String] = []
            for i in 0..<clientCount {
                var r = Conton_Clients_V1_CreateClientRequest()
                r.client.personType = .company
                r.client.name = "Cliente \(i) Ltda"
                r.client.document = try CNPJ(base: "6" + String(String(10_000_000_000 + i).suffix(11))).value
                r.client.email = "cliente\(i)@example.com"
                ids.append(try await clientsAPI.createClient(r, metadata: metadata).client.id)
            }
            print("created \(clientCount) clients", to: &out)

            let departments: [Conton_Attendances_V1_Department] = [.fiscal, .pessoal, .contabil, .societario, .financeiro, .other]
            let channels: [Conton_Attendances_V1_Channel] = [.phone, .email, .whatsapp, .inPerson, .portal, .other]
            var made = 0, call = 0
            var millis: [Double] = []
            var opened: [String] = []
            var newest = ""
            while made < target {
                var r = Conton_Attendances_V1_OpenAttendancesRequest()
                r.clientIds = ids
                r.attendance.subject = "Atendimento \(call)"
                r.attendance.department = departments[call % departments.count]
                r.attendance.channel = channels[(call / 2) % channels.count]
                r.attendance.visibleToClient = call % 3 != 0
                r.attendance.deadline = String(format: "2026-%02d-%02d", 1 + call % 12, 1 + call % 28)
                let started = ContinuousClock.now
                let response = try await api.openAttendances(r, metadata: metadata)
                millis.append(BenchProtocols.ms(since: started))
                made += response.attendances.count
                if opened.count < changed { opened += response.attendances.map(\.id) }
                newest = response.attendances.last?.id ?? newest
                call += 1
            }
            let sorted = millis.sorted()
            print(String(format: "opened %d attendances: %d OpenAttendances calls of %d clients, median %.1f ms", made, sorted.count, clientCount,
                         sorted[sorted.count / 2]), to: &out)
            let statuses: [Conton_Attendances_V1_AttendanceStatus] = [.inProgress, .waitingClient, .closed, .cancelled]
            for (i, id) in opened.prefix(changed).enumerated() {
                var r = Conton_Attendances_V1_ChangeAttendanceStatusRequest()
                r.attendanceId = id
                r.status = statuses[i % statuses.count]
                _ = try await api.changeAttendanceStatus(r, metadata: metadata)
            }
            print("moved \(min(changed, opened.count)) of them to other statuses", to: &out)

            let long = newest      // still OPEN: none of the newest call's attendances were moved
            var postMillis: [Double] = []
            for i in 0..<messageCount {
                var r = Conton_Attendances_V1_PostAttendanceMessageRequest()
                r.attendanceId = long
                r.message.text = "Mensagem \(i): " + String(repeating: "texto do atendimento ", count: 1 + i % 8)
                r.message.internal = i % 10 == 0
                r.message.minutes = Int32(i % 5)
                let started = ContinuousClock.now
                _ = try await api.postAttendanceMessage(r, metadata: metadata)
                postMillis.append(BenchProtocols.ms(since: started))
            }
            let postSorted = postMillis.sorted()
            print(String(format: "posted %d messages on one attendance: median %.2f ms, p99 %.2f ms", messageCount,
                         postSorted[postSorted.count / 2], postSorted[postSorted.count * 99 / 100]), to: &out)

            let database = try ContonDatabase(dataDirectory: dataDir)
            // Page tokens at the start, the middle and the end of the thread.
            func token(after sequence: Int) -> String { sequence == 0 ? "" : Data(("p1:\(sequence)").utf8).base64EncodedString() }
            print("ListAttendanceMessages, a page of 100 of a \(messageCount)-message thread; SQLite: the page's rows alone", to: &out)
            print("page              rows   p50 ms   p90 ms   p99 ms   max ms   SQLite p50 ms   p99 ms", to: &out)
            for (name, after) in [("first", 0), ("middle", messageCount / 2), ("last", messageCount - 100)] {
                var request = Conton_Attendances_V1_ListAttendanceMessagesRequest()
                request.attendanceId = long
                request.pageSize = 100
                request.pageToken = token(after: after)
                var rows: Int64 = 0
                let histogram = try await BenchServer.latencies(rounds: rounds) {
                    rows = Int64(try await api.listAttendanceMessages(request, metadata: metadata).messages.count)
                }
                let reference = try await BenchServer.latencies(rounds: rounds) {
                    _ = try await database.pool.read { db in
                        try Row.fetchAll(db, sql: "SELECT * FROM attendances_thread_message WHERE thread_id = ? AND sequence > ? ORDER BY sequence LIMIT 100",
                                         arguments: [Int64(long)!, after]).count
                    }
                }
                print(BenchServer.row(name, rows, histogram, width: 14) +
                      String(format: "   %13.2f %8.2f", Double(reference.valueAtPercentile(50)) / 1e6, Double(reference.valueAtPercentile(99)) / 1e6), to: &out)
            }

            let first = ids[0]
            let today = CivilDate(milliseconds: Int64(Date().timeIntervalSince1970 * 1000)).description
            // Each query's reference is the statements the server runs for it: the page, then the counts.
            func plain(_ condition: String, counts: String? = nil) -> (String, String) {
                ("SELECT * FROM attendances_attendance WHERE \(condition) ORDER BY id DESC LIMIT 50",
                 "SELECT status, count(*) FROM attendances_attendance WHERE \(counts ?? condition) GROUP BY status")
            }
            let overdue = "status IN (1, 2, 3) AND deadline <> '' AND deadline < '\(today)'"
            // The office's, a status's and a department's counts add up attendances_status_count.
            func counted(_ condition: String, counts: String) -> (String, String) {
                ("SELECT * FROM attendances_attendance WHERE \(condition) ORDER BY id DESC LIMIT 50",
                 "SELECT status, sum(n) FROM attendances_status_count WHERE \(counts) GROUP BY status")
            }
            let queries: [(String, (inout Conton_Attendances_V1_ListAttendancesRequest) -> Void, (String, String))] = [
                ("everything", { _ in }, counted("1", counts: "1")),
                ("open", { $0.statuses = [.open] }, counted("status = 1", counts: "1")),
                ("fiscal", { $0.department = .fiscal }, counted("department = 1", counts: "department = 1")),
                ("one client", { $0.clientId = first }, plain("client_id = '\(first)'")),
                ("overdue", { $0.overdue = true },
                 ("SELECT * FROM attendances_attendance INDEXED BY attendances_attendance_active WHERE \(overdue) ORDER BY id DESC LIMIT 50",
                  "SELECT status, sum(n) FROM attendances_open_by_deadline WHERE deadline < '\(today)' GROUP BY status")),
                ("overdue, fiscal", { $0.overdue = true; $0.department = .fiscal }, plain("department = 1 AND \(overdue)")),
            ]
            print("ListAttendances over \(made) attendances, page of 50 and the counts per status; SQLite: the page and the counts statements", to: &out)
            print("query             rows   p50 ms   p90 ms   p99 ms   max ms   SQLite p50 ms   p99 ms", to: &out)
            for (name, configure, (pageSQL, countsSQL)) in queries {
                var request = Conton_Attendances_V1_ListAttendancesRequest()
                configure(&request)
                var rows: Int64 = 0
                let histogram = try await BenchServer.latencies(rounds: rounds) {
                    rows = Int64(try await api.listAttendances(request, metadata: metadata).attendances.count)
                }
                let reference = try await BenchServer.latencies(rounds: rounds) {
                    _ = try await database.pool.read { db in
                        try Row.fetchAll(db, sql: pageSQL).count + Row.fetchAll(db, sql: countsSQL).count
                    }
                }
                print(BenchServer.row(name, rows, histogram, width: 14) +
                      String(format: "   %13.2f %8.2f", Double(reference.valueAtPercentile(50)) / 1e6, Double(reference.valueAtPercentile(99)) / 1e6), to: &out)
            }
        }
    }
}
