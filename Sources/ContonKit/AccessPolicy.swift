import ContonAPI

/// Who may call a method. Every method a plugin registers declares one; the identity layer's
/// interceptor enforces it before the handler runs (docs/SECURITY.md has the table).
public indirect enum AccessPolicy: Sendable, Hashable {
    /// Anyone, signed in or not (health, login).
    case `public`
    /// Office staff with at least this role.
    case staff(minimumRole: StaffRole = .staff)
    /// A client's portal login (scoped to its own client's records).
    case client
    /// Office staff (at least `minimumRole`) or a client principal.
    case staffOrClient(minimumRole: StaffRole = .staff)
    /// A service account holding this scope.
    case service(scope: String)
    /// Any signed-in principal: staff, client or service account (WhoAmI).
    case authenticated
    /// Any one of these (e.g. staff, or a billing service with scope `fees:write`).
    case anyOf([AccessPolicy])

    /// The outcome of checking a principal against a policy.
    public enum Decision: Sendable, Hashable {
        case allow
        /// No usable credentials: UNAUTHENTICATED.
        case unauthenticated
        /// Signed in, but not allowed: PERMISSION_DENIED with this reason.
        case denied(String)
    }

    /// Whether `principal` may call a method with this policy.
    public func decide(_ principal: Principal) -> Decision {
        switch self {
        case .public:
            return .allow
        case .staff(let minimum):
            if case .staff(let staff) = principal {
                return staff.role >= minimum ? .allow : .denied("requires the \(minimum.rawValue) role or higher")
            }
            return Self.refuse(principal, "office staff only")
        case .client:
            if case .client = principal { return .allow }
            return Self.refuse(principal, "client logins only")
        case .staffOrClient(let minimum):
            switch principal {
            case .client: return .allow
            case .staff(let staff):
                return staff.role >= minimum ? .allow : .denied("requires the \(minimum.rawValue) role or higher")
            default: return Self.refuse(principal, "office staff and client logins only")
            }
        case .service(let scope):
            if case .service(let service) = principal {
                return service.scopes.contains(scope) ? .allow : .denied("requires the service scope '\(scope)'")
            }
            return Self.refuse(principal, "service accounts with scope '\(scope)' only")
        case .authenticated:
            return Self.refuse(principal, "")
        case .anyOf(let policies):
            var reasons: [String] = []
            for policy in policies {
                switch policy.decide(principal) {
                case .allow: return .allow
                case .unauthenticated: return .unauthenticated
                case .denied(let reason): reasons.append(reason)
                }
            }
            return Self.refuse(principal, reasons.joined(separator: "; or "))
        }
    }

    /// Anonymous callers are unauthenticated; signed-in ones denied (or, for `.authenticated`
    /// with no reason, allowed).
    private static func refuse(_ principal: Principal, _ reason: String) -> Decision {
        switch principal {
        case .anonymous, .certificate: .unauthenticated
        default: reason.isEmpty ? .allow : .denied(reason)
        }
    }
}

/// Staff roles, least to most privileged.
public enum StaffRole: String, Sendable, Hashable, Comparable, CaseIterable {
    case staff, admin, owner

    private var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
}

extension AccessPolicy {
    /// The policy an rpc declares with `option (conton.rpc.v1.access) = { … }`.
    /// - Throws: ``PluginHostError/invalidAccessRule(method:reason:)`` when the rule sets no kind
    ///   or more than one (`any_of` combines several).
    public init(rule: Conton_Rpc_V1_AccessRule, method: String) throws(PluginHostError) {
        func role(_ r: Conton_Rpc_V1_AccessRule.Role) throws(PluginHostError) -> StaffRole {
            switch r {
            case .staff: return .staff
            case .admin: return .admin
            case .owner: return .owner
            default: throw .invalidAccessRule(method: method, reason: "unknown staff role \(r.rawValue)")
            }
        }
        var kinds: [AccessPolicy] = []
        if rule.public { kinds.append(.public) }
        if rule.staff != .unspecified { kinds.append(.staff(minimumRole: try role(rule.staff))) }
        if rule.client { kinds.append(.client) }
        if rule.staffOrClient != .unspecified { kinds.append(.staffOrClient(minimumRole: try role(rule.staffOrClient))) }
        if !rule.serviceScope.isEmpty { kinds.append(.service(scope: rule.serviceScope)) }
        if rule.authenticated { kinds.append(.authenticated) }
        if !rule.anyOf.isEmpty {
            var alternatives: [AccessPolicy] = []
            for sub in rule.anyOf { alternatives.append(try AccessPolicy(rule: sub, method: method)) }
            kinds.append(.anyOf(alternatives))
        }
        guard kinds.count == 1, let only = kinds.first else {
            throw .invalidAccessRule(method: method, reason: kinds.isEmpty ? "the rule names no kind of caller"
                                     : "the rule names \(kinds.count) kinds of caller; combine them with any_of")
        }
        self = only
    }

    /// The policy of `method` (a full method name) from the protos, nil when it declares none.
    public static func declared(for method: String) throws(PluginHostError) -> AccessPolicy? {
        guard let rule = ContonAccessRules.byMethod[method] else { return nil }
        return try AccessPolicy(rule: rule, method: method)
    }
}

extension AccessPolicy: CustomStringConvertible {
    /// Who may call, in words: "staff (admin or higher)", "staff or client, or service scope fees:read".
    public var description: String {
        switch self {
        case .public: "public"
        case .staff(let role): role == .staff ? "staff" : "staff (\(role.rawValue) or higher)"
        case .client: "client"
        case .staffOrClient(let role): role == .staff ? "staff or client" : "staff (\(role.rawValue) or higher) or client"
        case .service(let scope): "service scope \(scope)"
        case .authenticated: "any signed-in caller"
        case .anyOf(let policies): policies.map(\.description).joined(separator: ", or ")
        }
    }
}
