/// What a completed handshake established, handed up the pipeline as a user event and on to each
/// call as the peer identity.
public struct TLSPeer: Sendable, Hashable {
    /// Negotiated protocol version, e.g. "TLSv1.3".
    public var version: String
    /// Negotiated cipher suite, e.g. "TLS_AES_256_GCM_SHA384".
    public var cipher: String
    /// The ALPN protocol, or nil when the client offered none.
    public var applicationProtocol: String?
    /// The verified client certificate's subject (RFC 2253), when the client sent one.
    public var certificateSubject: String?
    /// SHA-256 of the verified client certificate (DER), lower-case hex.
    public var certificateSHA256: String?

    public init(version: String, cipher: String, applicationProtocol: String?, certificateSubject: String?, certificateSHA256: String?) {
        self.version = version
        self.cipher = cipher
        self.applicationProtocol = applicationProtocol
        self.certificateSubject = certificateSubject
        self.certificateSHA256 = certificateSHA256
    }
}
