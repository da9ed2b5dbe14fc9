import CContonShim

/// An OpenSSL `SSL_CTX`: certificates, versions, ciphers and verification shared by every
/// connection of one side. Immutable once built, so safe to share across event loops.
public final class SSLContext: @unchecked Sendable {
    /// The `SSL_CTX*`; owned by this object.
    let handle: OpaquePointer
    /// Whether connections made from this context act as the server.
    public let isServer: Bool
    /// Handshake timeout of the configuration this context was built from.
    public let handshakeTimeoutNanoseconds: Int64
    let alpnWire: [UInt8]

    /// The TLS 1.2 suites allowed when TLS 1.2 is enabled: ECDHE key exchange and AEAD only.
    public static let tls12Ciphers = [
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    ].joined(separator: ":")

    private init(method: OpaquePointer?, isServer: Bool, minimumVersion: TLSMinimumVersion, alpn: [String], handshakeTimeoutNanoseconds: Int64) throws(TLSError) {
        guard let ctx = SSL_CTX_new(method) else { throw .configuration(Self.lastError()) }
        self.handle = ctx
        self.isServer = isServer
        self.handshakeTimeoutNanoseconds = handshakeTimeoutNanoseconds
        self.alpnWire = Self.alpnWireFormat(alpn)
        let minVersion = minimumVersion == .tls13 ? conton_TLS1_3_VERSION() : conton_TLS1_2_VERSION()
        guard conton_SSL_CTX_set_min_proto_version(ctx, minVersion) == 1 else { throw .configuration(Self.lastError()) }
        _ = conton_SSL_CTX_set_options(ctx, conton_SSL_OP_NO_COMPRESSION() | conton_SSL_OP_NO_RENEGOTIATION() | conton_SSL_OP_CIPHER_SERVER_PREFERENCE())
        _ = conton_SSL_CTX_set_mode(ctx, conton_SSL_MODE_RELEASE_BUFFERS() | conton_SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER())
        guard SSL_CTX_set_cipher_list(ctx, Self.tls12Ciphers) == 1 else { throw .configuration(Self.lastError()) }
        guard conton_SSL_CTX_set1_groups_list(ctx, Self.groups) == 1 else { throw .configuration(Self.lastError()) }
    }

    /// Key-exchange groups offered and accepted, most preferred first: Mozilla's *intermediate*
    /// server profile (X25519, P-256, P-384; no X448, no P-521, no finite-field groups).
    public static let groups = "X25519:P-256:P-384"

    /// Builds a server context: loads the chain and key, checks they match, sets ALPN and the
    /// optional client-certificate CA.
    public convenience init(server configuration: TLSServerConfiguration) throws(TLSError) {
        try self.init(method: TLS_server_method(), isServer: true, minimumVersion: configuration.minimumVersion,
                      alpn: configuration.applicationProtocols,
                      handshakeTimeoutNanoseconds: configuration.handshakeTimeout.nanoseconds)
        guard SSL_CTX_use_certificate_chain_file(handle, configuration.certificateChainPath) == 1 else {
            throw .configuration("certificate chain \(configuration.certificateChainPath): \(Self.lastError())")
        }
        guard SSL_CTX_use_PrivateKey_file(handle, configuration.privateKeyPath, SSL_FILETYPE_PEM) == 1 else {
            throw .configuration("private key \(configuration.privateKeyPath): \(Self.lastError())")
        }
        guard SSL_CTX_check_private_key(handle) == 1 else {
            throw .configuration("private key does not match the certificate: \(Self.lastError())")
        }
        if !alpnWire.isEmpty {
            let ok = alpnWire.withUnsafeBufferPointer { conton_ssl_ctx_set_alpn_server(handle, $0.baseAddress, UInt32($0.count)) }
            guard ok == 1 else { throw .configuration("ALPN: \(Self.lastError())") }
        }
        if let ca = configuration.clientCAPath {
            guard conton_ssl_ctx_set_client_ca(handle, ca, configuration.requireClientCertificate ? 1 : 0) == 1 else {
                throw .configuration("client CA \(ca): \(Self.lastError())")
            }
        }
    }

    /// Builds a client context: trust roots, optional client certificate, verification.
    public convenience init(client configuration: TLSClientConfiguration) throws(TLSError) {
        try self.init(method: TLS_client_method(), isServer: false, minimumVersion: configuration.minimumVersion,
                      alpn: configuration.applicationProtocols,
                      handshakeTimeoutNanoseconds: configuration.handshakeTimeout.nanoseconds)
        if let roots = configuration.trustRootsPath {
            guard SSL_CTX_load_verify_locations(handle, roots, nil) == 1 else {
                throw .configuration("trust roots \(roots): \(Self.lastError())")
            }
        } else {
            SSL_CTX_set_default_verify_paths(handle)
        }
        if let chain = configuration.certificateChainPath {
            guard let key = configuration.privateKeyPath else { throw .configuration("a client certificate needs its private key") }
            guard SSL_CTX_use_certificate_chain_file(handle, chain) == 1 else {
                throw .configuration("client certificate \(chain): \(Self.lastError())")
            }
            guard SSL_CTX_use_PrivateKey_file(handle, key, SSL_FILETYPE_PEM) == 1,
                  SSL_CTX_check_private_key(handle) == 1 else {
                throw .configuration("client key \(key): \(Self.lastError())")
            }
        }
        SSL_CTX_set_verify(handle, configuration.verifyPeer ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nil)
    }

    deinit { SSL_CTX_free(handle) }

    /// ALPN's wire format: each name prefixed by its length.
    static func alpnWireFormat(_ names: [String]) -> [UInt8] {
        var out: [UInt8] = []
        for name in names where !name.isEmpty && name.utf8.count < 256 {
            out.append(UInt8(name.utf8.count))
            out.append(contentsOf: name.utf8)
        }
        return out
    }

    /// The oldest queued OpenSSL error of this thread, as text; clears the queue.
    static func lastError() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        conton_ssl_error_string(&buf, buf.count)
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
