import GRPCCore

/// What slice of the clients' records the caller may touch: everything (staff, services) or one
/// client (a client login). Scoping every query through it is the easy path:
///
/// ```swift
/// let scope = try ClientScope.current()
/// let rows = try Row.fetchAll(db, sql: "SELECT … FROM files_file WHERE \(scope.sql("client_id"))",
///                             arguments: scope.arguments)
/// try scope.check(record.clientID)   // another client's record → NOT_FOUND
/// ```
public enum ClientScope: Sendable, Hashable {
    /// Staff and service accounts: every client.
    case all
    /// A client login: only this client's records.
    case only(clientID: String)

    /// The scope of the current call's principal. Anonymous callers have none
    /// (UNAUTHENTICATED); the interceptor normally refuses them first.
    public static func current() throws(RPCError) -> ClientScope {
        guard let identity = CallIdentity.current else {
            throw RPCError(code: .unauthenticated, message: "sign in first")
        }
        return try scope(of: identity.principal)
    }

    /// The scope of `principal`.
    public static func scope(of principal: Principal) throws(RPCError) -> ClientScope {
        switch principal {
        case .staff, .service: return .all
        case .client(let client): return .only(clientID: client.clientID)
        case .anonymous, .certificate: throw RPCError(code: .unauthenticated, message: "sign in first")
        }
    }

    /// Whether a record of `clientID` is inside the scope.
    public func contains(_ clientID: String) -> Bool {
        switch self {
        case .all: true
        case .only(let id): id == clientID
        }
    }

    /// Throws NOT_FOUND (the same answer as a missing record: no existence leak) when a record
    /// of `clientID` is outside the scope. `what` names the record in the message.
    public func check(_ clientID: String, _ what: String = "record") throws(RPCError) {
        guard contains(clientID) else { throw RPCError(code: .notFound, message: "\(what) not found") }
    }

    /// An SQL condition on `column` for this scope (`1` for all, `column = ?` for one client);
    /// bind ``arguments`` after it.
    public func sql(_ column: String) -> String {
        switch self {
        case .all: "1"
        case .only: "\(column) = ?"
        }
    }

    /// The arguments of ``sql(_:)``.
    public var arguments: [String] {
        switch self {
        case .all: []
        case .only(let id): [id]
        }
    }
}
