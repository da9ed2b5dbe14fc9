import ContonKit

/// Clientes (plugin id `clients`): the office's clients. Being built (issue 5).
public struct ClientsPlugin: Plugin {
    public init() {}

    public var id: String { "clients" }

    public func registerServices(_ services: inout ServiceRegistrar, context: PluginContext) {}
}
