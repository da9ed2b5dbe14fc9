import ClientsCapability
import ContonAPI
import FilesCapability
import ContonKit
import ContonStore
import GRDB
import ServiceLifecycle
import Synchronization

/// Arquivos (plugin id `files`): documents both ways between the office and each client,
/// streamed in and out, stored content-addressed and durably, verified on every download
/// (docs/FILES.md). Staff see every client's files; a client login sees and sends only its own.
public struct FilesPlugin: Plugin {
    public let settings: FilesSettings

    public init(settings: FilesSettings = FilesSettings()) {
        self.settings = settings
    }

    public var id: String { "files" }
    public var requiredCapabilities: [any Any.Type] { [(any ClientRegistry).self] }

    public func registerMigrations(_ migrations: inout PluginMigrations) {
        FileRecord.migrate(&migrations)
    }

    /// A client cannot be deleted while it still has files; the ficha shows how many.
    public func provideCapabilities(_ capabilities: inout CapabilityRegistrar, context: PluginContext) {
        let held = FilesHeld(blobs: FilesStorage.blobStore(context))
        capabilities.contribute((any ClientRecordHolder).self, held)
        capabilities.provide((any ClientFileSummaries).self, held)
        capabilities.provide((any OfficeFileLookup).self, held)
        capabilities.provide((any FileCatalog).self, held)
    }

    public func registerServices(_ services: inout ServiceRegistrar, context: PluginContext) {
        let storage = FilesStorage(context: context, settings: settings)
        // Start-up cleans what an earlier run left (docs/FILES.md, "Cleaning"); the janitor then
        // removes uploads that can no longer be resumed.
        services.atStart { try await storage.cleanUpAtStart() }
        services.run(UploadJanitor(storage: storage, interval: .milliseconds(settings.sweepIntervalMilliseconds)))
        services.register(FilesService(storage: storage))
    }
}

/// The files a client's area holds.
struct FilesHeld: ClientRecordHolder, ClientFileSummaries, OfficeFileLookup, FileCatalog {
    let blobs: BlobStore

    func file(_ id: String, in db: Database) throws -> FileFacts? {
        try files([id], in: db)[id]
    }

    func files(_ ids: [String], in db: Database) throws -> [String: FileFacts] {
        var out: [String: FileFacts] = [:]
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = Array(ids[start..<min(start + 500, ids.count)])
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            for row in try Row.fetchAll(db, sql: "SELECT id, client_id, file_name, size, sha256, content_type FROM files_file WHERE id IN (\(marks))",
                                        arguments: StatementArguments(chunk)) {
                out[row["id"]] = FileFacts(id: row["id"], clientID: row["client_id"], fileName: row["file_name"], size: row["size"],
                                           sha256: row["sha256"], contentType: row["content_type"])
            }
        }
        return out
    }

    func deliver(_ id: String, to clientID: String, in db: Database) throws {
        try db.cachedStatement(sql: "UPDATE files_file SET client_id = ? WHERE id = ? AND client_id = ''").execute(arguments: [clientID, id])
    }

    func readContent(of file: FileFacts, chunkBytes: Int, _ body: ([UInt8]) async throws -> Void) async throws {
        let blobs = self.blobs
        func damaged(_ why: Any) -> ServiceError {
            ServiceError(.dataLoss, "the stored content of file \(file.id) is missing or damaged (\(why)); discard what was received")
        }
        let reader: Handoff<BlobStore.Reader>
        do {
            reader = try await BlockingWork.run(name: "conton-files-io") { Handoff(try BlobStore.Reader(store: blobs, sha256: file.sha256)) }
        } catch {
            throw damaged(error)
        }
        guard reader.value.size == file.size else { throw damaged("\(reader.value.size) bytes stored, \(file.size) expected") }
        while true {
            try Task.checkCancellation()
            let bytes: [UInt8]
            do { bytes = try reader.value.read(upTo: chunkBytes) } catch { throw damaged(error) }
            if bytes.isEmpty { break }
            try await body(bytes)
        }
        do { try reader.value.verify() } catch { throw damaged(error) }
    }

    func officeFile(_ id: String, in db: Database) throws -> Bool? {
        try file(id, in: db).map(\.clientID.isEmpty)
    }

    func fileCount(of clientID: String, in db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM files_file WHERE client_id = ?", arguments: [clientID]) ?? 0
    }

    func records(of clientID: String, in db: Database) throws -> [ClientReference] {
        [ClientReference(plugin: "files", what: "files", count: try fileCount(of: clientID, in: db))]
    }
}

/// Removes the uploads that can no longer be resumed (expired and not being written), every
/// ``FilesSettings/sweepIntervalMilliseconds``, in the server's ServiceGroup.
public struct UploadJanitor: Service {
    let storage: FilesStorage
    let interval: Duration

    public func run() async throws {
        try await PeriodicService(name: "files.upload-janitor", interval: interval, runAtStart: false) { _ = sweepNow() }.run()
    }

    /// Sweeps now, without waiting for the next run; returns how many uploads it removed. For
    /// operators and tests.
    @discardableResult
    public func sweepNow() -> Int { storage.sweepUploads() }

    /// What start-up does (docs/FILES.md, "Cleaning"), on demand: only while no upload is in
    /// flight (tests).
    public func cleanUpNow() async throws { try await storage.cleanUpAtStart() }
}
