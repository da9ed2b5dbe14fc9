import ContonKit
import GRPCCore
import Testing

/// The status code of what `body` throws: nil when it returns, `.unknown` for an error that is
/// not an `RPCError`.
///
/// ```swift
/// #expect(await code { _ = try await api.getClient(request, metadata: portal) } == .notFound)
/// ```
public func code(_ body: () async throws -> Void) async -> RPCError.Code? {
    do {
        try await body()
        return nil
    } catch let error as RPCError {
        return error.code
    } catch {
        return .unknown
    }
}

/// The `RPCError` `body` throws, to check its code and message; records an issue (and returns
/// nil) when it returns or throws something else.
public func rpcError(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> RPCError? {
    do {
        try await body()
        Issue.record("expected an error", sourceLocation: sourceLocation)
        return nil
    } catch let error as RPCError {
        return error
    } catch {
        Issue.record("expected an RPCError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

extension RPCError {
    /// The field violations of the error's details, `field: description` (several on one field
    /// joined by " | ").
    public var violations: [String: String] {
        Dictionary((details?.fieldViolations ?? []).map { ($0.field, $0.description) }, uniquingKeysWith: { a, b in a + " | " + b })
    }
}
