/// Why a TLS operation failed.
public enum TLSError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The configuration could not be applied (bad PEM file, key mismatch, unreadable CA, …).
    case configuration(String)
    /// The handshake failed: OpenSSL's reason (protocol version, certificate, ALPN, …).
    case handshakeFailed(String)
    /// The peer closed the connection before the handshake completed.
    case eofDuringHandshake
    /// The handshake did not complete within the configured timeout.
    case handshakeTimeout
    /// A read or write failed after the handshake.
    case failure(String)
    /// The peer closed TCP without sending `close_notify`.
    case uncleanShutdown

    public var description: String {
        switch self {
        case .configuration(let s): "TLS configuration: \(s)"
        case .handshakeFailed(let s): "TLS handshake failed: \(s)"
        case .eofDuringHandshake: "TLS: peer closed during the handshake"
        case .handshakeTimeout: "TLS: handshake timed out"
        case .failure(let s): "TLS failure: \(s)"
        case .uncleanShutdown: "TLS: peer closed without close_notify"
        }
    }
}
