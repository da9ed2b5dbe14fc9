import GRPCCore
import Synchronization

/// Every registered method's access policy, filled once by the host when the services are
/// registered; plugins read it through ``PluginContext/policies`` (the service-accounts service
/// refuses scopes that no method asks for).
public final class AccessPolicyTable: Sendable {
    private let table = Mutex<[MethodDescriptor: AccessPolicy]>([:])

    public init() {}

    /// The policy of each method.
    public var all: [MethodDescriptor: AccessPolicy] { table.withLock { $0 } }

    /// Every service-account scope some method accepts, e.g. `fees:read`.
    public var serviceScopes: Set<String> {
        table.withLock { $0.values.reduce(into: Set<String>()) { $0.formUnion($1.serviceScopes) } }
    }

    /// Adds `policies` (the host calls this once per registration).
    public func record(_ policies: [MethodDescriptor: AccessPolicy]) {
        table.withLock { $0.merge(policies) { _, new in new } }
    }
}

extension AccessPolicy {
    /// The service-account scopes this policy accepts.
    public var serviceScopes: Set<String> {
        switch self {
        case .service(let scope): [scope]
        case .anyOf(let policies): policies.reduce(into: Set<String>()) { $0.formUnion($1.serviceScopes) }
        default: []
        }
    }
}
