import ClientsPlugin
import ContonAPI
import ContonBrazil
import ContonKit
import ContonTesting
import DocumentsCapability
import DocumentsPlugin
import FilesPlugin
import Foundation
import GRDB
import GRPCCore
import OfficePlugin
import ProtocolsPlugin
import Testing

/// The protocols plugin in process with the clients and files plugins, as the owner, on a test
/// clock at 2026-12-01 noon in São Paulo.
struct ProtocolsTest: Sendable {
    let grpc: GRPCClient<InProcessTestTransport>
    let host: PluginHost
    let policies: [MethodDescriptor: AccessPolicy]
    let clock: TestClock
    let protocols: Conton_Protocols_V1_Protocols.Client<InProcessTestTransport>
    let files: Conton_Files_V1_Files.Client<InProcessTestTransport>
    let owner: Metadata

    static let start: Int64 = 1_796_137_200_000

    static func run<R: Sendable>(_ body: (ProtocolsTest) async throws -> R) async throws -> R {
        let clock = TestClock(start)
        return try await withInProcessTestServer(plugins: [ClientsPlugin(), OfficePlugin(), DocumentsPlugin(), FilesPlugin(), ProtocolsPlugin(sweepAtStart: false)],
                                                 clock: clock) { test in
            try await body(ProtocolsTest(grpc: test.client, host: test.host, policies: test.policies, clock: clock,
                                         protocols: .init(wrapping: test.client), files: .init(wrapping: test.client),
                                         owner: InProcessTestServer.as(.owner)))
        }
    }

    /// A client principal's metadata, with a user agent.
    static func client(_ id: String) -> Metadata {
        var m = InProcessTestServer.as(.client(id))
        m.addString("conton-portal-test/1.0", forKey: "user-agent")
        return m
    }

    /// A company client with the n-th test CNPJ.
    func client(_ name: String, n: Int, email: String = "") async throws -> Conton_Clients_V1_Client {
        var c = Conton_Clients_V1_CreateClientRequest()
        c.client.personType = .company
        c.client.name = name
        c.client.document = try CNPJ(base: "11444" + String(String(1_000_000 + n).suffix(3)) + "0001").value
        c.client.email = email.isEmpty ? "cliente\(n)@example.com" : email
        return try await Conton_Clients_V1_Clients.Client(wrapping: grpc).createClient(c, metadata: owner).client
    }

    /// Uploads `name` (a small PDF) to `clientID`'s area, or to the office's own area when "".
    func upload(_ name: String, clientID: String = "", content: String = "%PDF-1.4 guia") async throws -> Conton_Files_V1_File {
        let bytes = Array(content.utf8)
        var m = Conton_Files_V1_UploadMetadata()
        m.fileName = name
        m.size = Int64(bytes.count)
        if clientID.isEmpty { m.officeArea = true } else { m.clientId = clientID }
        let first = m
        return try await files.upload(request: StreamingClientRequest(metadata: owner) { writer in
            var head = Conton_Files_V1_UploadRequest()
            head.metadata = first
            try await writer.write(head)
            var chunk = Conton_Files_V1_UploadRequest()
            chunk.chunk = bytes
            try await writer.write(chunk)
        }).file
    }

    /// The id of the catalogue's type `name`.
    func type(_ name: String) async throws -> String {
        let all = try await protocols.listDocumentTypes(.init(), metadata: owner).documentTypes
        return try #require(all.first { $0.name == name }).id
    }

    func item(_ typeID: String, due: String = "", amount: Int64 = 0, competence: String = "2026-11", file: String = "") -> Conton_Protocols_V1_ProtocolItem {
        var i = Conton_Protocols_V1_ProtocolItem()
        i.documentTypeId = typeID
        i.dueDate = due
        i.amountCents = amount
        i.competence = competence
        i.fileId = file
        return i
    }

    func create(_ clientID: String, _ items: [Conton_Protocols_V1_ProtocolItem], send: Bool = true, message: String = "") async throws -> Conton_Protocols_V1_Protocol {
        var r = Conton_Protocols_V1_CreateProtocolRequest()
        r.protocol.clientId = clientID
        r.protocol.items = items
        r.protocol.message = message
        r.send = send
        return try await protocols.createProtocol(r, metadata: owner).protocol
    }

    func get(_ id: String, as who: Metadata? = nil) async throws -> Conton_Protocols_V1_Protocol {
        var r = Conton_Protocols_V1_GetProtocolRequest()
        r.protocolId = id
        return try await protocols.getProtocol(r, metadata: who ?? owner).protocol
    }

    func evidence(_ id: String, as who: Metadata? = nil) async throws -> [Conton_Protocols_V1_EvidenceEntry] {
        var r = Conton_Protocols_V1_ListEvidenceRequest()
        r.protocolId = id
        return try await protocols.listEvidence(r, metadata: who ?? owner).entries
    }

    func verify(_ id: String, as who: Metadata? = nil) async throws -> Conton_Protocols_V1_VerifyEvidenceResponse {
        var r = Conton_Protocols_V1_VerifyEvidenceRequest()
        r.protocolId = id
        return try await protocols.verifyEvidence(r, metadata: who ?? owner)
    }

    func acknowledge(_ id: String, comment: String = "", as who: Metadata) async throws -> Conton_Protocols_V1_Protocol {
        var r = Conton_Protocols_V1_AcknowledgeProtocolRequest()
        r.protocolId = id
        r.comment = comment
        return try await protocols.acknowledgeProtocol(r, metadata: who).protocol
    }

    /// An item's file through the protocol: the header and the bytes (checked against it).
    func download(_ id: String, item: String, as who: Metadata? = nil) async throws -> (header: Conton_Documents_V1_DocumentHeader, bytes: [UInt8]) {
        var r = Conton_Protocols_V1_DownloadItemFileRequest()
        r.protocolId = id
        r.itemId = item
        return try await protocols.downloadItemFile(r, metadata: who ?? owner) { try await DocumentReceiver.collect($0.messages) }
    }

    /// The comprovante de entrega.
    func receipt(_ id: String, as who: Metadata? = nil) async throws -> (header: Conton_Documents_V1_DocumentHeader, bytes: [UInt8]) {
        var r = Conton_Protocols_V1_PrintProtocolReceiptRequest()
        r.protocolId = id
        return try await protocols.printProtocolReceipt(r, metadata: who ?? owner) { try await DocumentReceiver.collect($0.messages) }
    }

    /// The protocols plugin's context (to run the reminder sweep by hand).
    var protocolsContext: PluginContext {
        get throws {
            let plugin = try #require(host.plugins.first { $0.id == "protocols" })
            return host.context(for: plugin)
        }
    }

    /// Moves the clock `days` days on.
    func advance(days: Int) { clock.advance(milliseconds: Int64(days) * 86_400_000) }

    func count(_ sql: String, _ arguments: StatementArguments = []) async throws -> Int {
        try await host.database.pool.read { db in try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0 }
    }
}
