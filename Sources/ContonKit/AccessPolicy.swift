/// Who may call a method. Every method a plugin registers declares one; the identity layer
/// enforces it before the handler runs.
public enum AccessPolicy: Sendable, Hashable {
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
}

/// Staff roles, least to most privileged.
public enum StaffRole: String, Sendable, Hashable, Comparable, CaseIterable {
    case staff, admin, owner

    private var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
}
