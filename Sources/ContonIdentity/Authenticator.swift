import ContonKit
import ContonStore
import GRDB
import GRPCCore

/// Turns a call's credentials into a principal: a session token or API key from
/// `authorization: Bearer …`, or a client certificate mapped to a service account.
public final class Authenticator: Sendable {
    /// A recognised caller.
    public struct Result: Sendable, Hashable {
        public var principal: Principal
        public var sessionID: String?
        public var passwordChangeRequired: Bool

        public init(principal: Principal, sessionID: String? = nil, passwordChangeRequired: Bool = false) {
            self.principal = principal
            self.sessionID = sessionID
            self.passwordChangeRequired = passwordChangeRequired
        }
    }

    let database: ContonDatabase
    let clock: any Clock
    let settings: IdentitySettings

    public init(database: ContonDatabase, clock: any Clock, settings: IdentitySettings) {
        self.database = database
        self.clock = clock
        self.settings = settings
    }

    /// Authenticates `authorization` (the metadata value, if any). `transport` is what the
    /// transport knows (anonymous or a verified certificate). Throws UNAUTHENTICATED for a
    /// credential that is present but not valid.
    public func authenticate(authorization: String?, transport: Principal) async throws(RPCError) -> Result {
        let now = clock.nowMilliseconds
        let settings = self.settings
        guard let authorization else {
            if case .certificate(_, let sha, _) = transport, let service = try await serviceAccount(certificate: sha, now: now) {
                return Result(principal: .service(service), sessionID: nil, passwordChangeRequired: false)
            }
            return Result(principal: transport, sessionID: nil, passwordChangeRequired: false)
        }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw RPCError(code: .unauthenticated, message: "authorization must be 'Bearer <token>'")
        }
        let secret = parts[1].trimmingCharacters(in: .whitespaces)
        if secret.hasPrefix("cts_") {
            let found: (SessionRecord, UserRecord)?
            do {
                found = try await database.read { db -> (SessionRecord, UserRecord)? in
                    guard let session = try Sessions.find(token: secret, now: now, settings: settings, in: db),
                          let user = try UserRecord.find(id: session.userID, in: db), !user.disabled else { return nil }
                    return (session, user)
                }
            } catch {
                throw RPCError(code: .unavailable, message: "could not check the session: \(error)")
            }
            guard let (session, user) = found else {
                throw RPCError(code: .unauthenticated, message: "the session has expired or was revoked; sign in again")
            }
            if now - session.lastSeenAt >= settings.sessionTouchMilliseconds {
                try? await database.write { db in try Sessions.touch(id: session.id, now: now, in: db) }
            }
            return Result(principal: user.principal, sessionID: session.id, passwordChangeRequired: user.passwordChangeRequired)
        }
        if secret.hasPrefix("ctk_") {
            let hash = Credentials.storedHash(secret)
            if let service = try await serviceAccount(sql: "key_hash = ?", argument: hash, now: now) {
                return Result(principal: .service(service), sessionID: nil, passwordChangeRequired: false)
            }
            throw RPCError(code: .unauthenticated, message: "the API key is not valid or was revoked")
        }
        throw RPCError(code: .unauthenticated, message: "unrecognised bearer token")
    }

    private func serviceAccount(certificate sha256: String, now: Int64) async throws(RPCError) -> ServiceIdentity? {
        try await serviceAccount(sql: "certificate_sha256 = ?", argument: sha256.lowercased(), now: now)
    }

    private func serviceAccount(sql condition: String, argument: String, now: Int64) async throws(RPCError) -> ServiceIdentity? {
        let touchEvery = settings.sessionTouchMilliseconds
        do {
            let found = try await database.read { db -> (ServiceIdentity, Int64)? in
                guard let row = try Row.fetchOne(db, sql: """
                    SELECT id, name, scopes, last_used_at_ms FROM identity_service_account
                    WHERE \(condition) AND revoked_at_ms IS NULL
                    """, arguments: [argument]) else { return nil }
                let scopes = Set((row["scopes"] as String).split(separator: " ").map(String.init))
                return (ServiceIdentity(accountID: row["id"], name: row["name"], scopes: scopes), (row["last_used_at_ms"] as Int64?) ?? 0)
            }
            guard let (service, lastUsed) = found else { return nil }
            if now - lastUsed >= touchEvery {
                try? await database.write { db in
                    try db.execute(sql: "UPDATE identity_service_account SET last_used_at_ms = ? WHERE id = ?", arguments: [now, service.accountID])
                }
            }
            return service
        } catch {
            throw RPCError(code: .unavailable, message: "could not check the credential: \(error)")
        }
    }
}
