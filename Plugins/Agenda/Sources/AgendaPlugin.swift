import AgendaCapability
import ClientsCapability
import ContonAPI
import ContonKit
import GRDB

/// Agenda (plugin id `agenda`): the office's and its clients' events with recurrence and
/// exceptions, business days and holidays, the obligations calendar and a private iCalendar feed
/// (docs/AGENDA.md).
///
/// It provides ``AgendaCapability/BusinessCalendar`` to other plugins, reads clients through
/// ``ClientsCapability/ClientRegistry`` and staff users through `StaffDirectory` when the
/// identity module provides it.
public struct AgendaPlugin: Plugin {
    /// The office's time zone (IANA identifier).
    let timeZone: String
    /// How often the reminder sweep runs.
    let sweepInterval: Duration
    let sweepAtStart: Bool

    public init(timeZone: String = "America/Sao_Paulo", sweepInterval: Duration = .seconds(60), sweepAtStart: Bool = true) {
        self.timeZone = timeZone
        self.sweepInterval = sweepInterval
        self.sweepAtStart = sweepAtStart
    }

    public var id: String { "agenda" }
    public var requiredCapabilities: [any Any.Type] { [(any ClientRegistry).self] }

    /// Runs the reminder sweep now; returns how many reminders it sent.
    @discardableResult
    public static func sweepReminders(context: PluginContext, timeZone: String = "America/Sao_Paulo") async throws -> Int {
        try await AgendaReminders.sweep(context: context, zone: OfficeZone(identifier: timeZone))
    }

    public func registerMigrations(_ migrations: inout PluginMigrations) {
        AgendaSchema.register(&migrations)
    }

    public func provideCapabilities(_ capabilities: inout CapabilityRegistrar, context: PluginContext) {
        capabilities.provide((any BusinessCalendar).self, OfficeCalendar())
        capabilities.provide((any ObligationLedger).self, AgendaObligationLedger())
    }

    public func registerServices(_ services: inout ServiceRegistrar, context: PluginContext) {
        let clients = (try? context.capabilities.clients)!
        let zone = OfficeZone(identifier: timeZone)
        services.register(AgendaService(context: context, clients: clients, staff: context.capabilities.optional((any StaffDirectory).self),
                                        zone: zone, zoneID: timeZone))
        services.run(PeriodicService(name: "agenda.reminders", interval: sweepInterval, runAtStart: sweepAtStart, onError: { error in
            context.logger.error("agenda reminder sweep failed; will retry", metadata: ["error": "\(error)"])
        }) {
            _ = try await AgendaReminders.sweep(context: context, zone: zone)
        })
    }
}
