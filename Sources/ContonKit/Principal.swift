import ContonTransport
import GRPCCore

/// Who is calling. The transport knows the peer (address, verified client certificate); the
/// identity layer (issue 4) adds signed-in staff, client and service-account principals.
public enum Principal: Sendable, Hashable {
    /// No credentials: only `.public` methods are open to it.
    case anonymous(peer: String)
    /// A peer that presented a client certificate verified against the configured CA (mTLS).
    case certificate(subject: String, sha256: String, peer: String)
}

extension ServerContext {
    /// What the ContOn transport knows about the caller (nil under other transports).
    public var peerIdentity: PeerIdentity? { self.transportSpecific as? PeerIdentity }

    /// The caller's principal as far as the transport can tell.
    public var principal: Principal {
        guard let peer = self.peerIdentity else { return .anonymous(peer: self.remotePeer) }
        if let subject = peer.tls?.certificateSubject, let sha = peer.tls?.certificateSHA256 {
            return .certificate(subject: subject, sha256: sha, peer: peer.remoteAddress)
        }
        return .anonymous(peer: peer.remoteAddress)
    }
}
