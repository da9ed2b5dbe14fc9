/// Why the plugin host refused to start.
public enum PluginHostError: Error, Sendable, Hashable, CustomStringConvertible {
    case duplicatePlugin(String)
    case unknownDependency(plugin: String, dependency: String)
    case dependencyCycle([String])
    case duplicateMethod(method: String, plugins: [String])
    case missingPolicy(method: String, plugin: String)
    case invalidAccessRule(method: String, reason: String)
    case missingCapability(plugin: String, capability: String)
    case duplicateCapability(plugin: String, capability: String)
    case badMigrationName(name: String, plugin: String)
    case migrationFailed(name: String, reason: String)
    case startFailed(plugin: String, reason: String)

    public var description: String {
        switch self {
        case .duplicatePlugin(let id): "two plugins have the id '\(id)'"
        case .unknownDependency(let p, let d): "plugin '\(p)' depends on unknown plugin '\(d)'"
        case .dependencyCycle(let ids): "plugin dependency cycle: \(ids.joined(separator: " → "))"
        case .duplicateMethod(let m, let ps): "method \(m) registered by \(ps.joined(separator: " and "))"
        case .missingPolicy(let m, let p): "method \(m) of plugin '\(p)' has no access policy: add `option (conton.rpc.v1.access) = { … };` to its rpc and run make protos"
        case .invalidAccessRule(let m, let r): "the access rule of \(m) is invalid: \(r)"
        case .missingCapability(let p, let c): "plugin '\(p)' needs \(c), which no plugin provides"
        case .duplicateCapability(let p, let c): "plugin '\(p)' provides \(c), which another plugin provides already"
        case .badMigrationName(let n, let p): "migration '\(n)' of plugin '\(p)' must be named '\(p).<n>_<what>'"
        case .migrationFailed(let n, let r): "migration \(n) failed: \(r)"
        case .startFailed(let p, let r): "plugin '\(p)' failed to start: \(r)"
        }
    }
}
