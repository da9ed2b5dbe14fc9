import GRDB

/// The office's users as plugins see them — staff users to name a responsible person, an
/// assignee, an author; and the portal logins of a client, to tell them something (the
/// notifications plugin). The identity plugin provides it; reads run inside the caller's
/// transaction.
///
/// ```swift
/// public var requiredCapabilities: [any Any.Type] { [(any StaffDirectory).self] }
/// guard let user = try staff.staffUser(id: request.responsibleUserId, in: m.db), !user.disabled else { … }
/// ```
public protocol StaffDirectory: Sendable {
    /// Staff user `id`, or nil when there is none (client logins are not staff users).
    func staffUser(id: String, in db: Database) throws -> StaffSummary?
    /// Every staff user that is not disabled, in id order.
    func activeStaff(in db: Database) throws -> [StaffSummary]
    /// The portal logins of client `clientID` that are not disabled, in id order.
    func clientLogins(clientID: String, in db: Database) throws -> [PortalLogin]
    /// The portal login `id`, or nil when there is none (staff users are not portal logins).
    func portalLogin(id: String, in db: Database) throws -> PortalLogin?
}

/// A client's portal login, as other plugins see it.
public struct PortalLogin: Sendable, Hashable {
    public var id: String
    public var clientID: String
    public var name: String
    public var email: String
    public var disabled: Bool

    public init(id: String, clientID: String, name: String, email: String, disabled: Bool) {
        self.id = id
        self.clientID = clientID
        self.name = name
        self.email = email
        self.disabled = disabled
    }
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
