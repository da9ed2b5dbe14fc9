import AgendaPlugin
import ClientsPlugin
import ContonAPI
import ContonBrazil
import ContonKit
import ContonStore
import ContonTesting
import Foundation
import GRDB
import GRPCCore
import OfficePlugin
import Testing

/// The agenda plugin in process with the clients plugin, on a test clock at 2026-12-01 09:00 in
/// São Paulo (12:00 UTC).
struct AgendaTest: Sendable {
    typealias Event = Conton_Agenda_V1_Event

    let grpc: GRPCClient<InProcessTestTransport>
    let host: PluginHost
    let clock: TestClock
    let agenda: Conton_Agenda_V1_Agenda.Client<InProcessTestTransport>
    let owner: Metadata

    static let start: Int64 = 1_796_126_400_000
    static let minute: Int64 = 60_000

    static func run<R: Sendable>(_ body: (AgendaTest) async throws -> R) async throws -> R {
        let clock = TestClock(start)
        return try await withInProcessTestServer(plugins: [ClientsPlugin(), OfficePlugin(), AgendaPlugin(sweepAtStart: false)], clock: clock) { test in
            try await body(AgendaTest(grpc: test.client, host: test.host, clock: clock, agenda: .init(wrapping: test.client),
                                      owner: InProcessTestServer.as(.owner)))
        }
    }

    static func client(_ id: String) -> Metadata { InProcessTestServer.as(.client(id)) }

    /// A company client with the n-th test CNPJ.
    func client(_ name: String, n: Int, regime: Conton_Clients_V1_TaxRegime = .simplesNacional, employees: Bool = false) async throws -> Conton_Clients_V1_Client {
        var c = Conton_Clients_V1_CreateClientRequest()
        c.client.personType = .company
        c.client.name = name
        c.client.document = try CNPJ(base: "44555" + String(String(1_000_000 + n).suffix(3)) + "0001").value
        c.client.email = "cliente\(n)@example.com"
        c.client.taxRegime = regime
        c.client.hasEmployees = employees
        return try await Conton_Clients_V1_Clients.Client(wrapping: grpc).createClient(c, metadata: owner).client
    }

    @discardableResult
    func create(_ title: String, on date: String, time: String = "", minutes: Int32 = 0, rule: String = "", clientID: String = "",
                shared: Bool = false, reminders: [Int32] = []) async throws -> Event {
        var r = Conton_Agenda_V1_CreateEventRequest()
        r.event.title = title
        r.event.startDate = date
        r.event.allDay = time.isEmpty
        r.event.startTime = time
        r.event.durationMinutes = minutes
        r.event.recurrence = rule
        r.event.clientId = clientID
        r.event.sharedWithClient = shared
        r.event.reminderMinutes = reminders
        return try await agenda.createEvent(r, metadata: owner).event
    }

    /// Every occurrence of the window, page after page.
    func occurrences(_ from: String, _ to: String, clientID: String = "", kind: Conton_Agenda_V1_EventKind = .unspecified,
                     pageSize: Int32 = 0, as who: Metadata? = nil) async throws -> [Conton_Agenda_V1_Occurrence] {
        var r = Conton_Agenda_V1_ListOccurrencesRequest()
        r.fromDate = from
        r.toDate = to
        r.clientId = clientID
        r.kind = kind
        r.pageSize = pageSize
        var all: [Conton_Agenda_V1_Occurrence] = []
        while true {
            let page = try await agenda.listOccurrences(r, metadata: who ?? owner)
            all += page.occurrences
            if page.nextPageToken.isEmpty { return all }
            r.pageToken = page.nextPageToken
        }
    }

    var agendaContext: PluginContext {
        get throws { host.context(for: try #require(host.plugins.first { $0.id == "agenda" })) }
    }
}

/// Runs `Tests/support/agenda_oracle.py` (python-dateutil, icalendar) on JSON or text.
enum AgendaOracle {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Tests/support/agenda_oracle.py").path

    struct Failure: Error, CustomStringConvertible { var description: String }

    static func run(_ command: String, input: Data) async throws -> Data {
        try await BlockingWork.run(name: "agenda-oracle") {
            let fm = FileManager.default
            let base = fm.temporaryDirectory.appendingPathComponent("agenda-oracle-\(UUID().uuidString)").path
            defer { for p in [base + ".in", base + ".out", base + ".err"] { try? fm.removeItem(atPath: p) } }
            guard fm.createFile(atPath: base + ".in", contents: input), fm.createFile(atPath: base + ".err", contents: nil) else {
                throw Failure(description: "cannot write \(base).in")
            }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", script, command, base + ".in", base + ".out"]
            process.standardError = FileHandle(forWritingAtPath: base + ".err")
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0, let out = fm.contents(atPath: base + ".out") else {
                throw Failure(description: "agenda_oracle.py \(command) exited \(process.terminationStatus): "
                              + String(decoding: fm.contents(atPath: base + ".err") ?? Data(), as: UTF8.self))
            }
            return out
        }
    }
}
