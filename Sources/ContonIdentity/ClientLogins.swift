import ContonKit
import Foundation
import GRDB
import GRPCCore

/// The API the identity layer offers feature plugins for client portal logins: create, disable
/// and re-invite an account bound to one client id. Every call runs inside the caller's
/// ``Mutation`` (one request, one transaction) and queues the invitation e-mail there.
public struct ClientLogins: Sendable {
    /// A client portal login.
    public struct Login: Sendable, Hashable {
        public var userID: String
        public var clientID: String
        public var email: String
        public var name: String
        public var activated: Bool
        public var disabled: Bool
        public var lastLoginAt: Int64?
        /// Signs in with a password staff chose and must change it first.
        public var passwordChangeRequired: Bool
    }

    let settings: IdentitySettings

    public init(settings: IdentitySettings = IdentitySettings()) {
        self.settings = settings
    }

    /// Creates a login for `clientID`. Throws INVALID_ARGUMENT for a bad e-mail or name (field
    /// `email`/`name`), ALREADY_EXISTS when the e-mail already signs in somewhere.
    ///
    /// - Parameters:
    ///   - initialPasswordHash: a hash from ``PasswordHasher`` of a password staff chose; the
    ///     client can sign in with it but must change it first. Nil: no password until the
    ///     client redeems an activation code.
    ///   - invite: queue the activation e-mail (a single-use code, never a password).
    @discardableResult
    public func create(clientID: String, email rawEmail: String, name rawName: String,
                       initialPasswordHash: String? = nil, invite: Bool = true, in m: inout Mutation) throws -> Login {
        var errors = FieldErrors()
        let email = IdentityValidation.email(rawEmail, field: "email", into: &errors)
        let name = IdentityValidation.name(rawName)
        if name == nil { errors.add("name", "must have 1 to 200 characters") }
        if clientID.isEmpty { errors.add("client_id", "is required") }
        try errors.check()
        guard let email, let name else { throw errors.error }
        if try UserRecord.find(email: email, in: m.db) != nil {
            throw ServiceError(.alreadyExists, "a login with e-mail \(email) already exists", reason: "EMAIL_TAKEN")
        }
        let id = UUID().uuidString.lowercased()
        try m.db.execute(sql: """
            INSERT INTO identity_user (id, email, name, kind, client_id, password_hash, password_change_required, created_at_ms, password_changed_at_ms)
            VALUES (?, ?, ?, 'client', ?, ?, ?, ?, ?)
            """, arguments: [id, email, name, clientID, initialPasswordHash, initialPasswordHash != nil, m.now,
                             initialPasswordHash != nil ? m.now : nil])
        if invite { try self.invite(userID: id, email: email, name: name, in: &m) }
        let how = [initialPasswordHash != nil ? "initial password set" : nil, invite ? "invitation queued" : nil].compactMap { $0 }
        m.audit("client_login", id, "created portal login for client \(clientID)" + (how.isEmpty ? "" : "; " + how.joined(separator: ", ")))
        return try login(userID: id, in: m.db)!
    }

    /// What is wrong with `password` as a password of the login `email` (nil: nothing).
    public static func passwordProblem(_ password: String, email: String) -> String? {
        IdentityValidation.passwordProblem(password, email: email.lowercased())
    }

    /// Checks a password staff chose for a client (the same rules as any password) and hashes it
    /// for ``create(clientID:email:name:initialPasswordHash:invite:in:)``. Hash outside the
    /// transaction: it costs tens of milliseconds on purpose.
    /// - Throws: INVALID_ARGUMENT on `field`.
    public func hashInitialPassword(_ password: String, email: String, field: String = "initial_password") async throws -> String {
        if let problem = IdentityValidation.passwordProblem(password, email: email.lowercased()) {
            throw FieldErrors.single(field, problem)
        }
        return await settings.hasher.hash(password)
    }

    /// Deletes every login of `clientID` with its sessions and codes (the client's personal data
    /// goes with it); returns how many logins.
    @discardableResult
    public func delete(clientID: String, in m: inout Mutation) throws -> Int {
        let ids = try String.fetchAll(m.db, sql: "SELECT id FROM identity_user WHERE kind = 'client' AND client_id = ?", arguments: [clientID])
        for id in ids {
            try Sessions.revokeAll(userID: id, now: m.now, in: m.db)
            try m.db.execute(sql: "DELETE FROM identity_user WHERE id = ?", arguments: [id])
            m.audit("client_login", id, "deleted portal login of client \(clientID)")
        }
        return ids.count
    }

    /// Disables every login of `clientID` and revokes their sessions; returns how many logins.
    @discardableResult
    public func disable(clientID: String, in m: inout Mutation) throws -> Int {
        let ids = try String.fetchAll(m.db, sql: "SELECT id FROM identity_user WHERE kind = 'client' AND client_id = ? AND disabled = 0", arguments: [clientID])
        for id in ids {
            try m.db.execute(sql: "UPDATE identity_user SET disabled = 1 WHERE id = ?", arguments: [id])
            try Sessions.revokeAll(userID: id, now: m.now, in: m.db)
            m.audit("client_login", id, "disabled portal login of client \(clientID)")
        }
        return ids.count
    }

    /// Re-enables the logins of `clientID` (they sign in with their existing passwords).
    @discardableResult
    public func enable(clientID: String, in m: inout Mutation) throws -> Int {
        let ids = try String.fetchAll(m.db, sql: "SELECT id FROM identity_user WHERE kind = 'client' AND client_id = ? AND disabled = 1", arguments: [clientID])
        for id in ids {
            try m.db.execute(sql: "UPDATE identity_user SET disabled = 0 WHERE id = ?", arguments: [id])
            m.audit("client_login", id, "enabled portal login of client \(clientID)")
        }
        return ids.count
    }

    /// A fresh activation code for a login of `clientID` that has not been activated yet (older
    /// codes stop working). NOT_FOUND if the login is not the client's; FAILED_PRECONDITION if it
    /// is already active (use password reset) or disabled.
    public func reinvite(userID: String, clientID: String, in m: inout Mutation) throws {
        guard let login = try login(userID: userID, in: m.db), login.clientID == clientID else {
            throw ServiceError(.notFound, "portal login not found")
        }
        guard !login.activated else { throw ServiceError(.failedPrecondition, "\(login.email) already activated the account; use password reset", reason: "ALREADY_ACTIVATED") }
        guard !login.disabled else { throw ServiceError(.failedPrecondition, "\(login.email) is disabled", reason: "USER_DISABLED") }
        try invite(userID: userID, email: login.email, name: login.name, in: &m)
        m.audit("client_login", userID, "invitation re-sent to \(login.email)")
    }

    /// The logins of `clientID`, by e-mail.
    public func logins(of clientID: String, in db: Database) throws -> [Login] {
        try Row.fetchAll(db, sql: "SELECT \(UserRecord.columns) FROM identity_user WHERE kind = 'client' AND client_id = ? ORDER BY email",
                         arguments: [clientID]).map { Self.login(UserRecord(row: $0)) }
    }

    /// One login by user id (nil if it is not a client login).
    public func login(userID: String, in db: Database) throws -> Login? {
        guard let user = try UserRecord.find(id: userID, in: db), user.kind == "client" else { return nil }
        return Self.login(user)
    }

    private static func login(_ user: UserRecord) -> Login {
        Login(userID: user.id, clientID: user.clientID ?? "", email: user.email, name: user.name,
              activated: user.isActivated, disabled: user.disabled, lastLoginAt: user.lastLoginAt,
              passwordChangeRequired: user.passwordChangeRequired)
    }

    private func invite(userID: String, email: String, name: String, in m: inout Mutation) throws {
        let issued = try OneTimeCodes.issue(userID: userID, purpose: .activation, now: m.now, lifetime: settings.activationCodeMilliseconds, in: m.db)
        try IdentityMail.send(AccessMail(kind: .activation, email: email, name: name, code: issued.code, expiresAt: issued.expiresAt), settings: settings, in: &m)
    }
}
