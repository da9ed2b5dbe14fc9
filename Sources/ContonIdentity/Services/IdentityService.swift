import ContonAPI
import ContonKit
import ContonStore
import GRDB
import GRPCCore

/// `conton.identity.v1.Identity`: login, logout, who-am-I, password change, activation, reset.
struct IdentityService: Conton_Identity_V1_Identity.SimpleServiceProtocol {
    let context: PluginContext
    let settings: IdentitySettings

    private var database: ContonDatabase { context.database }

    func login(request: Conton_Identity_V1_LoginRequest, context: ServerContext) async throws -> Conton_Identity_V1_LoginResponse {
        var errors = FieldErrors()
        if request.email.isEmpty { errors.add("email", "is required") }
        if request.password.isEmpty { errors.add("password", "is required") }
        try errors.check()
        let email = request.email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let peer = CallIdentity.current?.peer ?? context.remotePeer
        let keys = [LoginThrottle.emailKey(email), LoginThrottle.peerKey(peer)]
        let now = self.context.clock.nowMilliseconds
        let settings = self.settings

        let blocked = try await database.read { db in try LoginThrottle.remainingBlock(keys: keys, now: now, in: db) }
        if blocked > 0 { throw Self.throttled(blocked) }

        let user = try await database.read { db in try UserRecord.find(email: email, in: db) }
        let valid: Bool
        if let user, let hash = user.passwordHash, !user.disabled {
            valid = await PasswordHasher.verify(request.password, against: hash)
        } else {
            await settings.hasher.burn(request.password)  // same work, same answer, for unknown accounts
            valid = false
        }
        guard valid, let user else {
            // The failure that spends the allowance still gets the usual answer; the next attempt
            // meets the block.
            try await database.write { db in try LoginThrottle.recordFailure(keys: keys, now: now, settings: settings, in: db) }
            throw ServiceError(.unauthenticated, "invalid e-mail or password", reason: "INVALID_CREDENTIALS")
        }
        let created = try await self.context.write { m in
            try LoginThrottle.clear(keys: keys, in: m.db)
            let created = try Sessions.create(userID: user.id, peer: peer, now: m.now, settings: settings, in: m.db)
            try m.db.execute(sql: "UPDATE identity_user SET last_login_at_ms = ? WHERE id = ?", arguments: [m.now, user.id])
            m.audit("session", created.session.id, "signed in as \(user.email)")
            return created
        }
        var response = Conton_Identity_V1_LoginResponse()
        response.token = created.token
        response.principal = user.principal.proto
        response.idleExpiresAtMs = Sessions.idleExpiry(created.session, settings: settings)
        response.expiresAtMs = created.session.expiresAt
        response.passwordChangeRequired = user.passwordChangeRequired
        return response
    }

    /// RESOURCE_EXHAUSTED with the wait both as `google.rpc.RetryInfo` and, for clients that
    /// read plain metadata, `retry-after-ms`.
    static func throttled(_ milliseconds: Int64) -> ServiceError {
        var metadata = Metadata()
        metadata.addString(String(milliseconds), forKey: "retry-after-ms")
        let seconds = (milliseconds + 999) / 1000
        return ServiceError(.resourceExhausted, "too many failed sign-in attempts; retry in \(seconds) s", reason: "TOO_MANY_SIGN_IN_ATTEMPTS",
                            retryDelayMilliseconds: milliseconds, metadata: metadata)
    }

    func logout(request: Conton_Identity_V1_LogoutRequest, context: ServerContext) async throws -> Conton_Identity_V1_LogoutResponse {
        guard let sessionID = CallIdentity.current?.sessionID else {
            throw ServiceError(.failedPrecondition, "this credential is not a session (API keys are revoked with ServiceAccounts/RevokeServiceAccount)")
        }
        try await self.context.write { m in
            try Sessions.revoke(id: sessionID, now: m.now, in: m.db)
            m.audit("session", sessionID, "signed out")
        }
        return Conton_Identity_V1_LogoutResponse()
    }

    func whoAmI(request: Conton_Identity_V1_WhoAmIRequest, context: ServerContext) async throws -> Conton_Identity_V1_WhoAmIResponse {
        guard let identity = CallIdentity.current else { throw ServiceError(.unauthenticated, "sign in first") }
        var response = Conton_Identity_V1_WhoAmIResponse()
        response.principal = identity.principal.proto
        if let sessionID = identity.sessionID {
            let settings = self.settings
            let found = try await database.read { db -> (SessionRecord, Bool)? in
                guard let row = try Row.fetchOne(db, sql: """
                    SELECT s.id, s.user_id, s.last_seen_at_ms, s.expires_at_ms, u.password_change_required
                    FROM identity_session s JOIN identity_user u ON u.id = s.user_id WHERE s.id = ?
                    """, arguments: [sessionID]) else { return nil }
                return (SessionRecord(id: row["id"], userID: row["user_id"], lastSeenAt: row["last_seen_at_ms"], expiresAt: row["expires_at_ms"]),
                        row["password_change_required"])
            }
            if let (session, mustChange) = found {
                response.idleExpiresAtMs = Sessions.idleExpiry(session, settings: settings)
                response.expiresAtMs = session.expiresAt
                response.passwordChangeRequired = mustChange
            }
        }
        return response
    }

    func changePassword(request: Conton_Identity_V1_ChangePasswordRequest, context: ServerContext) async throws -> Conton_Identity_V1_ChangePasswordResponse {
        guard let identity = CallIdentity.current, identity.sessionID != nil else {
            throw ServiceError(.failedPrecondition, "only a signed-in user can change a password")
        }
        let userID = identity.principal.id
        let settings = self.settings
        guard let user = try await database.read({ db in try UserRecord.find(id: userID, in: db) }), let hash = user.passwordHash else {
            throw ServiceError(.unauthenticated, "sign in again")
        }
        var errors = FieldErrors()
        if request.currentPassword.isEmpty { errors.add("current_password", "is required") }
        if let problem = IdentityValidation.passwordProblem(request.newPassword, email: user.email) { errors.add("new_password", problem) }
        try errors.check()
        let keys = [LoginThrottle.emailKey(user.email)]
        let now = self.context.clock.nowMilliseconds
        let blocked = try await database.read { db in try LoginThrottle.remainingBlock(keys: keys, now: now, in: db) }
        if blocked > 0 { throw Self.throttled(blocked) }
        guard await PasswordHasher.verify(request.currentPassword, against: hash) else {
            try await database.write { db in try LoginThrottle.recordFailure(keys: keys, now: now, settings: settings, in: db) }
            throw FieldErrors.single("current_password", "is not the current password")
        }
        if await PasswordHasher.verify(request.newPassword, against: hash) {
            throw FieldErrors.single("new_password", "must differ from the current password")
        }
        let newHash = await settings.hasher.hash(request.newPassword)
        let peer = identity.peer
        let created = try await self.context.write { m in
            try Self.setPassword(userID: userID, hash: newHash, now: m.now, in: m.db)
            try LoginThrottle.clear(keys: keys, in: m.db)
            let created = try Sessions.create(userID: userID, peer: peer, now: m.now, settings: settings, in: m.db)
            m.audit("user", userID, "changed own password; other sessions revoked")
            return created
        }
        var response = Conton_Identity_V1_ChangePasswordResponse()
        response.token = created.token
        response.idleExpiresAtMs = Sessions.idleExpiry(created.session, settings: settings)
        response.expiresAtMs = created.session.expiresAt
        return response
    }

    /// Sets a chosen password: clears "must change", revokes every session.
    static func setPassword(userID: String, hash: String, now: Int64, in db: Database) throws {
        try db.execute(sql: """
            UPDATE identity_user SET password_hash = ?, password_change_required = 0, password_changed_at_ms = ?,
              activated_at_ms = COALESCE(activated_at_ms, ?)
            WHERE id = ?
            """, arguments: [hash, now, now, userID])
        try Sessions.revokeAll(userID: userID, now: now, in: db)
    }

    func activateAccount(request: Conton_Identity_V1_ActivateAccountRequest, context: ServerContext) async throws -> Conton_Identity_V1_ActivateAccountResponse {
        try await redeem(code: request.code, purpose: .activation, newPassword: request.newPassword, summary: "activated the account") { email in
            var response = Conton_Identity_V1_ActivateAccountResponse()
            response.email = email
            return response
        }
    }

    func resetPassword(request: Conton_Identity_V1_ResetPasswordRequest, context: ServerContext) async throws -> Conton_Identity_V1_ResetPasswordResponse {
        try await redeem(code: request.code, purpose: .reset, newPassword: request.newPassword, summary: "reset the password with a mailed code; sessions revoked") { email in
            var response = Conton_Identity_V1_ResetPasswordResponse()
            response.email = email
            return response
        }
    }

    /// Spends an activation or reset code and sets the new password, in one transaction.
    private func redeem<R: Sendable>(code: String, purpose: OneTimeCodes.Purpose, newPassword: String, summary: String,
                                     response: @Sendable (String) -> R) async throws -> R {
        var errors = FieldErrors()
        if code.isEmpty { errors.add("code", "is required") }
        if newPassword.isEmpty { errors.add("new_password", "is required") }
        try errors.check()
        if let problem = IdentityValidation.passwordProblem(newPassword, email: "") { throw FieldErrors.single("new_password", problem) }
        let hash = await settings.hasher.hash(newPassword)
        let email: String? = try await self.context.write { m in
            guard let userID = try OneTimeCodes.redeem(code, purpose: purpose, now: m.now, in: m.db),
                  let user = try UserRecord.find(id: userID, in: m.db), !user.disabled else {
                return nil as String?
            }
            if newPassword.lowercased() == user.email { throw FieldErrors.single("new_password", "must not be the e-mail address") }
            try Self.setPassword(userID: userID, hash: hash, now: m.now, in: m.db)
            try LoginThrottle.clear(keys: [LoginThrottle.emailKey(user.email)], in: m.db)
            m.audit("user", userID, summary)
            return user.email
        }.flatMap { $0 }
        guard let email else {
            throw FieldErrors.single("code", "is invalid, expired or already used")
        }
        return response(email)
    }

    func requestPasswordReset(request: Conton_Identity_V1_RequestPasswordResetRequest, context: ServerContext) async throws -> Conton_Identity_V1_RequestPasswordResetResponse {
        var errors = FieldErrors()
        guard let email = IdentityValidation.email(request.email, field: "email", into: &errors) else { throw errors.error }
        let settings = self.settings
        let now = self.context.clock.nowMilliseconds
        // Only an existing, activated, enabled account gets a code, at most one a minute.
        let user = try await database.read { db -> UserRecord? in
            guard let user = try UserRecord.find(email: email, in: db), user.isActivated, !user.disabled else { return nil }
            if let last = try OneTimeCodes.lastIssued(userID: user.id, purpose: .reset, in: db), now - last < 60_000 { return nil }
            return user
        }
        if let user {
            try await self.context.write { m in
                let issued = try OneTimeCodes.issue(userID: user.id, purpose: .reset, now: m.now, lifetime: settings.resetCodeMilliseconds, in: m.db)
                try IdentityMail.send(AccessMail(kind: .passwordReset, email: user.email, name: user.name, code: issued.code, expiresAt: issued.expiresAt), settings: settings, in: &m)
                m.audit("user", user.id, "password reset code mailed")
            }
        }
        return Conton_Identity_V1_RequestPasswordResetResponse()
    }
}
