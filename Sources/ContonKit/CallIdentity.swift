/// The authenticated caller of the current RPC, set by the identity layer's interceptor for the
/// whole call (the handler and its response producer) and read through
/// `ServerContext.principal`, ``PluginContext/write(_:)`` and ``ClientScope``.
public struct CallIdentity: Sendable, Hashable {
    /// Who is calling.
    public var principal: Principal
    /// Full method name, e.g. `conton.identity.v1.Users/CreateUser`.
    public var method: String
    /// The remote address.
    public var peer: String
    /// The session the call came with (for Logout), if it used a session token.
    public var sessionID: String?
    /// The caller's `user-agent` metadata (at most 256 characters; "" when absent), for evidence
    /// logs.
    public var userAgent: String

    public init(principal: Principal, method: String, peer: String, sessionID: String? = nil, userAgent: String = "") {
        self.principal = principal
        self.method = method
        self.peer = peer
        self.sessionID = sessionID
        self.userAgent = String(userAgent.prefix(256))
    }

    /// The current call's identity (nil outside a call, e.g. in admin commands and event handlers).
    @TaskLocal public static var current: CallIdentity?
}
