import ArgumentParser
import ContonAPI
import ContonKit
import ContonStore
import Foundation
import GRDB
import GRPCCore
import Histogram

/// `conton bench-agenda`: ListOccurrences expanding a year of recurring events on the server,
/// against a real `conton serve` child process, beside SQLite reading the same event rows and a
/// trivial call (IsBusinessDay) as the transport's floor.
struct BenchAgenda: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-agenda",
        abstract: "Time ListOccurrences over a year of --events recurring events.",
        discussion: """
        Spawns `conton serve` on a temporary data directory, creates --events recurring events \
        (daily on weekdays, weekly, every other week on three days, monthly on a day, the last \
        Friday, yearly), then lists a year of their occurrences --rounds times, one call in flight, \
        beside the same event rows read by SQLite on the server's file and an IsBusinessDay call. \
        docs/BENCHMARKS.md has the figures.
        """)

    @Option(help: "Recurring events.")
    var events = 500

    @Option(help: "Times each query runs.")
    var rounds = 200

    @Option(name: .customLong("server-log"), help: "Where the server's stderr goes. Default: discarded.")
    var serverLog: String?

    static let rules = [
        "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", "FREQ=WEEKLY", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE,FR", "FREQ=MONTHLY;BYMONTHDAY=20",
        "FREQ=MONTHLY;BYDAY=-1FR", "FREQ=MONTHLY;BYMONTHDAY=-1", "FREQ=YEARLY", "FREQ=DAILY;INTERVAL=3",
    ]

    func run() async throws {
        var out = StandardError()
        let count = events, rounds = self.rounds
        try await BenchServer.withSignedInServer(name: "agenda", serverLog: serverLog) { grpc, metadata, dataDir in
            let api = Conton_Agenda_V1_Agenda.Client(wrapping: grpc)
            for i in 0..<count {
                var r = Conton_Agenda_V1_CreateEventRequest()
                r.event.title = "Evento \(i)"
                r.event.startDate = String(format: "2026-%02d-%02d", 1 + i % 12, 1 + i % 28)
                r.event.allDay = i % 2 == 0
                if !r.event.allDay {
                    r.event.startTime = String(format: "%02d:%02d", 8 + i % 10, (i % 4) * 15)
                    r.event.durationMinutes = 30
                }
                r.event.recurrence = Self.rules[i % Self.rules.count]
                _ = try await api.createEvent(r, metadata: metadata)
            }
            print("created \(count) recurring events (\(Self.rules.count) kinds of rule)", to: &out)
            let database = try ContonDatabase(dataDirectory: dataDir)
            var request = Conton_Agenda_V1_ListOccurrencesRequest()
            request.fromDate = "2027-01-01"
            request.toDate = "2027-12-31"
            var firstPage: Int64 = 0, occurrences: Int64 = 0, pages = 0
            // The first page: the whole year expanded and sorted on the server, 1,000 sent.
            let histogram = try await BenchServer.latencies(rounds: rounds) {
                firstPage = Int64(try await api.listOccurrences(request, metadata: metadata).occurrences.count)
            }
            // Every page of the year, one after the other.
            let everything = try await BenchServer.latencies(rounds: max(1, rounds / 10)) {
                var r = request
                occurrences = 0
                pages = 0
                while true {
                    let page = try await api.listOccurrences(r, metadata: metadata)
                    occurrences += Int64(page.occurrences.count)
                    pages += 1
                    if page.nextPageToken.isEmpty { break }
                    r.pageToken = page.nextPageToken
                }
            }
            let rows = try await BenchServer.latencies(rounds: rounds) {
                _ = try await database.pool.read { db in
                    try Row.fetchAll(db, sql: "SELECT * FROM agenda_event WHERE start_date <= '2027-12-31' AND (last_date IS NULL OR last_date >= '2027-01-01')").count
                }
            }
            var day = Conton_Agenda_V1_IsBusinessDayRequest()
            day.date = "2027-06-01"
            let floor = try await BenchServer.latencies(rounds: rounds) { _ = try await api.isBusinessDay(day, metadata: metadata) }
            print("query                      rows   p50 ms   p90 ms   p99 ms   max ms", to: &out)
            print(BenchServer.row("ListOccurrences, page 1", firstPage, histogram, width: 24), to: &out)
            print(BenchServer.row("… all \(pages) pages", occurrences, everything, width: 24), to: &out)
            print(BenchServer.row("SQLite: the event rows", Int64(count), rows, width: 24), to: &out)
            print(BenchServer.row("IsBusinessDay (floor)", 1, floor, width: 24), to: &out)
        }
    }
}
