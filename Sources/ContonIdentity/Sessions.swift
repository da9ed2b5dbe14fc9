import Foundation
import GRDB

/// A session as the Authenticator finds it.
struct SessionRecord: Sendable, Hashable {
    var id: String
    var userID: String
    var lastSeenAt: Int64
    var expiresAt: Int64
}

/// Sessions in `identity_session`: created at login, found by the SHA-256 of their token,
/// revoked at logout, password change, reset or when the user is disabled.
enum Sessions {
    /// A new session for `userID`; returns the token (shown once) and the session.
    static func create(userID: String, peer: String, now: Int64, settings: IdentitySettings, in db: Database) throws -> (token: String, session: SessionRecord) {
        let token = Credentials.sessionToken()
        let session = SessionRecord(id: UUID().uuidString.lowercased(), userID: userID, lastSeenAt: now,
                                    expiresAt: now + settings.sessionAbsoluteMilliseconds)
        try db.execute(sql: """
            INSERT INTO identity_session (id, token_hash, user_id, created_at_ms, last_seen_at_ms, expires_at_ms, peer)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [session.id, Credentials.storedHash(token), userID, now, now, session.expiresAt, peer])
        return (token, session)
    }

    /// The live session holding `token`, if any (not revoked, not idle, not past its end).
    static func find(token: String, now: Int64, settings: IdentitySettings, in db: Database) throws -> SessionRecord? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT id, user_id, last_seen_at_ms, expires_at_ms FROM identity_session
            WHERE token_hash = ? AND revoked_at_ms IS NULL
            """, arguments: [Credentials.storedHash(token)]) else { return nil }
        let session = SessionRecord(id: row["id"], userID: row["user_id"], lastSeenAt: row["last_seen_at_ms"], expiresAt: row["expires_at_ms"])
        guard now < session.expiresAt, now < session.lastSeenAt + settings.sessionIdleMilliseconds else { return nil }
        return session
    }

    static func touch(id: String, now: Int64, in db: Database) throws {
        try db.execute(sql: "UPDATE identity_session SET last_seen_at_ms = ? WHERE id = ?", arguments: [now, id])
    }

    static func revoke(id: String, now: Int64, in db: Database) throws {
        try db.execute(sql: "UPDATE identity_session SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL", arguments: [now, id])
    }

    /// Revokes every live session of a user; returns how many.
    @discardableResult
    static func revokeAll(userID: String, now: Int64, in db: Database) throws -> Int {
        try db.execute(sql: "UPDATE identity_session SET revoked_at_ms = ? WHERE user_id = ? AND revoked_at_ms IS NULL", arguments: [now, userID])
        return db.changesCount
    }

    /// When the session ends if unused from `lastSeen`.
    static func idleExpiry(_ session: SessionRecord, settings: IdentitySettings) -> Int64 {
        min(session.lastSeenAt + settings.sessionIdleMilliseconds, session.expiresAt)
    }
}
