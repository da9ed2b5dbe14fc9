import ContonAPI
import ContonKit
import GRPCCore

/// Enforces every method's ``AccessPolicy`` before its handler runs, and makes the caller's
/// principal the current ``CallIdentity`` for the handler and its response producer. For a
/// client principal, every response message goes out without its office-internal fields
/// (``OfficeInternalRedaction``).
///
/// - No credentials, or a bad one, on a non-public method: UNAUTHENTICATED.
/// - Signed in but the wrong kind or role: PERMISSION_DENIED.
/// - A method with no policy (cannot happen through the plugin host): PERMISSION_DENIED.
/// - A bad credential on a public method is ignored (the caller is anonymous): health probes and
///   Login keep working with a stale token.
/// - A session whose password must be changed may call only WhoAmI, ChangePassword and Logout
///   (FAILED_PRECONDITION otherwise).
public struct AuthorizationInterceptor: ServerInterceptor {
    /// By full method name: a transport's descriptor carries no RPC type, a generated one does,
    /// so descriptors themselves do not compare equal.
    let policies: [String: AccessPolicy]
    let authenticator: any CallerResolver

    static let allowedBeforePasswordChange: Set<String> = [
        Conton_Identity_V1_Identity.Method.WhoAmI.descriptor.fullyQualifiedMethod,
        Conton_Identity_V1_Identity.Method.ChangePassword.descriptor.fullyQualifiedMethod,
        Conton_Identity_V1_Identity.Method.Logout.descriptor.fullyQualifiedMethod,
    ]

    /// - Parameter authenticator: who the credentials say the caller is: the server's
    ///   ``Authenticator`` (sessions, API keys, certificates), or a test harness's resolver.
    public init(policies: [MethodDescriptor: AccessPolicy], authenticator: any CallerResolver) {
        self.policies = Dictionary(policies.map { ($0.key.fullyQualifiedMethod, $0.value) }, uniquingKeysWith: { a, _ in a })
        self.authenticator = authenticator
    }

    /// The caller; on a public method a bad credential counts as none.
    private func authenticate(authorization: String?, transport: Principal, public isPublic: Bool) async throws -> Authenticator.Result {
        if isPublic {
            if let result = try? await authenticator.resolve(authorization: authorization, transport: transport) { return result }
            return Authenticator.Result(principal: transport, sessionID: nil, passwordChangeRequired: false)
        }
        return try await authenticator.resolve(authorization: authorization, transport: transport)
    }

    public func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        let method = context.descriptor
        guard let policy = policies[method.fullyQualifiedMethod] else {
            throw RPCError(code: .permissionDenied, message: "\(method.fullyQualifiedMethod) declares no access policy")
        }
        var authorization: String?
        for value in request.metadata[stringValues: "authorization"] {
            authorization = value
            break
        }
        let transport = context.transportPrincipal
        let result = try await authenticate(authorization: authorization, transport: transport, public: policy == .public)
        switch policy.decide(result.principal) {
        case .allow:
            break
        case .unauthenticated:
            throw RPCError(code: .unauthenticated, message: "\(method.fullyQualifiedMethod) requires signing in")
        case .denied(let reason):
            throw RPCError(code: .permissionDenied, message: "\(method.fullyQualifiedMethod): \(reason)")
        }
        if result.passwordChangeRequired && policy != .public && !Self.allowedBeforePasswordChange.contains(method.fullyQualifiedMethod) {
            throw RPCError(code: .failedPrecondition, message: "change your password first (Identity/ChangePassword)")
        }
        let identity = CallIdentity(principal: result.principal, method: method.fullyQualifiedMethod,
                                    peer: context.peerIdentity?.remoteAddress ?? context.remotePeer, sessionID: result.sessionID,
                                    userAgent: request.metadata[stringValues: "user-agent"].first(where: { _ in true }) ?? "")
        var response = try await CallIdentity.$current.withValue(identity) { try await next(request, context) }
        if case .success(var contents) = response.accepted {
            let producer = contents.producer
            let isClient = if case .client = result.principal { true } else { false }
            contents.producer = { writer in
                // A client principal never receives the office's internal fields.
                let out = isClient ? RPCWriter(wrapping: OfficeInternalRedaction.Writer(base: writer)) : writer
                return try await CallIdentity.$current.withValue(identity) { try await producer(out) }
            }
            response.accepted = .success(contents)
        }
        return response
    }
}

/// Who a call's credentials (the `authorization` metadata value, and what the transport knows of
/// the peer) say the caller is: UNAUTHENTICATED for bad credentials.
public protocol CallerResolver: Sendable {
    func resolve(authorization: String?, transport: Principal) async throws(RPCError) -> Authenticator.Result
}

extension Authenticator: CallerResolver {
    public func resolve(authorization: String?, transport: Principal) async throws(RPCError) -> Result {
        try await authenticate(authorization: authorization, transport: transport)
    }
}

