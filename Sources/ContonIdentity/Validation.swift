import ContonKit

/// Input rules shared by the identity services.
enum IdentityValidation {
    /// A login e-mail, trimmed and lower-cased; nil if it cannot be an address.
    static func email(_ raw: String) -> String? {
        let email = raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.utf8.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[0].utf8.count <= 64,
              parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !email.contains(where: { $0.isWhitespace || $0 == "," || $0 == ";" || $0 == "<" || $0 == ">" }) else { return nil }
        return email
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
