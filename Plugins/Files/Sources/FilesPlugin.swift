import ContonKit

/// Arquivos (plugin id `files`): documents both ways between the office and each client.
/// Being built (issue 7).
public struct FilesPlugin: Plugin {
    public init() {}

    public var id: String { "files" }

    public func registerServices(_ services: inout ServiceRegistrar, context: PluginContext) {}
}
