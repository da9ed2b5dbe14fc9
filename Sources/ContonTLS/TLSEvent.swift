import ContonRPC

/// User events fired by ``OpenSSLHandler``.
public enum TLSEvent: Sendable, Hashable {
    /// The handshake completed; application data may flow.
    case handshakeCompleted(TLSPeer)
}
