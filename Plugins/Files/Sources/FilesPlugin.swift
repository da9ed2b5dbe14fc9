import ClientsCapability
import ContonAPI
import FilesCapability
import ContonKit
import GRDB
import Synchronization

/// Arquivos (plugin id `files`): documents both ways between the office and each client,
/// streamed in and out, stored content-addressed and durably, verified on every download
/// (docs/FILES.md). Staff see every client's files; a client login sees and sends only its own.
public struct FilesPlugin: Plugin {
    public let settings: FilesSettings
    private let runtime = Runtime()

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
    }

    public func registerServices(_ services: inout ServiceRegistrar, context: PluginContext) {
        let storage = FilesStorage(context: context, settings: settings)
        runtime.state.withLock { $0.storage = storage }
        services.register(FilesService(storage: storage))
    }

    /// Cleans what an earlier run left (docs/FILES.md, "Cleaning"), then sweeps expired uploads
    /// every ``FilesSettings/sweepIntervalMilliseconds`` until ``stop(context:)``.
    public func start(context: PluginContext) async throws {
        guard let storage = runtime.state.withLock({ $0.storage }) else { return }
        try await storage.cleanUpAtStart()
        let interval = settings.sweepIntervalMilliseconds
        let sweeper = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(interval))
                if Task.isCancelled { break }
                storage.sweepUploads()
            }
        }
        runtime.state.withLock { $0.sweeper = sweeper }
    }

    public func stop(context: PluginContext) async {
        let sweeper = runtime.state.withLock { s -> Task<Void, Never>? in
            defer { s.sweeper = nil }
            return s.sweeper
        }
        sweeper?.cancel()
        await sweeper?.value
    }

    /// Removes the uploads that can no longer be resumed (expired and not being written) now,
    /// without waiting for the periodic sweep; returns how many. For operators and tests.
    @discardableResult
    public func sweepExpiredUploads() -> Int {
        runtime.state.withLock { $0.storage }?.sweepUploads() ?? 0
    }

    /// What start-up does (docs/FILES.md, "Cleaning"), on demand: only while no upload is in
    /// flight (tests).
    func cleanUpAtStart() async throws {
        try await runtime.state.withLock { $0.storage }?.cleanUpAtStart()
    }

    /// What the plugin creates once it is registered (the plugin value itself is copied around).
    private final class Runtime: Sendable {
        struct State {
            var storage: FilesStorage?
            var sweeper: Task<Void, Never>?
        }

        let state = Mutex(State())
    }
}

/// The files a client's area holds.
struct FilesHeld: ClientRecordHolder, ClientFileSummaries {
    func fileCount(of clientID: String, in db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM files_file WHERE client_id = ?", arguments: [clientID]) ?? 0
    }

    func records(of clientID: String, in db: Database) throws -> [ClientReference] {
        [ClientReference(plugin: "files", what: "files", count: try fileCount(of: clientID, in: db))]
    }
}
