import GRDB

/// The office's staff users as plugins see them — to name a responsible person, an assignee, an
/// author. The identity plugin provides it; reads run inside the caller's transaction.
///
/// ```swift
/// public var requiredCapabilities: [any Any.Type] { [(any StaffDirectory).self] }
/// guard let user = try staff.staffUser(id: request.responsibleUserId, in: m.db), !user.disabled else { … }
/// ```
public protocol StaffDirectory: Sendable {
    /// Staff user `id`, or nil when there is none (client logins are not staff users).
    func staffUser(id: String, in db: Database) throws -> StaffSummary?
}

/// The few facts of a staff user other plugins need.
public struct StaffSummary: Sendable, Hashable {
    public var id: String
    public var name: String
    public var email: String
    public var role: StaffRole
    /// Disabled users keep their history but take no new work.
    public var disabled: Bool

    public init(id: String, name: String, email: String, role: StaffRole, disabled: Bool) {
        self.id = id
        self.name = name
        self.email = email
        self.role = role
        self.disabled = disabled
    }

    /// The name to show: the name, or the e-mail when there is none.
    public var displayName: String { name.isEmpty ? email : name }
}
