import ContonRPC
import GRPCCore

/// Who is calling.
///
/// The transport knows the peer (address, verified client certificate); the identity layer turns
/// a bearer token or a mapped certificate into a staff, client or service principal before the
/// handler runs (see ``CallIdentity``).
public enum Principal: Sendable, Hashable {
    /// No credentials: only `.public` methods are open to it.
    case anonymous(peer: String)
    /// A peer that presented a client certificate verified against the configured CA (mTLS) but
    /// mapped to no service account: as anonymous for authorization.
    case certificate(subject: String, sha256: String, peer: String)
    /// A signed-in office staff user.
    case staff(StaffIdentity)
    /// A client's portal login: reaches only its own client's records.
    case client(ClientIdentity)
    /// An internal service (API key or mapped client certificate).
    case service(ServiceIdentity)

    /// `staff`, `client`, `service`, `anonymous` — the audit log's principal kind.
    public var kind: String {
        switch self {
        case .anonymous, .certificate: "anonymous"
        case .staff: "staff"
        case .client: "client"
        case .service: "service"
        }
    }

    /// User or service-account id; empty for anonymous callers.
    public var id: String {
        switch self {
        case .anonymous, .certificate: ""
        case .staff(let s): s.userID
        case .client(let c): c.userID
        case .service(let s): s.accountID
        }
    }

    /// A display name for logs and the audit log.
    public var displayName: String {
        switch self {
        case .anonymous(let peer): peer
        case .certificate(let subject, _, _): subject
        case .staff(let s): s.email
        case .client(let c): c.email
        case .service(let s): s.name
        }
    }

    /// The person's name as a document prints it ("Maria Souza"); the e-mail when there is no
    /// name.
    public var printedName: String {
        switch self {
        case .staff(let s): s.name.isEmpty ? s.email : s.name
        case .client(let c): c.name.isEmpty ? c.email : c.name
        default: displayName
        }
    }
}

/// A signed-in staff user.
public struct StaffIdentity: Sendable, Hashable {
    public var userID: String
    public var email: String
    public var name: String
    public var role: StaffRole

    public init(userID: String, email: String, name: String, role: StaffRole) {
        self.userID = userID
        self.email = email
        self.name = name
        self.role = role
    }
}

/// A signed-in client portal login, bound to one client.
public struct ClientIdentity: Sendable, Hashable {
    public var userID: String
    public var email: String
    public var name: String
    /// The only client whose records this principal may see.
    public var clientID: String

    public init(userID: String, email: String, name: String, clientID: String) {
        self.userID = userID
        self.email = email
        self.name = name
        self.clientID = clientID
    }
}

/// An internal service account.
public struct ServiceIdentity: Sendable, Hashable {
    public var accountID: String
    public var name: String
    public var scopes: Set<String>

    public init(accountID: String, name: String, scopes: Set<String>) {
        self.accountID = accountID
        self.name = name
        self.scopes = scopes
    }
}

extension ServerContext {
    /// What the ContOn transport knows about the caller (nil under other transports).
    public var peerIdentity: PeerIdentity? { self.transportSpecific as? PeerIdentity }

    /// The caller's principal: the one the identity layer authenticated for this call, else what
    /// the transport alone can tell (anonymous, or a client certificate).
    public var principal: Principal {
        if let identity = CallIdentity.current { return identity.principal }
        return transportPrincipal
    }

    /// The principal as far as the transport can tell, ignoring any bearer token.
    public var transportPrincipal: Principal {
        guard let peer = self.peerIdentity else { return .anonymous(peer: self.remotePeer) }
        if let subject = peer.tls?.certificateSubject, let sha = peer.tls?.certificateSHA256 {
            return .certificate(subject: subject, sha256: sha, peer: peer.remoteAddress)
        }
        return .anonymous(peer: peer.remoteAddress)
    }
}
