import NIOCore

/// The lowest TLS version a side accepts.
public enum TLSMinimumVersion: String, Sendable, Hashable, CaseIterable {
    /// TLS 1.3 only (the default).
    case tls13 = "1.3"
    /// TLS 1.2 and 1.3; TLS 1.2 limited to ECDHE key exchange with AEAD ciphers.
    case tls12 = "1.2"
}

/// How a server side of TLS is set up.
public struct TLSServerConfiguration: Sendable, Hashable {
    /// PEM file with the server certificate followed by its intermediates.
    public var certificateChainPath: String
    /// PEM file with the server's private key.
    public var privateKeyPath: String
    public var minimumVersion: TLSMinimumVersion
    /// Application protocols offered by ALPN, most preferred first.
    public var applicationProtocols: [String]
    /// PEM file with the CA(s) client certificates must chain to; nil disables client certificates.
    public var clientCAPath: String?
    /// Whether a client certificate is required (otherwise optional but verified when sent).
    public var requireClientCertificate: Bool
    /// Time allowed from TCP accept to a completed handshake.
    public var handshakeTimeout: TimeAmount

    public init(
        certificateChainPath: String,
        privateKeyPath: String,
        minimumVersion: TLSMinimumVersion = .tls13,
        applicationProtocols: [String] = ["conton/1"],
        clientCAPath: String? = nil,
        requireClientCertificate: Bool = false,
        handshakeTimeout: TimeAmount = .seconds(10)
    ) {
        self.certificateChainPath = certificateChainPath
        self.privateKeyPath = privateKeyPath
        self.minimumVersion = minimumVersion
        self.applicationProtocols = applicationProtocols
        self.clientCAPath = clientCAPath
        self.requireClientCertificate = requireClientCertificate
        self.handshakeTimeout = handshakeTimeout
    }
}

/// How a client side of TLS is set up.
public struct TLSClientConfiguration: Sendable, Hashable {
    /// PEM file with the CA(s) to trust; nil trusts the system's default store.
    public var trustRootsPath: String?
    /// Optional client certificate chain and key (mTLS).
    public var certificateChainPath: String?
    public var privateKeyPath: String?
    public var minimumVersion: TLSMinimumVersion
    public var applicationProtocols: [String]
    /// Whether to verify the server certificate (chain and host name). Only tests turn this off.
    public var verifyPeer: Bool
    public var handshakeTimeout: TimeAmount

    public init(
        trustRootsPath: String? = nil,
        certificateChainPath: String? = nil,
        privateKeyPath: String? = nil,
        minimumVersion: TLSMinimumVersion = .tls12,
        applicationProtocols: [String] = ["conton/1"],
        verifyPeer: Bool = true,
        handshakeTimeout: TimeAmount = .seconds(10)
    ) {
        self.trustRootsPath = trustRootsPath
        self.certificateChainPath = certificateChainPath
        self.privateKeyPath = privateKeyPath
        self.minimumVersion = minimumVersion
        self.applicationProtocols = applicationProtocols
        self.verifyPeer = verifyPeer
        self.handshakeTimeout = handshakeTimeout
    }
}
