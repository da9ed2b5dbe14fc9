import ContonAPI
import ContonKit
import GRDB

/// A row of `identity_user`: a staff user or a client portal login.
struct UserRecord: Sendable, Hashable {
    var id: String
    var email: String
    var name: String
    var kind: String
    var role: StaffRole?
    var clientID: String?
    var passwordHash: String?
    var passwordChangeRequired: Bool
    var disabled: Bool
    var createdAt: Int64
    var activatedAt: Int64?
    var lastLoginAt: Int64?

    static let columns = "id, email, name, kind, role, client_id, password_hash, password_change_required, disabled, created_at_ms, activated_at_ms, last_login_at_ms"

    init(row: Row) {
        id = row["id"]
        email = row["email"]
        name = row["name"]
        kind = row["kind"]
        role = (row["role"] as String?).flatMap(StaffRole.init(rawValue:))
        clientID = row["client_id"]
        passwordHash = row["password_hash"]
        passwordChangeRequired = row["password_change_required"]
        disabled = row["disabled"]
        createdAt = row["created_at_ms"]
        activatedAt = row["activated_at_ms"]
        lastLoginAt = row["last_login_at_ms"]
    }

    static func find(id: String, in db: Database) throws -> UserRecord? {
        try Row.fetchOne(db, sql: "SELECT \(columns) FROM identity_user WHERE id = ?", arguments: [id]).map(UserRecord.init)
    }

    static func find(email: String, in db: Database) throws -> UserRecord? {
        try Row.fetchOne(db, sql: "SELECT \(columns) FROM identity_user WHERE email = ?", arguments: [email]).map(UserRecord.init)
    }

    /// The staff user `id` (nil for client logins and unknown ids).
    static func findStaff(id: String, in db: Database) throws -> UserRecord? {
        guard let user = try find(id: id, in: db), user.kind == "staff" else { return nil }
        return user
    }

    var isActivated: Bool { activatedAt != nil && passwordHash != nil }

    /// The principal this user signs in as.
    var principal: Principal {
        if kind == "client", let clientID {
            return .client(ClientIdentity(userID: id, email: email, name: name, clientID: clientID))
        }
        return .staff(StaffIdentity(userID: id, email: email, name: name, role: role ?? .staff))
    }

    var proto: Conton_Identity_V1_User {
        var user = Conton_Identity_V1_User()
        user.id = id
        user.email = email
        user.name = name
        user.role = role.map(RoleMapping.proto) ?? .unspecified
        user.disabled = disabled
        user.activated = isActivated
        user.createdAtMs = createdAt
        user.lastLoginAtMs = lastLoginAt ?? 0
        return user
    }
}

/// `StaffRole` ↔ the proto enum.
enum RoleMapping {
    static func proto(_ role: StaffRole) -> Conton_Identity_V1_Role {
        switch role {
        case .owner: .owner
        case .admin: .admin
        case .staff: .staff
        }
    }

    static func role(_ proto: Conton_Identity_V1_Role) -> StaffRole? {
        switch proto {
        case .owner: .owner
        case .admin: .admin
        case .staff: .staff
        default: nil
        }
    }
}

extension Principal {
    /// The wire form of a principal.
    var proto: Conton_Identity_V1_Principal {
        var p = Conton_Identity_V1_Principal()
        switch self {
        case .staff(let s):
            p.kind = .staff
            p.id = s.userID
            p.name = s.name
            p.email = s.email
            p.role = RoleMapping.proto(s.role)
        case .client(let c):
            p.kind = .client
            p.id = c.userID
            p.name = c.name
            p.email = c.email
            p.clientId = c.clientID
        case .service(let s):
            p.kind = .service
            p.id = s.accountID
            p.name = s.name
            p.scopes = s.scopes.sorted()
        case .anonymous, .certificate:
            p.kind = .unspecified
        }
        return p
    }
}
