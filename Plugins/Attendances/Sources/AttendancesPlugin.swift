import AttendancesCapability
import ClientsCapability
import ContonAPI
import ContonKit
import ContonThreads
import FilesCapability
import GRDB

/// Atendimentos (plugin id `attendances`): the office's record of serving a client, with its
/// thread of messages and internal notes (``ContonThreads/MessageThreads``), a responsible staff
/// user with history, a deadline and a service-level clock that pauses while the office waits
/// for the client (docs/ATTENDANCES.md). A client login sees and answers only its own attendances
/// the office made visible.
///
/// It reads clients through ``ClientsCapability/ClientRegistry``, staff users through
/// ``ContonKit/StaffDirectory`` and attaches files through the files plugin's
/// ``FilesCapability/FileCatalog`` when that plugin runs.
public struct AttendancesPlugin: Plugin {
    /// How often the overdue sweep runs.
    let sweepInterval: Duration
    /// Whether it also runs at start (tests that run it by hand turn this off).
    let sweepAtStart: Bool

    static let threads = MessageThreads(prefix: "attendances")

    public init(sweepInterval: Duration = .seconds(3600), sweepAtStart: Bool = true) {
        self.sweepInterval = sweepInterval
        self.sweepAtStart = sweepAtStart
    }

    /// Runs the overdue sweep now; returns how many attendances turned overdue.
    @discardableResult
    public static func sweep(context: PluginContext) async throws -> Int {
        try await AttendanceOverdueSweep.sweep(context: context)
    }

    public var id: String { "attendances" }
    public var requiredCapabilities: [any Any.Type] { [(any ClientRegistry).self, (any StaffDirectory).self] }

    /// Other plugins open attendances through ``AttendancesCapability/AttendanceOpener``.
    public func provideCapabilities(_ capabilities: inout CapabilityRegistrar, context: PluginContext) {
        capabilities.provide((any AttendanceOpener).self, AttendancesOpener(context: context))
    }

    public func registerMigrations(_ migrations: inout PluginMigrations) {
        AttendancesSchema.register(&migrations, threads: Self.threads)
    }

    public func registerServices(_ services: inout ServiceRegistrar, context: PluginContext) {
        let clients = (try? context.capabilities.clients)!
        let staff = (try? context.capabilities.require((any StaffDirectory).self))!
        services.register(AttendancesService(context: context, clients: clients, staff: staff,
                                             files: context.capabilities.optional((any FileCatalog).self), threads: Self.threads))
        services.run(PeriodicService(name: "attendances.overdue", interval: sweepInterval, runAtStart: sweepAtStart, onError: { error in
            context.logger.error("attendances overdue sweep failed; will retry", metadata: ["error": "\(error)"])
        }) {
            _ = try await AttendanceOverdueSweep.sweep(context: context)
        })
    }
}
