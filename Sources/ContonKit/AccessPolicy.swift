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
