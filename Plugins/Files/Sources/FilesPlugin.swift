import ClientsCapability
import ContonAPI
import FilesCapability
import ContonKit
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
        capabilities.contribute((any ClientRecordHolder).self, FilesHeld())
        capabilities.provide((any ClientFileSummaries).self, FilesHeld())
        capabilities.provide((any OfficeFileLookup).self, FilesHeld())
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
struct FilesHeld: ClientRecordHolder, ClientFileSummaries, OfficeFileLookup {
    func officeFile(_ id: String, in db: Database) throws -> Bool? {
        try String.fetchOne(db, sql: "SELECT client_id FROM files_file WHERE id = ?", arguments: [id]).map(\.isEmpty)
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
