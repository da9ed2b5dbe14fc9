import ContonProto
import GRPCCore

/// Collects a request's field violations and turns them into one INVALID_ARGUMENT whose
/// `google.rpc.BadRequest` (in `grpc-status-details-bin`) names every bad field.
///
/// ```swift
/// var errors = FieldErrors()
/// if request.name.isEmpty { errors.add("name", "is required") }
/// try errors.check()
/// ```
public struct FieldErrors: Error, RPCErrorConvertible, Sendable {
    public private(set) var violations: [(field: String, description: String)] = []

    public init() {}

    public var isEmpty: Bool { violations.isEmpty }

    /// Records that `field` (a dotted path in the request, `emails[2]` for list elements) is bad.
    public mutating func add(_ field: String, _ description: String) {
        violations.append((field, description))
    }

    /// Throws INVALID_ARGUMENT carrying every violation, if there is any.
    public func check() throws(RPCError) {
        guard !violations.isEmpty else { return }
        throw error
    }

    /// The INVALID_ARGUMENT error (message: every violation, `field: description`, joined), built
    /// the same way as the wire check's (``ContonProto/ErrorDetails/invalidArgument(_:cause:)``).
    public var error: RPCError {
        ErrorDetails.invalidArgument(violations)
    }

    public var rpcErrorCode: RPCError.Code { .invalidArgument }
    public var rpcErrorMessage: String { ErrorDetails.invalidArgumentMessage(violations) }
    public var rpcErrorMetadata: Metadata {
        ErrorDetails(violations: violations).metadata(code: .invalidArgument, message: rpcErrorMessage)
    }
    public var rpcErrorCause: (any Error)? { nil }

    /// One violation as an error.
    public static func single(_ field: String, _ description: String) -> RPCError {
        var errors = FieldErrors()
        errors.add(field, description)
        return errors.error
    }
}
