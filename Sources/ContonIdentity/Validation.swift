import ContonBrazil
import ContonKit

/// Input rules shared by the identity services.
enum IdentityValidation {
    /// A login e-mail, trimmed and lower-cased, by the same rules as every other e-mail of the
    /// system (``EmailAddress``: ASCII only, since the mail outbox speaks plain SMTP); nil if it
    /// is not acceptable.
    static func email(_ raw: String) -> String? {
        (try? EmailAddress(raw))?.normalized
    }

    /// ``email(_:)``, recording why not under `field` in `errors`.
    static func email(_ raw: String, field: String, into errors: inout FieldErrors) -> String? {
        do {
            return try EmailAddress(raw).normalized
        } catch {
            errors.add(field, error.description)
            return nil
        }
    }

    /// Why `password` is not acceptable as a new password, or nil.
    static func passwordProblem(_ password: String, email: String) -> String? {
        if password.count < PasswordHasher.minimumLength { return "must have at least \(PasswordHasher.minimumLength) characters" }
        if password.utf8.count > PasswordHasher.maximumLength { return "must have at most \(PasswordHasher.maximumLength) bytes" }
        if password.lowercased() == email.lowercased() { return "must not be the e-mail address" }
        if Set(password).count < 3 { return "is too easy to guess" }
        return nil
    }

    /// A person's display name: trimmed, 1 to 200 characters.
    static func name(_ raw: String) -> String? {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        return (1...200).contains(name.count) ? name : nil
    }
}
