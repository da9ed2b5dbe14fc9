import ContonKit
import OfficeCapability
import ContonMail
import Foundation
import GRDB

/// An e-mail the identity layer sends: an activation code (new staff user, client portal
/// invitation) or a password-reset code. Never a password.
public struct AccessMail: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case activation, passwordReset
    }

    public var kind: Kind
    public var email: String
    public var name: String
    /// The single-use code, as the user should type it.
    public var code: String
    /// UTC ms after which the code stops working.
    public var expiresAt: Int64
}

/// Renders access e-mails with the pt-BR templates and queues them in the request's transaction.
enum IdentityMail {
    static func send(_ mail: AccessMail, settings: IdentitySettings, in m: inout Mutation) throws {
        // The office's name from Meus Dados when the office plugin is there (a capability).
        let office = m.capabilities.optional((any OfficeProfileSource).self)
        let officeName = (try office?.officeName(in: m.db)).flatMap { $0.isEmpty ? nil : $0 } ?? IdentitySettings.fallbackOfficeName
        let recipient = try MailAddress(mail.email, name: mail.name)
        let expires = Date(timeIntervalSince1970: Double(mail.expiresAt) / 1000)
        let message: MailMessage = switch mail.kind {
        case .activation:
            MailTemplates.accountActivation(recipient: recipient, name: mail.name, officeName: officeName, code: mail.code, expiresAt: expires)
        case .passwordReset:
            MailTemplates.passwordReset(recipient: recipient, name: mail.name, officeName: officeName, code: mail.code, expiresAt: expires)
        }
        try m.mail(message)
    }
}
