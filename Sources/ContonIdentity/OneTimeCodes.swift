import GRDB

/// Activation and password-reset codes in `identity_code`: stored as SHA-256, single use,
/// expiring; issuing a new code of a purpose voids the user's older unused ones.
enum OneTimeCodes {
    enum Purpose: String { case activation, reset }

    /// Issues a new code for `userID`; returns it (to mail) and its expiry.
    static func issue(userID: String, purpose: Purpose, now: Int64, lifetime: Int64, in db: Database) throws -> (code: String, expiresAt: Int64) {
        try db.execute(sql: "UPDATE identity_code SET used_at_ms = ? WHERE user_id = ? AND purpose = ? AND used_at_ms IS NULL",
                       arguments: [now, userID, purpose.rawValue])
        let code = Credentials.oneTimeCode()
        let normalized = Credentials.normalizeCode(code)!
        let expiresAt = now + lifetime
        try db.execute(sql: "INSERT INTO identity_code (code_hash, user_id, purpose, created_at_ms, expires_at_ms) VALUES (?, ?, ?, ?, ?)",
                       arguments: [Credentials.storedHash(normalized), userID, purpose.rawValue, now, expiresAt])
        return (code, expiresAt)
    }

    /// Spends a code: returns its user id if the code is valid, unused and unexpired, and marks
    /// it used. Nil otherwise.
    static func redeem(_ typed: String, purpose: Purpose, now: Int64, in db: Database) throws -> String? {
        guard let normalized = Credentials.normalizeCode(typed) else { return nil }
        let hash = Credentials.storedHash(normalized)
        guard let row = try Row.fetchOne(db, sql: """
            SELECT user_id FROM identity_code
            WHERE code_hash = ? AND purpose = ? AND used_at_ms IS NULL AND expires_at_ms > ?
            """, arguments: [hash, purpose.rawValue, now]) else { return nil }
        try db.execute(sql: "UPDATE identity_code SET used_at_ms = ? WHERE code_hash = ?", arguments: [now, hash])
        return row["user_id"]
    }

    /// When the newest unused code of `purpose` was issued (to rate-limit reset mails).
    static func lastIssued(userID: String, purpose: Purpose, in db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT MAX(created_at_ms) FROM identity_code WHERE user_id = ? AND purpose = ?",
                           arguments: [userID, purpose.rawValue])
    }
}
