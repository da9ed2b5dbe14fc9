import ContonKit
import ContonStore
import Foundation
import GRDB

/// The first owner account, and recovering a lost owner login (`conton admin reset-owner`).
public enum OwnerBootstrap {
    /// The owner credentials to show the operator once.
    public struct Credentials: Sendable, Hashable {
        public var email: String
        /// The password, when the server generated it (nil when the operator supplied one).
        public var generatedPassword: String?
    }

    /// Why bootstrap or reset refused.
    public enum Failure: Error, Sendable, CustomStringConvertible {
        case badEmail(String)
        case badPassword(String)
        case noOwner
        case ambiguousOwner([String])
        case notAnOwner(String)

        public var description: String {
            switch self {
            case .badEmail(let e): "'\(e)' is not an e-mail address"
            case .badPassword(let why): "the owner password \(why)"
            case .noOwner: "there is no owner account in this data directory"
            case .ambiguousOwner(let emails): "several owners (\(emails.joined(separator: ", "))); choose one with --email"
            case .notAnOwner(let e): "\(e) is not an owner account"
            }
        }
    }

    /// The e-mail of the first owner when the operator does not choose one.
    public static let defaultEmail = "owner@conton.local"

    /// On a data directory with no staff user yet, creates the owner: `email` (default
    /// ``defaultEmail``) and `password`, or a generated one-time password that must be changed at
    /// first login. Returns nil when staff users already exist.
    public static func ensureOwner(database: ContonDatabase, email: String?, password: String?,
                                   hasher: PasswordHasher = .standard, now: Int64) async throws -> Credentials? {
        let exists = try await database.read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM identity_user WHERE kind = 'staff' LIMIT 1") ?? false
        }
        if exists { return nil }
        let (address, secret, generated) = try validated(email: email ?? defaultEmail, password: password)
        let hash = await hasher.hash(secret)
        let created = try await database.write { db -> Bool in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM identity_user WHERE kind = 'staff' LIMIT 1") != true else { return false }
            let id = UUID().uuidString.lowercased()
            try db.execute(sql: """
                INSERT INTO identity_user (id, email, name, kind, role, password_hash, password_change_required, created_at_ms,
                  activated_at_ms, password_changed_at_ms)
                VALUES (?, ?, 'Owner', 'staff', 'owner', ?, ?, ?, ?, ?)
                """, arguments: [id, address, hash, generated, now, now, now])
            try AuditLog.record(.init(entityType: "user", entityID: id, summary: "created the first owner \(address)"),
                                by: .system("conton serve (first run)"), at: now, in: db)
            return true
        }
        return created ? Credentials(email: address, generatedPassword: generated ? secret : nil) : nil
    }

    /// Gives an owner a new password (generated unless `password` is given), re-enables it,
    /// lifts every login block (account and peer address) and revokes its sessions. `email` picks the owner when there are
    /// several.
    public static func resetOwner(database: ContonDatabase, email: String?, password: String?,
                                  hasher: PasswordHasher = .standard, now: Int64) async throws -> Credentials {
        let owners = try await database.read { db in
            try String.fetchAll(db, sql: "SELECT email FROM identity_user WHERE kind = 'staff' AND role = 'owner' ORDER BY email")
        }
        let target: String
        if let email {
            let wanted = email.lowercased()
            guard owners.contains(wanted) else { throw Failure.notAnOwner(email) }
            target = wanted
        } else {
            guard let only = owners.first else { throw Failure.noOwner }
            guard owners.count == 1 else { throw Failure.ambiguousOwner(owners) }
            target = only
        }
        let (_, secret, generated) = try validated(email: target, password: password)
        let hash = await hasher.hash(secret)
        try await database.write { db in
            guard let user = try UserRecord.find(email: target, in: db) else { throw Failure.noOwner }
            try db.execute(sql: """
                UPDATE identity_user SET password_hash = ?, password_change_required = ?, disabled = 0, password_changed_at_ms = ?,
                  activated_at_ms = COALESCE(activated_at_ms, ?)
                WHERE id = ?
                """, arguments: [hash, generated, now, now, user.id])
            let revoked = try Sessions.revokeAll(userID: user.id, now: now, in: db)
            // The operator is often at the address whose failures caused the block: lift them all.
            try db.execute(sql: "DELETE FROM identity_login_throttle")
            try AuditLog.record(.init(entityType: "user", entityID: user.id, summary: "owner password reset by an operator; \(revoked) session(s) revoked"),
                                by: .system("conton admin reset-owner"), at: now, in: db)
        }
        return Credentials(email: target, generatedPassword: generated ? secret : nil)
    }

    private static func validated(email: String, password: String?) throws -> (String, String, Bool) {
        guard let address = IdentityValidation.email(email) else { throw Failure.badEmail(email) }
        if let password {
            if let problem = IdentityValidation.passwordProblem(password, email: address) { throw Failure.badPassword(problem) }
            return (address, password, false)
        }
        return (address, ContonIdentity.Credentials.generatedPassword(), true)
    }
}
