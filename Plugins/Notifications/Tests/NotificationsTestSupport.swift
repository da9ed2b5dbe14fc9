import ClientsPlugin
import ContonAPI
import ContonBrazil
import ContonKit
import ContonStore
import ContonTesting
import DocumentsPlugin
import FilesPlugin
import Foundation
import GRDB
import GRPCCore
import NotificationsPlugin
import OfficePlugin
import ProtocolsPlugin
import Testing

/// The notifications plugin in process with the plugins whose events it follows in these tests
/// (clients, files, protocols), on a test clock at 2026-12-01 noon in São Paulo, with two staff
/// users (`test-owner`, `test-staff`) in `identity_user` — the recipients the identity plugin's
/// directory returns — and a portal login per client made by ``client(_:n:)``.
struct NotificationsTest: Sendable {
    typealias Kind = Conton_Notifications_V1_NotificationKind

    let server: InProcessTestServer
    let clock: TestClock
    let api: Conton_Notifications_V1_Notifications.Client<InProcessTestTransport>
    let protocols: Conton_Protocols_V1_Protocols.Client<InProcessTestTransport>
    let files: Conton_Files_V1_Files.Client<InProcessTestTransport>
    let plugin: NotificationsPlugin
    let owner = InProcessTestServer.as(.owner)
    let staff = InProcessTestServer.as(.staff(role: .staff))

    static let start: Int64 = 1_796_137_200_000

    static func run<R: Sendable>(heartbeat: Duration = .seconds(15), _ body: (NotificationsTest) async throws -> R) async throws -> R {
        let clock = TestClock(start)
        let notifications = NotificationsPlugin(heartbeat: heartbeat, sweepAtStart: false)
        let plugins: [any Plugin] = [ClientsPlugin(), OfficePlugin(), DocumentsPlugin(), FilesPlugin(), ProtocolsPlugin(sweepAtStart: false), notifications]
        return try await withInProcessTestServer(plugins: plugins, clock: clock) { server in
            try await server.host.database.write { db in
                for (id, role) in [("test-owner", "owner"), ("test-staff", "staff")] {
                    try db.execute(sql: "INSERT INTO identity_user (id, email, name, kind, role, created_at_ms) VALUES (?, ?, ?, 'staff', ?, 0)",
                                   arguments: [id, "\(role)@test.example", "Test \(role)", role])
                }
            }
            return try await body(NotificationsTest(server: server, clock: clock, api: .init(wrapping: server.client),
                                                    protocols: .init(wrapping: server.client), files: .init(wrapping: server.client), plugin: notifications))
        }
    }

    /// A company client with the n-th test CNPJ and its portal login `test-client-<id>`.
    func client(_ name: String, n: Int) async throws -> String {
        var c = Conton_Clients_V1_CreateClientRequest()
        c.client.personType = .company
        c.client.name = name
        c.client.document = try CNPJ(base: "11444" + String(String(1_000_000 + n).suffix(3)) + "0001").value
        c.client.email = "cliente\(n)@example.com"
        let id = try await Conton_Clients_V1_Clients.Client(wrapping: server.client).createClient(c, metadata: owner).client.id
        try await server.host.database.write { db in
            try db.execute(sql: "INSERT INTO identity_user (id, email, name, kind, client_id, created_at_ms) VALUES (?, ?, ?, 'client', ?, 0)",
                           arguments: ["test-client-\(id)", "\(id)@client.example", "Cliente \(id)", id])
        }
        return id
    }

    static func client(_ id: String) -> Metadata { InProcessTestServer.as(.client(id)) }

    /// Delivers every pending event now (the background delivery may run at the same time: the
    /// plugin must make each notification once either way).
    func deliver() async throws { _ = try await server.host.events.deliverPending() }

    /// A file the office puts in `clientID`'s area (`file.uploaded`, office_to_client).
    @discardableResult
    func upload(_ name: String, to clientID: String, as who: Metadata? = nil) async throws -> Conton_Files_V1_File {
        let bytes = Array("%PDF-1.4 \(name)".utf8)
        var m = Conton_Files_V1_UploadMetadata()
        m.fileName = name
        m.size = Int64(bytes.count)
        m.clientId = clientID
        let head = m
        return try await files.upload(request: StreamingClientRequest(metadata: who ?? owner) { writer in
            var first = Conton_Files_V1_UploadRequest()
            first.metadata = head
            try await writer.write(first)
            var chunk = Conton_Files_V1_UploadRequest()
            chunk.chunk = bytes
            try await writer.write(chunk)
        }).file
    }

    /// Sends a one-item protocol (the DAS, due 2026-12-20) to `clientID`.
    func sendProtocol(to clientID: String) async throws -> Conton_Protocols_V1_Protocol {
        let types = try await protocols.listDocumentTypes(.init(), metadata: owner).documentTypes
        var item = Conton_Protocols_V1_ProtocolItem()
        item.documentTypeId = try #require(types.first { $0.name == "DAS" }).id
        item.dueDate = "2026-12-20"
        item.amountCents = 12_345
        item.competence = "2026-11"
        var r = Conton_Protocols_V1_CreateProtocolRequest()
        r.protocol.clientId = clientID
        r.protocol.items = [item]
        r.send = true
        return try await protocols.createProtocol(r, metadata: owner).protocol
    }

    func list(_ who: Metadata, kind: Kind = .unspecified, unreadOnly: Bool = false, includeResolved: Bool = false,
              pageSize: Int32 = 0, token: String = "") async throws -> Conton_Notifications_V1_ListNotificationsResponse {
        var r = Conton_Notifications_V1_ListNotificationsRequest()
        (r.kind, r.unreadOnly, r.includeResolved, r.pageSize, r.pageToken) = (kind, unreadOnly, includeResolved, pageSize, token)
        return try await api.listNotifications(r, metadata: who)
    }

    func counts(_ who: Metadata) async throws -> Conton_Notifications_V1_UnreadCounts {
        try await api.getUnreadCounts(.init(), metadata: who).counts
    }

    func count(_ sql: String, _ arguments: StatementArguments = []) async throws -> Int {
        try await server.host.database.read { db in try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0 }
    }

    var context: PluginContext { server.context(for: "notifications")! }

    static func subscribe(from cursor: String) -> Conton_Notifications_V1_SubscribeRequest {
        var r = Conton_Notifications_V1_SubscribeRequest()
        r.cursor = cursor
        return r
    }

    /// Waits until `n` streams are live (a condition, not a delay).
    func waitForSubscribers(_ n: Int) async throws {
        for _ in 0..<10_000 where plugin.liveSubscribers != n { try await Task.sleep(for: .milliseconds(5)) }
        try #require(plugin.liveSubscribers == n)
    }
}

extension Conton_Notifications_V1_UnreadCounts {
    /// The unread count of one kind.
    subscript(kind: Conton_Notifications_V1_NotificationKind) -> Int32 {
        kinds.first { $0.kind == kind }?.unread ?? -1
    }
}
