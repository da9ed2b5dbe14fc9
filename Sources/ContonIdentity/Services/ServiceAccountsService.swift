import ContonAPI
import ContonKit
import Foundation
import GRDB
import GRPCCore

/// `conton.identity.v1.ServiceAccounts`: credentials for internal services (admins).
struct ServiceAccountsService: Conton_Identity_V1_ServiceAccounts.SimpleServiceProtocol {
    let context: PluginContext

    static let columns = "id, name, scopes, certificate_sha256, created_at_ms, revoked_at_ms, last_used_at_ms"

    static func proto(_ row: Row) -> Conton_Identity_V1_ServiceAccount {
        var account = Conton_Identity_V1_ServiceAccount()
        account.id = row["id"]
        account.name = row["name"]
        account.scopes = (row["scopes"] as String).split(separator: " ").map(String.init)
        account.certificateSha256 = (row["certificate_sha256"] as String?) ?? ""
        account.createdAtMs = row["created_at_ms"]
        account.revokedAtMs = (row["revoked_at_ms"] as Int64?) ?? 0
        account.lastUsedAtMs = (row["last_used_at_ms"] as Int64?) ?? 0
        return account
    }

    func createServiceAccount(request: Conton_Identity_V1_CreateServiceAccountRequest, context: ServerContext) async throws -> Conton_Identity_V1_CreateServiceAccountResponse {
        var errors = FieldErrors()
        let name = request.name.trimmingCharacters(in: .whitespacesAndNewlines)
        if !(1...100).contains(name.count) { errors.add("name", "must have 1 to 100 characters") }
        if request.scopes.isEmpty { errors.add("scopes", "name at least one scope") }
        let known = self.context.policies.serviceScopes
        for (i, scope) in request.scopes.enumerated() where !known.contains(scope) {
            errors.add("scopes[\(i)]", "'\(scope)' is not a scope any method accepts; the known scopes are \(known.sorted().joined(separator: ", "))")
        }
        let certificate = request.certificateSha256.lowercased().replacingOccurrences(of: ":", with: "")
        if !certificate.isEmpty && (certificate.count != 64 || !certificate.allSatisfy(\.isHexDigit)) {
            errors.add("certificate_sha256", "must be the 64 hex digits of a certificate's SHA-256")
        }
        try errors.check()
        let key = Credentials.apiKey()
        let scopes = Array(Set(request.scopes)).sorted().joined(separator: " ")
        let account = try await self.context.write { m -> Conton_Identity_V1_ServiceAccount in
            if !certificate.isEmpty, try Bool.fetchOne(m.db, sql: "SELECT 1 FROM identity_service_account WHERE certificate_sha256 = ?", arguments: [certificate]) == true {
                throw ServiceError(.alreadyExists, "that certificate is already mapped to a service account", reason: "CERTIFICATE_TAKEN")
            }
            let id = UUID().uuidString.lowercased()
            try m.db.execute(sql: """
                INSERT INTO identity_service_account (id, name, scopes, key_hash, certificate_sha256, created_at_ms)
                VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [id, name, scopes, Credentials.storedHash(key), certificate.isEmpty ? nil : certificate, m.now])
            m.audit("service_account", id, "created service account '\(name)' with scopes \(scopes)")
            return Self.proto(try Row.fetchOne(m.db, sql: "SELECT \(Self.columns) FROM identity_service_account WHERE id = ?", arguments: [id])!)
        }
        var response = Conton_Identity_V1_CreateServiceAccountResponse()
        response.account = account
        response.apiKey = key
        return response
    }

    func listServiceAccounts(request: Conton_Identity_V1_ListServiceAccountsRequest, context: ServerContext) async throws -> Conton_Identity_V1_ListServiceAccountsResponse {
        let includeRevoked = request.includeRevoked
        let accounts = try await self.context.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.columns) FROM identity_service_account WHERE ? OR revoked_at_ms IS NULL ORDER BY name, id",
                             arguments: [includeRevoked]).map(Self.proto)
        }
        var response = Conton_Identity_V1_ListServiceAccountsResponse()
        response.accounts = accounts
        return response
    }

    func revokeServiceAccount(request: Conton_Identity_V1_RevokeServiceAccountRequest, context: ServerContext) async throws -> Conton_Identity_V1_RevokeServiceAccountResponse {
        let id = request.id
        if id.isEmpty { throw FieldErrors.single("id", "is required") }
        let account = try await self.context.write { m -> Conton_Identity_V1_ServiceAccount in
            guard let row = try Row.fetchOne(m.db, sql: "SELECT \(Self.columns) FROM identity_service_account WHERE id = ?", arguments: [id]) else {
                throw ServiceError.notFound("service account", id, type: "conton.identity.v1.ServiceAccount")
            }
            if (row["revoked_at_ms"] as Int64?) != nil { return Self.proto(row) }
            try m.db.execute(sql: "UPDATE identity_service_account SET revoked_at_ms = ? WHERE id = ?", arguments: [m.now, id])
            m.audit("service_account", id, "revoked service account '\(row["name"] as String)'")
            return Self.proto(try Row.fetchOne(m.db, sql: "SELECT \(Self.columns) FROM identity_service_account WHERE id = ?", arguments: [id])!)
        }
        var response = Conton_Identity_V1_RevokeServiceAccountResponse()
        response.account = account
        return response
    }
}
