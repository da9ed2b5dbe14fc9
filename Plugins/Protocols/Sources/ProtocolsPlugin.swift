import AgendaCapability
import ClientsCapability
import ContonAPI
import ContonKit
import DocumentsCapability
import FilesCapability
import GRDB

/// Protocolos (plugin id `protocols`): documents the office delivers to its clients, the
/// client's view and acknowledgement, and an append-only, hash-chained evidence log of every
/// step (docs/PROTOCOLS.md). Staff prepare and send; a client login sees, opens and
/// acknowledges only its own.
///
/// It reads clients through ``ClientsCapability/ClientRegistry`` and attaches files through the
/// files plugin's ``FilesCapability/FileCatalog`` when that plugin runs.
public struct ProtocolsPlugin: Plugin {
    /// How often the reminder sweep runs.
    let sweepInterval: Duration
    /// Whether it also runs at start (tests that run it by hand turn this off).
    let sweepAtStart: Bool

    public init(sweepInterval: Duration = .seconds(3600), sweepAtStart: Bool = true) {
        self.sweepInterval = sweepInterval
        self.sweepAtStart = sweepAtStart
    }

    /// What one reminder sweep did.
    public struct SweepResult: Sendable, Equatable {
        public var dueSoon = 0
        public var overdue = 0

        public init(dueSoon: Int = 0, overdue: Int = 0) {
            (self.dueSoon, self.overdue) = (dueSoon, overdue)
        }
    }

    /// Runs the reminder sweep now (``ProtocolReminders``): safe any time and from several places.
    @discardableResult
    public static func sweep(context: PluginContext) async throws -> SweepResult {
        try await ProtocolReminders.sweep(context: context, clients: ClientDirectory(registry: try context.capabilities.clients))
    }

    public var id: String { "protocols" }
    public var requiredCapabilities: [any Any.Type] { [(any ClientRegistry).self] }

    public func registerMigrations(_ migrations: inout PluginMigrations) {
        ProtocolsSchema.register(&migrations)
    }

    public func registerServices(_ services: inout ServiceRegistrar, context: PluginContext) {
        let clients = ClientDirectory(registry: (try? context.capabilities.clients)!)
        services.register(ProtocolsService(context: context, clients: clients, files: context.capabilities.optional((any FileCatalog).self),
                                           obligations: context.capabilities.optional((any ObligationLedger).self)))
        services.run(PeriodicService(name: "protocols.reminders", interval: sweepInterval, runAtStart: sweepAtStart, onError: { error in
            context.logger.error("protocols reminder sweep failed; will retry", metadata: ["error": "\(error)"])
        }) {
            _ = try await ProtocolReminders.sweep(context: context, clients: clients)
        })
    }
}
