import ContonAPI
import ContonKit
import ContonStore
import Foundation
import GRDB
import GRPCCore

/// `conton.identity.v1.Users`: the office's staff users. Who may do what is in docs/SECURITY.md:
/// admins manage staff and admins; only an owner grants, changes or removes the owner role; the
/// last enabled owner can be neither demoted nor disabled; nobody disables themselves.
struct UsersService: Conton_Identity_V1_Users.SimpleServiceProtocol {
    let context: PluginContext
    let settings: IdentitySettings

    private var database: ContonDatabase { context.database }

    /// The calling staff user (the interceptor guarantees one).
    private func caller() throws(RPCError) -> StaffIdentity {
        guard case .staff(let staff) = CallIdentity.current?.principal else {
            throw RPCError(code: .permissionDenied, message: "office staff only")
        }
        return staff
    }

    func createUser(request: Conton_Identity_V1_CreateUserRequest, context: ServerContext) async throws -> Conton_Identity_V1_CreateUserResponse {
        let caller = try caller()
        var errors = FieldErrors()
        let email = IdentityValidation.email(request.email, field: "email", into: &errors)
        let name = IdentityValidation.name(request.name)
        if name == nil { errors.add("name", "must have 1 to 200 characters") }
        let role = RoleMapping.role(request.role)
        if role == nil { errors.add("role", "must be ROLE_OWNER, ROLE_ADMIN or ROLE_STAFF") }
        try errors.check()
        guard let email, let name, let role else { return .init() }
        if role == .owner && caller.role != .owner {
            throw ServiceError(.permissionDenied, "only an owner can create an owner")
        }
        let settings = self.settings
        let user = try await self.context.write { m -> UserRecord in
            if try UserRecord.find(email: email, in: m.db) != nil {
                throw ServiceError(.alreadyExists, "a login with e-mail \(email) already exists", reason: "EMAIL_TAKEN")
            }
            let id = UUID().uuidString.lowercased()
            try m.db.execute(sql: "INSERT INTO identity_user (id, email, name, kind, role, created_at_ms) VALUES (?, ?, ?, 'staff', ?, ?)",
                             arguments: [id, email, name, role.rawValue, m.now])
            let issued = try OneTimeCodes.issue(userID: id, purpose: .activation, now: m.now, lifetime: settings.activationCodeMilliseconds, in: m.db)
            try IdentityMail.send(AccessMail(kind: .activation, email: email, name: name, code: issued.code, expiresAt: issued.expiresAt), settings: settings, in: &m)
            m.audit("user", id, "created staff user \(email) (\(role.rawValue)); activation e-mail queued")
            return try UserRecord.find(id: id, in: m.db)!
        }
        var response = Conton_Identity_V1_CreateUserResponse()
        response.user = user.proto
        return response
    }

    func listUsers(request: Conton_Identity_V1_ListUsersRequest, context: ServerContext) async throws -> Conton_Identity_V1_ListUsersResponse {
        let page = try Pagination(size: request.pageSize, token: request.pageToken)
        let includeDisabled = request.includeDisabled
        let users = try await database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(UserRecord.columns) FROM identity_user
                WHERE kind = 'staff' AND (? OR disabled = 0) AND email > ?
                ORDER BY email LIMIT ?
                """, arguments: [includeDisabled, page.after ?? "", page.size]).map(UserRecord.init)
        }
        var response = Conton_Identity_V1_ListUsersResponse()
        response.users = users.map(\.proto)
        response.nextPageToken = page.nextToken(lastKey: users.last?.email, returned: users.count)
        return response
    }

    func updateUser(request: Conton_Identity_V1_UpdateUserRequest, context: ServerContext) async throws -> Conton_Identity_V1_UpdateUserResponse {
        let caller = try caller()
        let mask = request.updateMask.isEmpty ? ["name", "role"] : request.updateMask
        var errors = FieldErrors()
        for (i, path) in mask.enumerated() where path != "name" && path != "role" {
            errors.add("update_mask[\(i)]", "unknown field '\(path)' (name, role)")
        }
        let name = mask.contains("name") ? IdentityValidation.name(request.name) : nil
        if mask.contains("name") && name == nil { errors.add("name", "must have 1 to 200 characters") }
        let role = mask.contains("role") ? RoleMapping.role(request.role) : nil
        if mask.contains("role") && role == nil { errors.add("role", "must be ROLE_OWNER, ROLE_ADMIN or ROLE_STAFF") }
        if request.id.isEmpty { errors.add("id", "is required") }
        try errors.check()
        let id = request.id
        let user = try await self.context.write { m -> UserRecord in
            guard let user = try UserRecord.findStaff(id: id, in: m.db) else { throw ServiceError.notFound("user", id, type: "conton.identity.v1.User") }
            var changes: [String] = []
            if let name, name != user.name {
                try m.db.execute(sql: "UPDATE identity_user SET name = ? WHERE id = ?", arguments: [name, id])
                changes.append("name")
            }
            if let role, role != user.role {
                if (role == .owner || user.role == .owner) && caller.role != .owner {
                    throw ServiceError(.permissionDenied, "only an owner can grant or remove the owner role")
                }
                if user.role == .owner, try Self.enabledOwners(in: m.db) <= 1 {
                    throw ServiceError(.failedPrecondition, "the last owner cannot be demoted; make another user owner first", reason: "LAST_OWNER")
                }
                try m.db.execute(sql: "UPDATE identity_user SET role = ? WHERE id = ?", arguments: [role.rawValue, id])
                changes.append("role \(user.role?.rawValue ?? "?") → \(role.rawValue)")
            }
            if !changes.isEmpty { m.audit("user", id, "updated \(user.email): \(changes.joined(separator: ", "))") }
            return try UserRecord.find(id: id, in: m.db)!
        }
        var response = Conton_Identity_V1_UpdateUserResponse()
        response.user = user.proto
        return response
    }

    static func enabledOwners(in db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM identity_user WHERE kind = 'staff' AND role = 'owner' AND disabled = 0") ?? 0
    }

    func disableUser(request: Conton_Identity_V1_DisableUserRequest, context: ServerContext) async throws -> Conton_Identity_V1_DisableUserResponse {
        let caller = try caller()
        let id = request.id
        if id.isEmpty { throw FieldErrors.single("id", "is required") }
        if id == caller.userID { throw ServiceError(.failedPrecondition, "you cannot disable your own account", reason: "SELF_DISABLE") }
        let user = try await self.context.write { m -> UserRecord in
            guard let user = try UserRecord.findStaff(id: id, in: m.db) else { throw ServiceError.notFound("user", id, type: "conton.identity.v1.User") }
            if user.disabled { return user }
            if user.role == .owner {
                guard caller.role == .owner else { throw ServiceError(.permissionDenied, "only an owner can disable an owner") }
                if try Self.enabledOwners(in: m.db) <= 1 { throw ServiceError(.failedPrecondition, "the last owner cannot be disabled", reason: "LAST_OWNER") }
            }
            try m.db.execute(sql: "UPDATE identity_user SET disabled = 1 WHERE id = ?", arguments: [id])
            let revoked = try Sessions.revokeAll(userID: id, now: m.now, in: m.db)
            m.audit("user", id, "disabled \(user.email); \(revoked) session(s) revoked")
            return try UserRecord.find(id: id, in: m.db)!
        }
        var response = Conton_Identity_V1_DisableUserResponse()
        response.user = user.proto
        return response
    }

    func enableUser(request: Conton_Identity_V1_EnableUserRequest, context: ServerContext) async throws -> Conton_Identity_V1_EnableUserResponse {
        let caller = try caller()
        let id = request.id
        if id.isEmpty { throw FieldErrors.single("id", "is required") }
        let user = try await self.context.write { m -> UserRecord in
            guard let user = try UserRecord.findStaff(id: id, in: m.db) else { throw ServiceError.notFound("user", id, type: "conton.identity.v1.User") }
            if !user.disabled { return user }
            if user.role == .owner && caller.role != .owner {
                throw ServiceError(.permissionDenied, "only an owner can enable an owner")
            }
            try m.db.execute(sql: "UPDATE identity_user SET disabled = 0 WHERE id = ?", arguments: [id])
            m.audit("user", id, "enabled \(user.email)")
            return try UserRecord.find(id: id, in: m.db)!
        }
        var response = Conton_Identity_V1_EnableUserResponse()
        response.user = user.proto
        return response
    }

    func resendInvitation(request: Conton_Identity_V1_ResendInvitationRequest, context: ServerContext) async throws -> Conton_Identity_V1_ResendInvitationResponse {
        _ = try caller()
        let id = request.id
        if id.isEmpty { throw FieldErrors.single("id", "is required") }
        let settings = self.settings
        let user = try await self.context.write { m -> UserRecord in
            guard let user = try UserRecord.findStaff(id: id, in: m.db) else { throw ServiceError.notFound("user", id, type: "conton.identity.v1.User") }
            guard !user.isActivated else { throw ServiceError(.failedPrecondition, "\(user.email) has already activated the account; use password reset", reason: "ALREADY_ACTIVATED") }
            guard !user.disabled else { throw ServiceError(.failedPrecondition, "\(user.email) is disabled", reason: "USER_DISABLED") }
            let issued = try OneTimeCodes.issue(userID: id, purpose: .activation, now: m.now, lifetime: settings.activationCodeMilliseconds, in: m.db)
            try IdentityMail.send(AccessMail(kind: .activation, email: user.email, name: user.name, code: issued.code, expiresAt: issued.expiresAt), settings: settings, in: &m)
            m.audit("user", id, "activation e-mail re-sent to \(user.email)")
            return user
        }
        var response = Conton_Identity_V1_ResendInvitationResponse()
        response.user = user.proto
        return response
    }
}
