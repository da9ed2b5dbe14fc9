import ContonIdentity
import ContonKit
import ContonTLS
import ContonTransport

/// Everything `conton serve` is configured with (each also a `CONTON_*` environment variable).
public struct ServerConfiguration: Sendable {
    /// Data directory: database, blobs, TLS material. Default `./.conton`.
    public var dataDirectory: String = "./.conton"
    public var host: String = "127.0.0.1"
    /// Port; 0 picks a free one.
    public var port: Int = 7443
    /// Server certificate chain and key (PEM). Both nil: the generated development certificate.
    public var certificatePath: String?
    public var keyPath: String?
    /// CA for client certificates (mTLS); nil disables them.
    public var clientCAPath: String?
    /// Accept TLS 1.2 (ECDHE+AEAD only) besides TLS 1.3.
    public var allowTLS12 = false
    /// Serve `conton.testing.v1.TestService`.
    public var enableTestService = false
    public var limits = ServerLimits()
    /// The first owner's login, used only when the data directory has no staff user yet
    /// (`CONTON_OWNER_EMAIL`, `CONTON_OWNER_PASSWORD`); without a password one is generated and
    /// printed once, to be changed at first login.
    public var ownerEmail: String?
    public var ownerPassword: String?
    /// Session lifetimes, login throttling, the password KDF.
    public var identity = IdentitySettings()
    /// SMTP server for outgoing mail (`smtp://…`, `smtps://…`; docs/MAIL.md). Nil: each message
    /// is written as an `.eml` file under `<data-dir>/outbox/`.
    public var smtpURL: String?
    /// The sender of outgoing mail.
    public var mailFrom = "ContOn <nao-responda@conton.local>"
    /// The server's clock (tests move it).
    public var clock: any Clock = SystemClock()

    public init() {}

    /// Where the generated development TLS files live.
    public var developmentCertificates: DevelopmentCertificates {
        DevelopmentCertificates(directory: dataDirectory + "/tls")
    }
}
