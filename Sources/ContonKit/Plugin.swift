import GRDB
import GRPCCore

/// A feature module: one Swift type the composition root lists explicitly.
///
/// The host orders plugins by `dependencies`, runs every plugin's migrations, registers its
/// services (each method with an ``AccessPolicy``), wires its event subscriptions, then calls
/// `start`; at shutdown it calls `stop` in reverse order. See docs/PLUGINS.md.
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
    /// Called once migrations are applied and services registered.
    func start(context: PluginContext) async throws
    /// Called at shutdown, in reverse start order.
    func stop(context: PluginContext) async
}

extension Plugin {
    public var dependencies: [String] { [] }
    public var requiredCapabilities: [any Any.Type] { [] }
    public func provideCapabilities(_ capabilities: inout CapabilityRegistrar, context: PluginContext) {}
    public func registerServices(_ services: inout ServiceRegistrar, context: PluginContext) {}
    public func registerMigrations(_ migrations: inout PluginMigrations) {}
    public func registerSubscriptions(_ subscriptions: inout EventSubscriptions, context: PluginContext) {}
    public func start(context: PluginContext) async throws {}
    public func stop(context: PluginContext) async {}
}

/// A plugin's migrations; names must start with `<plugin id>.`.
public struct PluginMigrations {
    let pluginID: String
    var entries: [(name: String, migrate: @Sendable (Database) throws -> Void)] = []

    /// Registers one migration. `name` is `<id>.<n>_<what>`, e.g. `clients.1_create`.
    public mutating func register(_ name: String, migrate: @escaping @Sendable (Database) throws -> Void) {
        entries.append((name, migrate))
    }
}

/// Collects a plugin's services and the access policy of each of their methods.
public struct ServiceRegistrar {
    let pluginID: String
    var services: [any RegistrableRPCService] = []

    /// Registers a service. Who may call each of its methods comes from the rpc's
    /// `(conton.rpc.v1.access)` option in the proto; a method without one stops the server
    /// from starting.
    public mutating func register(_ service: any RegistrableRPCService) {
        services.append(service)
    }
}
