import AttendancesPlugin
import ClientsPlugin
import ContonAPI
import ContonBrazil
import ContonKit
import ContonTesting
import FilesPlugin
import Foundation
import GRDB
import GRPCCore
import OfficePlugin
import Testing

/// The attendances plugin in process with the clients and files plugins, on a test clock at
/// 2026-12-01 noon in São Paulo.
struct AttendancesTest: Sendable {
    typealias Attendance = Conton_Attendances_V1_Attendance

    let grpc: GRPCClient<InProcessTestTransport>
    let host: PluginHost
    let policies: [MethodDescriptor: AccessPolicy]
    let clock: TestClock
    let attendances: Conton_Attendances_V1_Attendances.Client<InProcessTestTransport>
    let owner: Metadata

    static let start: Int64 = 1_796_137_200_000
    static let minute: Int64 = 60_000

    static func run<R: Sendable>(_ body: (AttendancesTest) async throws -> R) async throws -> R {
        let clock = TestClock(start)
        return try await withInProcessTestServer(plugins: [ClientsPlugin(), OfficePlugin(), FilesPlugin(), AttendancesPlugin(sweepAtStart: false)],
                                                 clock: clock) { test in
            try await body(AttendancesTest(grpc: test.client, host: test.host, policies: test.policies, clock: clock,
                                           attendances: .init(wrapping: test.client), owner: InProcessTestServer.as(.owner)))
        }
    }

    static func client(_ id: String) -> Metadata { InProcessTestServer.as(.client(id)) }

    /// A company client with the n-th test CNPJ.
    func client(_ name: String, n: Int) async throws -> Conton_Clients_V1_Client {
        var c = Conton_Clients_V1_CreateClientRequest()
        c.client.personType = .company
        c.client.name = name
        c.client.document = try CNPJ(base: "22333" + String(String(1_000_000 + n).suffix(3)) + "0001").value
        c.client.email = "cliente\(n)@example.com"
        return try await Conton_Clients_V1_Clients.Client(wrapping: grpc).createClient(c, metadata: owner).client
    }

    /// A real staff user (the responsible person must be one).
    func staffUser(_ name: String) async throws -> Conton_Identity_V1_User {
        var r = Conton_Identity_V1_CreateUserRequest()
        r.email = name.folding(options: .diacriticInsensitive, locale: nil).lowercased().replacingOccurrences(of: " ", with: ".") + "@office.example"
        r.name = name
        r.role = .staff
        return try await Conton_Identity_V1_Users.Client(wrapping: grpc).createUser(r, metadata: owner).user
    }

    /// A small file in `clientID`'s area ("" for the office's own).
    func upload(_ name: String, clientID: String) async throws -> Conton_Files_V1_File {
        var m = Conton_Files_V1_UploadMetadata()
        m.fileName = name
        m.size = 9
        if clientID.isEmpty { m.officeArea = true } else { m.clientId = clientID }
        var head = Conton_Files_V1_UploadRequest()
        head.metadata = m
        var chunk = Conton_Files_V1_UploadRequest()
        chunk.chunk = Array("%PDF-1.4 ".utf8)
        let messages = [head, chunk]
        return try await Conton_Files_V1_Files.Client(wrapping: grpc).upload(request: StreamingClientRequest(metadata: owner) { writer in
            for message in messages { try await writer.write(message) }
        }).file
    }

    func open(_ clients: [String], subject: String = "Dúvida sobre o DAS", visible: Bool = true, responsible: String = "",
              deadline: String = "", department: Conton_Attendances_V1_Department = .fiscal, channel: Conton_Attendances_V1_Channel = .phone,
              first: String = "") async throws -> [Attendance] {
        var r = Conton_Attendances_V1_OpenAttendancesRequest()
        r.clientIds = clients
        r.attendance.subject = subject
        r.attendance.visibleToClient = visible
        r.attendance.responsibleUserId = responsible
        r.attendance.deadline = deadline
        r.attendance.department = department
        r.attendance.channel = channel
        r.firstMessage.text = first
        return try await attendances.openAttendances(r, metadata: owner).attendances
    }

    func get(_ id: String, as who: Metadata? = nil) async throws -> Conton_Attendances_V1_GetAttendanceResponse {
        var r = Conton_Attendances_V1_GetAttendanceRequest()
        r.attendanceId = id
        return try await attendances.getAttendance(r, metadata: who ?? owner)
    }

    func status(_ id: String, _ status: Conton_Attendances_V1_AttendanceStatus) async throws -> Attendance {
        var r = Conton_Attendances_V1_ChangeAttendanceStatusRequest()
        r.attendanceId = id
        r.status = status
        return try await attendances.changeAttendanceStatus(r, metadata: owner).attendance
    }

    @discardableResult
    func post(_ id: String, _ text: String, internal isInternal: Bool = false, minutes: Int32 = 0, files: [String] = [],
              as who: Metadata? = nil) async throws -> Conton_Attendances_V1_PostAttendanceMessageResponse {
        var r = Conton_Attendances_V1_PostAttendanceMessageRequest()
        r.attendanceId = id
        r.message.text = text
        r.message.internal = isInternal
        r.message.minutes = minutes
        r.message.attachmentFileIds = files
        return try await attendances.postAttendanceMessage(r, metadata: who ?? owner)
    }

    func messages(_ id: String, as who: Metadata? = nil, pageSize: Int32 = 0, token: String = "") async throws -> Conton_Attendances_V1_ListAttendanceMessagesResponse {
        var r = Conton_Attendances_V1_ListAttendanceMessagesRequest()
        r.attendanceId = id
        r.pageSize = pageSize
        r.pageToken = token
        return try await attendances.listAttendanceMessages(r, metadata: who ?? owner)
    }

    func list(as who: Metadata? = nil, _ configure: (inout Conton_Attendances_V1_ListAttendancesRequest) -> Void = { _ in }) async throws
        -> Conton_Attendances_V1_ListAttendancesResponse {
        var r = Conton_Attendances_V1_ListAttendancesRequest()
        configure(&r)
        return try await attendances.listAttendances(r, metadata: who ?? owner)
    }

    func advance(minutes: Int64) { clock.advance(milliseconds: minutes * Self.minute) }

    var attendancesContext: PluginContext {
        get throws {
            let plugin = try #require(host.plugins.first { $0.id == "attendances" })
            return host.context(for: plugin)
        }
    }

    func count(_ sql: String, _ arguments: StatementArguments = []) async throws -> Int {
        try await host.database.pool.read { db in try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0 }
    }
}
