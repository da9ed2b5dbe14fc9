import ClientsCapability
import ContonAPI
import ContonKit
import ContonServer
import ContonStore
import ContonTesting
import ContonTransport
import FilesPlugin
import Foundation
import GRDB
import GRPCCore
import Synchronization
import Testing

typealias UploadMetadata = Conton_Files_V1_UploadMetadata

let MiB = 1024 * 1024

/// The clients the test lookup knows: `client-a`, `client-b`, and an archived `client-old`.
/// (Stands in for the clients plugin, so these tests need no other plugin.)
struct FixedClients: ClientRegistry {
    func feeDefaults(_ ids: [String], in db: Database) throws -> [String: ClientFeeDefaults] { [:] }
    func obligationProfiles(_ id: String?, in db: Database) throws -> [ClientObligationProfile] { [] }
    func postalAddress(of id: String, in db: Database) throws -> ClientPostalAddress? { nil }
    func setMonthlyFee(of id: String, to cents: Int64, why: String, in m: inout Mutation) throws {
        throw ServiceError(.unimplemented, "the files tests' clients have no fees")
    }

    func clients(ids: [String], in db: Database) throws -> [String: ClientSummary] {
        var found: [String: ClientSummary] = [:]
        for id in ids { if let c = try client(id: id, in: db) { found[id] = c } }
        return found
    }

    func clients(documents: [String], in db: Database) throws -> [String: ClientSummary] {
        var found: [String: ClientSummary] = [:]
        for id in ["client-a", "client-b", "client-old"] {
            if let c = try client(id: id, in: db), documents.contains(c.document) { found[c.document] = c }
        }
        return found
    }

    func client(id: String, in db: Database) throws -> ClientSummary? {
        switch id {
        case "client-a": ClientSummary(id: id, name: "Padaria A", document: "11444777000161", email: "a@example.com", archived: false)
        case "client-b": ClientSummary(id: id, name: "Oficina B", document: "11222333000181", email: "b@example.com", archived: false)
        case "client-old": ClientSummary(id: id, name: "Antiga", document: "52998224725", email: "old@example.com", archived: true)
        default: nil
        }
    }
}

/// The events delivered to subscribers (after commit, through the outbox).
final class DeliveredEvents: Sendable {
    private let topics = Mutex<[String]>([])
    func append(_ topic: String) { topics.withLock { $0.append(topic) } }
    var all: [String] { topics.withLock { $0 } }
}

/// A test-only plugin: provides the client registry and records the files events it receives.
struct TestClientsPlugin: Plugin {
    let delivered = DeliveredEvents()
    var id: String { "testclients" }

    func provideCapabilities(_ capabilities: inout CapabilityRegistrar, context: PluginContext) {
        capabilities.provide((any ClientRegistry).self, FixedClients())
    }

    func registerSubscriptions(_ subscriptions: inout EventSubscriptions, context: PluginContext) {
        let delivered = self.delivered
        subscriptions.subscribe(to: FileUploaded.self) { event in delivered.append("\(FileUploaded.topic) \(event.fileID)") }
        subscriptions.subscribe(to: FileRead.self) { event in delivered.append("\(FileRead.topic) \(event.fileID)") }
    }
}

/// Deterministic content of any size, produced a chunk at a time (never held whole).
struct Content: Sendable {
    let size: Int64
    let seed: UInt64

    init(size: Int64, seed: UInt64 = 1) {
        self.size = size
        self.seed = seed
    }

    var chunkCount: Int { Int((size + Int64(MiB) - 1) / Int64(MiB)) }

    /// Chunk `index` (1 MiB, the last one shorter).
    func chunk(_ index: Int, size chunkSize: Int = MiB) -> [UInt8] {
        let start = Int64(index) * Int64(chunkSize)
        let count = Int(min(Int64(chunkSize), size - start))
        var out = [UInt8](repeating: 0, count: count)
        var state = seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15 | 1
        out.withUnsafeMutableBytes { raw in
            var i = 0
            while i + 8 <= count {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                raw.storeBytes(of: state, toByteOffset: i, as: UInt64.self)
                i += 8
            }
            while i < count { raw[i] = UInt8(truncatingIfNeeded: state >> (i % 8)); i += 1 }
        }
        return out
    }

    /// `length` bytes from `offset` (any position, not only chunk boundaries).
    func slice(from offset: Int64, length: Int = MiB) -> [UInt8] {
        var out: [UInt8] = []
        var position = offset
        let end = min(size, offset + Int64(length))
        while position < end {
            let index = Int(position / Int64(MiB))
            let chunk = self.chunk(index)
            let from = Int(position - Int64(index) * Int64(MiB))
            let take = min(chunk.count - from, Int(end - position))
            out += chunk[from..<(from + take)]
            position += Int64(take)
        }
        return out
    }

    var sha256: String {
        var hasher = BlobStore.Hasher()
        for i in 0..<chunkCount { chunk(i).withUnsafeBytes { hasher.update($0) } }
        return hasher.finalHex()
    }
}

/// A files test: the API, the owner's credentials, the plugin, the host, over either harness.
/// ``FilesTest`` (in process: no TLS, callers named per call) is the default; ``FilesTLSTest``
/// (``withTestServer``) is for what needs the real transport (large streams and their
/// backpressure, the message limit, a killed connection) or real sessions.
struct FilesHarness<Transport: ClientTransport>: Sendable {
    let grpc: GRPCClient<Transport>
    let api: Conton_Files_V1_Files.Client<Transport>
    let owner: Metadata
    /// The e-mail the owner's uploads are recorded under.
    let ownerEmail: String
    let plugin: FilesPlugin
    let host: PluginHost
    let dataDirectory: String
    /// The real server (nil in process).
    let server: TestServer?
    let clients: TestClientsPlugin
    let clock: TestClock
    let clientCredentials: @Sendable (String) async throws -> Metadata

    /// The real server of a ``FilesTLSTest``.
    var test: TestServer {
        guard let server else { preconditionFailure("this test needs the real server: FilesTLSTest.run") }
        return server
    }

    /// The files plugin's upload janitor, as the server runs it.
    var janitor: UploadJanitor {
        host.backgroundServices.compactMap { $0 as? UploadJanitor }.first!
    }

    /// A portal login of `clientID`: named in process, signed in through the real server.
    func client(_ clientID: String) async throws -> Metadata {
        try await clientCredentials(clientID)
    }

    var uploadsDirectory: String { dataDirectory + "/blobs/files/uploads" }
    var blobsDirectory: String { dataDirectory + "/blobs/files/sha256" }

    func blobPath(_ sha: String) -> String { "\(blobsDirectory)/\(sha.prefix(2))/\(sha)" }

    /// Files under the uploads directory (in-progress uploads).
    func uploadFiles() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: uploadsDirectory)) ?? []).sorted()
    }

    /// Every blob file in the files plugin's store.
    func blobFiles() -> [String] {
        let fm = FileManager.default
        return ((try? fm.subpathsOfDirectory(atPath: blobsDirectory)) ?? []).filter { $0.split(separator: "/").count == 2 }.sorted()
    }

    func count(_ sql: String, _ arguments: StatementArguments = []) async throws -> Int {
        try await host.database.pool.read { db in try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0 }
    }

    /// Uploads `content` in 1 MiB chunks with `metadata` (size and, unless `declareHash` is
    /// false, the SHA-256 filled in from the content) as `credentials`.
    func upload(_ content: Content, _ metadata: UploadMetadata, as credentials: Metadata? = nil,
                declareHash: Bool = true) async throws -> Conton_Files_V1_File {
        var metadata = metadata
        if metadata.size == 0 { metadata.size = content.size }
        if declareHash && metadata.sha256.isEmpty { metadata.sha256 = content.sha256 }
        let first = metadata
        return try await api.upload(request: StreamingClientRequest(metadata: credentials ?? owner) { writer in
            var head = Conton_Files_V1_UploadRequest()
            head.metadata = first
            try await writer.write(head)
            for i in 0..<content.chunkCount {
                var message = Conton_Files_V1_UploadRequest()
                message.chunk = content.chunk(i)
                try await writer.write(message)
            }
        }).file
    }

    /// Downloads a file from `offset`, hashing as it arrives: the metadata, the hash and the count
    /// of the bytes received.
    func download(_ fileID: String, offset: Int64 = 0, as credentials: Metadata? = nil) async throws
        -> (metadata: Conton_Files_V1_DownloadMetadata, sha256: String, bytes: Int64, messages: Int) {
        var request = Conton_Files_V1_DownloadRequest()
        request.fileId = fileID
        request.offset = offset
        return try await api.download(request: ClientRequest(message: request, metadata: credentials ?? owner)) { response in
            var hasher = BlobStore.Hasher()
            var metadata = Conton_Files_V1_DownloadMetadata()
            var bytes: Int64 = 0, messages = 0
            for try await message in response.messages {
                messages += 1
                switch message.data {
                case .metadata(let m)?: metadata = m
                case .chunk(let chunk)?:
                    #expect(chunk.count <= MiB)
                    chunk.withUnsafeBytes { hasher.update($0) }
                    bytes += Int64(chunk.count)
                case nil: break
                }
            }
            return (metadata, hasher.finalHex(), bytes, messages)
        }
    }

    func list(as credentials: Metadata? = nil, _ configure: (inout Conton_Files_V1_ListFilesRequest) -> Void = { _ in }) async throws -> [Conton_Files_V1_File] {
        var request = Conton_Files_V1_ListFilesRequest()
        configure(&request)
        return try await api.listFiles(request, metadata: credentials ?? owner).files
    }

    func uploadStatus(_ id: String, as credentials: Metadata? = nil) async throws -> Conton_Files_V1_GetUploadStatusResponse {
        var request = Conton_Files_V1_GetUploadStatusRequest()
        request.uploadId = id
        return try await api.getUploadStatus(request, metadata: credentials ?? owner)
    }

    /// Waits until `condition` holds (polling), up to `timeout`.
    func eventually(_ timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }
}

typealias FilesTest = FilesHarness<InProcessTestTransport>
typealias FilesTLSTest = FilesHarness<ContonClientTransport>

extension FilesHarness where Transport == InProcessTestTransport {
    /// In process, as the owner (``InProcessTestServer``).
    static func run<R: Sendable>(settings: FilesSettings = FilesSettings(), _ body: (FilesTest) async throws -> R) async throws -> R {
        let plugin = FilesPlugin(settings: settings), clients = TestClientsPlugin(), clock = TestClock()
        return try await withInProcessTestServer(plugins: [clients, plugin], clock: clock) { test in
            try await body(FilesTest(grpc: test.client, api: .init(wrapping: test.client), owner: InProcessTestServer.as(.owner),
                                     ownerEmail: TestPrincipal.owner.email!, plugin: plugin, host: test.host,
                                     dataDirectory: test.dataDirectory, server: nil, clients: clients, clock: clock,
                                     clientCredentials: { InProcessTestServer.as(.client($0)) }))
        }
    }
}

extension FilesHarness where Transport == ContonClientTransport {
    /// Through the real server (TLS on loopback), signed in as the owner.
    static func run<R: Sendable>(settings: FilesSettings = FilesSettings(), _ body: (FilesTLSTest) async throws -> R) async throws -> R {
        let plugin = FilesPlugin(settings: settings), clients = TestClientsPlugin(), clock = TestClock()
        return try await withTestServer(plugins: [clients, plugin], configure: { $0.clock = clock }) { test in
            let owner = TestServer.bearer(try await test.login())
            return try await body(FilesTLSTest(grpc: test.client, api: .init(wrapping: test.client), owner: owner,
                                               ownerEmail: TestServer.ownerEmail, plugin: plugin, host: test.server.host,
                                               dataDirectory: test.dataDirectory, server: test, clients: clients, clock: clock,
                                               clientCredentials: { clientID in
                                                   TestServer.bearer(try await test.clientLogin(clientID: clientID, email: "\(clientID)@portal.example.com"))
                                               }))
        }
    }
}

/// Metadata for a staff upload to `clientID`.
func staffUpload(_ clientID: String = "client-a", name: String = "balanco.pdf", folder: String = "") -> UploadMetadata {
    var m = UploadMetadata()
    m.clientId = clientID
    m.fileName = name
    m.folderId = folder
    return m
}

/// The RPC error code a call fails with (nil when it succeeds).
func code<T>(_ body: () async throws -> T) async -> RPCError.Code? {
    do {
        _ = try await body()
        return nil
    } catch let error as RPCError {
        return error.code
    } catch is CancellationError {
        return .cancelled
    } catch {
        Issue.record("not an RPCError: \(error)")
        return nil
    }
}
