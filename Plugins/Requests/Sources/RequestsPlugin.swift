import AttendancesCapability
import ClientsCapability
import ContonAPI
import ContonKit
import ContonThreads
import FilesCapability
import GRDB

/// Solicitações (plugin id `requests`): what a client asks of the office from its own area, and
/// the documents the office asks of the client — a checklist answered item by item with files or
/// "nada a enviar", reminded by e-mail until done — each with a message thread
/// (``ContonThreads/MessageThreads``) (docs/REQUESTS.md).
public struct RequestsPlugin: Plugin {
    /// How often the reminder sweep runs.
    let sweepInterval: Duration
    /// Whether it also runs at start (tests that run it by hand turn this off).
    let sweepAtStart: Bool

    static let threads = MessageThreads(prefix: "requests")

    public init(sweepInterval: Duration = .seconds(3600), sweepAtStart: Bool = true) {
        self.sweepInterval = sweepInterval
        self.sweepAtStart = sweepAtStart
    }

    /// Runs the reminder sweep now; returns how many requests were reminded.
    @discardableResult
    public static func sweep(context: PluginContext) async throws -> Int {
        try await RequestReminders.sweep(context: context, clients: try context.capabilities.clients)
    }

    public var id: String { "requests" }
    public var requiredCapabilities: [any Any.Type] { [(any ClientRegistry).self] }

    public func registerMigrations(_ migrations: inout PluginMigrations) {
        RequestsSchema.register(&migrations, threads: Self.threads)
    }

    public func registerServices(_ services: inout ServiceRegistrar, context: PluginContext) {
        let clients = (try? context.capabilities.clients)!
        services.register(RequestsService(context: context, clients: clients, files: context.capabilities.optional((any FileCatalog).self),
                                          threads: Self.threads, attendances: context.capabilities.optional((any AttendanceOpener).self)))
        services.run(PeriodicService(name: "requests.reminders", interval: sweepInterval, runAtStart: sweepAtStart, onError: { error in
            context.logger.error("requests reminder sweep failed; will retry", metadata: ["error": "\(error)"])
        }) {
            _ = try await RequestReminders.sweep(context: context, clients: clients)
        })
    }
}
