import ContonAPI
import ContonBrazil
import ContonIdentity
import ContonKit
import GRPCCore

/// A request for portal access (informações de acesso), checked before the transaction and
/// granted inside it: a client login with the e-mail, an optional initial password the client
/// must change at first sign-in, and optionally the access e-mail with an activation code.
struct AccessGrant: Sendable {
    var email: String
    var initialPassword: String
    var passwordHash: String?
    var sendEmail: Bool

    /// The grant of `request`, with its violations added to `errors` (`prefix.email`, …).
    static func validated(_ request: Conton_Clients_V1_SetClientAccessRequest, defaultEmail: String, prefix: String?,
                          errors: inout FieldErrors) -> AccessGrant {
        func path(_ s: String) -> String { prefix.map { "\($0).\(s)" } ?? s }
        var email = request.email.trimmingCharacters(in: .whitespacesAndNewlines)
        if email.isEmpty { email = defaultEmail }
        do {
            email = try EmailAddress(email).normalized
        } catch {
            errors.add(path("email"), error.description)
        }
        if !request.initialPassword.isEmpty, let problem = ClientLogins.passwordProblem(request.initialPassword, email: email) {
            errors.add(path("initial_password"), problem)
        }
        if request.initialPassword.isEmpty && !request.sendAccessEmail {
            errors.add(path("send_access_email"), "set initial_password or send_access_email (or both): otherwise the client has no way to sign in")
        }
        return AccessGrant(email: email, initialPassword: request.initialPassword, passwordHash: nil, sendEmail: request.sendAccessEmail)
    }

    /// Hashes the initial password (outside the transaction: it is slow on purpose).
    mutating func hashPassword(with logins: ClientLogins) async throws {
        guard !initialPassword.isEmpty else { return }
        passwordHash = try await logins.hashInitialPassword(initialPassword, email: email)
    }

    /// Creates the login in `m`'s transaction. ALREADY_EXISTS when the client already has one
    /// or the e-mail signs in elsewhere; FAILED_PRECONDITION for an archived client.
    func grant(to client: Conton_Clients_V1_Client, logins: ClientLogins, in m: inout Mutation) throws {
        if client.status == .archived {
            throw ServiceError(.failedPrecondition, "client \(client.id) is archived; restore it first", reason: "CLIENT_ARCHIVED",
                               resource: ErrorDetails.Resource(type: "conton.clients.v1.Client", name: client.id))
        }
        if let existing = try logins.logins(of: client.id, in: m.db).first {
            throw ServiceError.alreadyExists("client \(client.id) already has portal access (\(existing.email)); revoke it first to change it",
                                             reason: "CLIENT_HAS_PORTAL_ACCESS",
                                             existing: ErrorDetails.Resource(type: "conton.identity.v1.User", name: existing.userID, description: existing.email))
        }
        try logins.create(clientID: client.id, email: email, name: client.name, initialPasswordHash: passwordHash,
                          invite: sendEmail, in: &m)
    }
}
