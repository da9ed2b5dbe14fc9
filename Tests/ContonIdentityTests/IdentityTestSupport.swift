import ContonAPI
import ContonKit
import ContonServer
import ContonTesting
import ContonTransport
import Foundation
import GRPCCore
import Testing

typealias IdentityClient = Conton_Identity_V1_Identity.Client<ContonClientTransport>
typealias UsersClient = Conton_Identity_V1_Users.Client<ContonClientTransport>

extension TestServer {
    var identity: IdentityClient { IdentityClient(wrapping: client) }
    var users: UsersClient { UsersClient(wrapping: client) }

    /// The error code a call fails with (nil if it succeeds).
    func code<T: Sendable>(_ call: () async throws -> T) async -> RPCError.Code? {
        do {
            _ = try await call()
            return nil
        } catch let error as RPCError {
            return error.code
        } catch {
            return .unknown
        }
    }

    /// The activation or reset codes mailed so far to `email`, oldest first (read from the
    /// `.eml` files the server writes when no SMTP server is configured).
    func mailedCodes(to email: String, timeout: Duration = .seconds(10)) async throws -> [String] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let codes = outboxFiles().compactMap { path -> String? in
                guard let text = try? String(contentsOfFile: path, encoding: .utf8), text.contains("<\(email)>") else { return nil }
                return MailedCode.find(in: text)
            }
            if !codes.isEmpty || ContinuousClock.now > deadline { return codes }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Creates a staff user as the owner and activates it with the mailed code; returns its token.
    func staffUser(_ email: String, role: Conton_Identity_V1_Role, ownerToken: String) async throws -> String {
        var create = Conton_Identity_V1_CreateUserRequest()
        create.email = email
        create.name = "Test \(email)"
        create.role = role
        _ = try await users.createUser(create, metadata: TestServer.bearer(ownerToken))
        let code = try #require(try await mailedCodes(to: email).last)
        var activate = Conton_Identity_V1_ActivateAccountRequest()
        activate.code = code
        activate.newPassword = "password for \(email)"
        _ = try await identity.activateAccount(activate)
        return try await login(email, "password for \(email)")
    }
}

/// Finds a code `XXXX-XXXX-XXXX-XXXX-XXXX` in a quoted-printable e-mail.
enum MailedCode {
    static func find(in text: String) -> String? {
        let unfolded = text.replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "=\n", with: "")
        let pattern = /[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/
        return unfolded.firstMatch(of: pattern).map { String($0.output) }
    }
}
