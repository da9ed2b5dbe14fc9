import GRDB

/// Lifetimes and limits of the identity layer (docs/SECURITY.md lists the defaults).
public struct IdentitySettings: Sendable {
    /// A session ends after this long without a call (8 h).
    public var sessionIdleMilliseconds: Int64 = 8 * 3_600_000
    /// A session ends this long after login whatever its use (30 days).
    public var sessionAbsoluteMilliseconds: Int64 = 30 * 86_400_000
    /// An activation code (new staff user, client portal invitation) works for 72 h.
    public var activationCodeMilliseconds: Int64 = 72 * 3_600_000
    /// A password-reset code works for 1 h.
    public var resetCodeMilliseconds: Int64 = 3_600_000
    /// Failed logins allowed (per account and per peer address) before backoff starts.
    public var failuresBeforeThrottle = 5
    /// First backoff after the allowance is spent; doubles with each further failure.
    public var throttleBaseMilliseconds: Int64 = 30_000
    /// The longest backoff.
    public var throttleMaximumMilliseconds: Int64 = 15 * 60_000
    /// A failure streak older than this (and not blocked) starts again from zero.
    public var throttleForgetMilliseconds: Int64 = 3_600_000
    /// `last_seen` of a session is written at most this often.
    public var sessionTouchMilliseconds: Int64 = 60_000
    /// Used in e-mails until the office fills in its profile (the name comes from
    /// `OfficeCapability.OfficeProfileSource` when the office plugin is there).
    public static let fallbackOfficeName = "ContOn"
    /// The password KDF.
    public var hasher: PasswordHasher = .standard

    public init() {}
}
