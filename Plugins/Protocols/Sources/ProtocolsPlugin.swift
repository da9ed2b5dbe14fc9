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
    public init() {}

    public var id: String { "protocols" }
    public var requiredCapabilities: [any Any.Type] { [(any ClientRegistry).self] }

    public func registerMigrations(_ migrations: inout PluginMigrations) {
        ProtocolsSchema.register(&migrations)
    }

    public func registerServices(_ services: inout ServiceRegistrar, context: PluginContext) {
        let clients = RegistryDirectory(registry: (try? context.capabilities.clients)!)
        services.register(ProtocolsService(context: context, clients: clients, files: context.capabilities.optional((any FileCatalog).self)))
    }
}
