import Synchronization

/// What plugins offer one another, keyed by the capability's protocol type.
///
/// A plugin that offers something declares it as a Swift protocol in a small target of its own
/// (`OfficeCapability`, `ClientsCapability`, …) and provides an implementation in
/// ``Plugin/provideCapabilities(_:context:)``; a consumer depends only on that small target,
/// names what it needs in ``Plugin/requiredCapabilities``, and looks it up through
/// ``PluginContext/capabilities``:
///
/// ```swift
/// // office plugin
/// public func provideCapabilities(_ capabilities: inout CapabilityRegistrar, context: PluginContext) {
///     capabilities.provide((any OfficeProfileSource).self, OfficeProfiles())
/// }
/// // fees plugin
/// public var requiredCapabilities: [any Any.Type] { [(any OfficeProfileSource).self] }
/// let office = try context.capabilities.require((any OfficeProfileSource).self)
/// ```
///
/// The host collects every plugin's capabilities (in dependency order) before it registers any
/// service, and refuses to start when a required one is missing
/// (``PluginHostError/missingCapability(plugin:capability:)``). A capability several plugins
/// contribute to (a client's records each plugin holds) is ``CapabilityRegistrar/contribute(_:_:)``
/// and read with ``all(_:)``.
public final class Capabilities: Sendable {
    private struct State {
        var single: [ObjectIdentifier: any Sendable] = [:]
        var many: [ObjectIdentifier: [any Sendable]] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// The one provider of `capability`.
    /// - Throws: ``CapabilityError/missing(_:)`` when no plugin provides it.
    public func require<C>(_ capability: C.Type) throws(CapabilityError) -> C {
        guard let value = optional(capability) else { throw .missing(String(describing: capability)) }
        return value
    }

    /// The one provider of `capability`, or nil when no plugin provides it.
    public func optional<C>(_ capability: C.Type) -> C? {
        state.withLock { $0.single[ObjectIdentifier(capability)] } as? C
    }

    /// Every contribution to `capability`, in plugin order.
    public func all<C>(_ capability: C.Type) -> [C] {
        (state.withLock { $0.many[ObjectIdentifier(capability)] } ?? []).compactMap { $0 as? C }
    }

    /// Whether some plugin provides or contributes to `capability`.
    public func has(_ capability: any Any.Type) -> Bool {
        let key = ObjectIdentifier(capability)
        return state.withLock { $0.single[key] != nil || $0.many[key] != nil }
    }

    func record(_ registrar: CapabilityRegistrar) throws(PluginHostError) {
        try state.withLock { (s: inout State) throws(PluginHostError) in
            for (key, entry) in registrar.single {
                if s.single[key] != nil { throw .duplicateCapability(plugin: registrar.pluginID, capability: entry.name) }
                s.single[key] = entry.value
            }
            for (key, values) in registrar.many { s.many[key, default: []] += values }
        }
    }
}

/// What one plugin offers, handed to ``Plugin/provideCapabilities(_:context:)``.
public struct CapabilityRegistrar {
    let pluginID: String
    var single: [ObjectIdentifier: (name: String, value: any Sendable)] = [:]
    var many: [ObjectIdentifier: [any Sendable]] = [:]

    init(pluginID: String) { self.pluginID = pluginID }

    /// Offers `value` as the one provider of `capability` (a second provider stops the server).
    public mutating func provide<C>(_ capability: C.Type, _ value: C) where C: Sendable {
        single[ObjectIdentifier(capability)] = (String(describing: capability), value)
    }

    /// Adds `value` to the contributions to `capability`, which several plugins may make.
    public mutating func contribute<C>(_ capability: C.Type, _ value: C) where C: Sendable {
        many[ObjectIdentifier(capability), default: []].append(value)
    }
}

/// A capability a plugin asked for is not there.
public enum CapabilityError: Error, Sendable, Hashable, CustomStringConvertible {
    case missing(String)

    public var description: String {
        switch self {
        case .missing(let name): "no plugin provides \(name)"
        }
    }
}
