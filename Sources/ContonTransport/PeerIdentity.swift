import ContonTLS
import GRPCCore
import NIOCore

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

    /// gRPC's peer notation: `ipv4:127.0.0.1:50123`, `ipv6:[::1]:50123`, `unix:/path`.
    public static func describe(_ address: SocketAddress?) -> String {
        guard let address else { return "unknown" }
        switch address {
        case .v4: return "ipv4:\(address.ipAddress ?? "?"):\(address.port ?? 0)"
        case .v6: return "ipv6:[\(address.ipAddress ?? "?")]:\(address.port ?? 0)"
        case .unixDomainSocket: return "unix:\(address.pathname ?? "")"
        }
    }
}
