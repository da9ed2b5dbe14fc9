import ContonRPC
import NIOCore

extension PeerIdentity {
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
