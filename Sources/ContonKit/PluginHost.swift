import ContonMailQueue
import ContonStore
import GRDB
import GRPCCore
import Logging
import ServiceLifecycle
import Synchronization

/// Orders, migrates, registers and starts plugins; stops them in reverse.
///
/// Refuses to start (``PluginHostError``) on a duplicate plugin id, an unknown dependency, a
/// dependency cycle, a method registered twice, a method without an access policy, a migration
/// not named after its plugin, or a failed migration (nothing of it is applied); if a plugin's
/// `start` throws, the plugins already started are stopped, in reverse order.
public final class PluginHost: Sendable {
    public let plugins: [any Plugin]
    public let database: ContonDatabase
    public let events: EventBus
    /// The mail outbox's front door, shared by every plugin.
    public let mailer = Mailer()
    /// Every registered method's policy, once ``registerServices(on:)`` has run.
    public let policies = AccessPolicyTable()
    /// What plugins offer one another, collected before any service is registered.
    public let capabilities = Capabilities()
    /// The plugins' background services and start hooks, collected at registration.
    private let registered = Mutex<(background: [any Service], startHooks: [(plugin: String, hook: @Sendable () async throws -> Void)])>(([], []))
    public let clock: any Clock
    private let logger: Logger

    /// - Parameter plugins: the plugins, in any order (the host sorts them by dependency).
    public init(plugins: [any Plugin], database: ContonDatabase, clock: any Clock = SystemClock(), logger: Logger = Logger(label: "conton.plugins")) throws {
        self.plugins = try Self.order(plugins)
        self.database = database
        self.clock = clock
        self.logger = logger
        self.events = EventBus(database: database, clock: clock, logger: logger)
    }

    /// Dependency order (dependencies first; ties keep the given order).
    static func order(_ plugins: [any Plugin]) throws(PluginHostError) -> [any Plugin] {
        var byID: [String: any Plugin] = [:]
        for plugin in plugins {
            if byID[plugin.id] != nil { throw .duplicatePlugin(plugin.id) }
            byID[plugin.id] = plugin
        }
        for plugin in plugins {
            for dependency in plugin.dependencies where byID[dependency] == nil {
                throw .unknownDependency(plugin: plugin.id, dependency: dependency)
            }
        }
        var ordered: [any Plugin] = []
        var done = Set<String>()
        var visiting: [String] = []
        func visit(_ id: String) throws(PluginHostError) {
            if done.contains(id) { return }
            if let start = visiting.firstIndex(of: id) { throw .dependencyCycle(Array(visiting[start...]) + [id]) }
            visiting.append(id)
            for dependency in byID[id]!.dependencies { try visit(dependency) }
            visiting.removeLast()
            done.insert(id)
            ordered.append(byID[id]!)
        }
        for plugin in plugins { try visit(plugin.id) }
        return ordered
    }

    public func context(for plugin: any Plugin) -> PluginContext {
        PluginContext(pluginID: plugin.id, database: database, clock: clock, events: events, mailer: mailer,
                      policies: policies, capabilities: capabilities, logger: Logger(label: "conton.\(plugin.id)"))
    }

    /// Applies every plugin's migrations (and the host's own), in dependency order.
    public func migrate() throws(PluginHostError) {
        var migrator = DatabaseMigrator()
        Outbox.migrate(&migrator)
        AuditLog.migrate(&migrator)
        MailOutbox.registerMigrations(&migrator)
        for plugin in plugins {
            var migrations = PluginMigrations()
            plugin.registerMigrations(&migrations)
            for entry in migrations.entries {
                guard entry.name.hasPrefix(plugin.id + "."), entry.name.count > plugin.id.count + 1 else {
                    throw .badMigrationName(name: entry.name, plugin: plugin.id)
                }
                let name = entry.name, migrate = entry.migrate
                migrator.registerMigration(name) { db in
                    do { try migrate(db) } catch { throw FailedMigration(name: name, underlying: error) }
                }
            }
        }
        do {
            try migrator.migrate(database.pool)
        } catch let failed as FailedMigration {
            let reason = (failed.underlying as? DatabaseError).map { $0.message ?? "\($0)" } ?? "\(failed.underlying)"
            throw .migrationFailed(name: failed.name, reason: reason)
        } catch let error as DatabaseError {
            // The host's own migrations (outbox, audit, mail) are GRDB's; none should fail.
            throw .migrationFailed(name: "host", reason: error.message ?? "\(error)")
        } catch {
            throw .migrationFailed(name: "host", reason: "\(error)")
        }
    }

    /// A plugin migration's error, with its name.
    private struct FailedMigration: Error {
        let name: String
        let underlying: any Error
    }

    /// Every plugin's services registered on `router`, checking duplicates and policies.
    /// Returns the policy of every method.
    public func registerServices<T: ServerTransport>(on router: inout RPCRouter<T>) throws(PluginHostError) -> [MethodDescriptor: AccessPolicy] {
        var owner: [MethodDescriptor: String] = [:]
        for method in router.methods { owner[method] = "the server" }
        var policies: [MethodDescriptor: AccessPolicy] = [:]
        try collectCapabilities()
        for plugin in plugins {
            var registrar = ServiceRegistrar()
            plugin.registerServices(&registrar, context: context(for: plugin))
            var local = RPCRouter<T>()
            for service in registrar.services { service.registerMethods(with: &local) }
            for method in local.methods.sorted(by: { $0.fullyQualifiedMethod < $1.fullyQualifiedMethod }) {
                if let other = owner[method] {
                    throw .duplicateMethod(method: method.fullyQualifiedMethod, plugins: [other, plugin.id])
                }
                guard let policy = try AccessPolicy.declared(for: method.fullyQualifiedMethod) else {
                    throw .missingPolicy(method: method.fullyQualifiedMethod, plugin: plugin.id)
                }
                owner[method] = plugin.id
                policies[method] = policy
            }
            for service in registrar.services { service.registerMethods(with: &router) }
            let id = plugin.id
            registered.withLock {
                $0.background += registrar.background
                $0.startHooks += registrar.startHooks.map { (id, $0) }
            }
            var subscriptions = EventSubscriptions()
            plugin.registerSubscriptions(&subscriptions, context: context(for: plugin))
            events.add(subscriptions)
        }
        self.policies.record(policies)
        return policies
    }

    /// Every plugin's capabilities, in dependency order; then every plugin's requirements checked.
    private func collectCapabilities() throws(PluginHostError) {
        for plugin in plugins {
            var registrar = CapabilityRegistrar(pluginID: plugin.id)
            plugin.provideCapabilities(&registrar, context: context(for: plugin))
            try capabilities.record(registrar)
        }
        for plugin in plugins {
            for capability in plugin.requiredCapabilities where !capabilities.has(capability) {
                throw .missingCapability(plugin: plugin.id, capability: String(describing: capability))
            }
        }
    }

    /// Runs every plugin's start hooks, in plugin order; the first that fails stops the start.
    public func start() async throws(PluginHostError) {
        for (plugin, hook) in registered.withLock({ $0.startHooks }) {
            do {
                try await hook()
            } catch {
                throw .startFailed(plugin: plugin, reason: "\(error)")
            }
        }
    }

    /// What runs beside the server for its whole life, in its `ServiceGroup`: event delivery, then
    /// every plugin's background services (in plugin order; shut down in reverse).
    public var backgroundServices: [any Service] {
        [EventDeliveryService(events: events)] + registered.withLock { $0.background }
    }
}
