import GRPCCore

/// What the transport knows about the caller, handed to every handler as
/// `ServerContext.transportSpecific`.
public struct PeerIdentity: ServerContext.TransportSpecific, Hashable {
    /// The TLS session: version, cipher, ALPN, and the verified client certificate if any.
    public var tls: TLSPeer?
    /// `ipv4:127.0.0.1:50123`-style remote address.
    public var remoteAddress: String

    public init(tls: TLSPeer?, remoteAddress: String) {
        self.tls = tls
        self.remoteAddress = remoteAddress
    }
}
