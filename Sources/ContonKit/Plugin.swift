import GRDB
import GRPCCore
import ServiceLifecycle

/// A feature module: one Swift type the composition root lists explicitly.
///
/// The host orders plugins by `dependencies`, runs every plugin's migrations, collects the
/// capabilities plugins offer one another, registers their services (each method with the
/// ``AccessPolicy`` its proto declares), their background services and start hooks, and wires
/// their event subscriptions. See docs/PLUGINS.md.
public protocol Plugin: Sendable {
    /// Short lower-case id (`clients`, `fees`): prefix of its tables and migrations.
    var id: String { get }
    /// Ids of plugins that must start before this one.
    var dependencies: [String] { get }
    /// The capabilities (protocol types, e.g. `(any OfficeProfileSource).self`) this plugin needs
    /// from others; the host refuses to start when one is missing.
    var requiredCapabilities: [any Any.Type] { get }
    /// Offers capabilities to other plugins (called for every plugin, in dependency order,
    /// before any service is registered).
    func provideCapabilities(_ capabilities: inout CapabilityRegistrar, context: PluginContext)
    /// Registers migrations named `<id>.<n>_<what>`, applied in registration order.
    func registerMigrations(_ migrations: inout PluginMigrations)
    /// Registers services, each method with its access policy.
    func registerServices(_ services: inout ServiceRegistrar, context: PluginContext)
    /// Subscribes to events of this and other plugins.
    func registerSubscriptions(_ subscriptions: inout EventSubscriptions, context: PluginContext)
}

extension Plugin {
    public var dependencies: [String] { [] }
    public var requiredCapabilities: [any Any.Type] { [] }
    public func provideCapabilities(_ capabilities: inout CapabilityRegistrar, context: PluginContext) {}
    public func registerServices(_ services: inout ServiceRegistrar, context: PluginContext) {}
    public func registerMigrations(_ migrations: inout PluginMigrations) {}
    public func registerSubscriptions(_ subscriptions: inout EventSubscriptions, context: PluginContext) {}
}

/// A plugin's migrations; names must start with `<plugin id>.`.
public struct PluginMigrations {
    var entries: [(name: String, migrate: @Sendable (Database) throws -> Void)] = []

    /// Registers one migration. `name` is `<id>.<n>_<what>`, e.g. `clients.1_create`.
    public mutating func register(_ name: String, migrate: @escaping @Sendable (Database) throws -> Void) {
        entries.append((name, migrate))
    }
}

/// Collects a plugin's RPC services, background services and start hooks.
public struct ServiceRegistrar {
    var services: [any RegistrableRPCService] = []
    var background: [any Service] = []
    var startHooks: [@Sendable () async throws -> Void] = []

    /// Registers an RPC service. Who may call each of its methods comes from the rpc's
    /// `(conton.rpc.v1.access)` option in the proto; a method without one stops the server
    /// from starting.
    public mutating func register(_ service: any RegistrableRPCService) {
        services.append(service)
    }

    /// Runs `service` (a sweep, a janitor: swift-service-lifecycle's `Service`) beside the server
    /// for its whole life, in the server's `ServiceGroup`: graceful shutdown reaches it the same
    /// way it reaches the server. See ``PeriodicService``.
    public mutating func run(_ service: any Service) {
        background.append(service)
    }

    /// Runs `hook` once at start-up, after every migration and registration and before the
    /// server accepts calls (e.g. cleaning what a crash left). A hook that throws stops the
    /// server from starting.
    public mutating func atStart(_ hook: @escaping @Sendable () async throws -> Void) {
        startHooks.append(hook)
    }
}
