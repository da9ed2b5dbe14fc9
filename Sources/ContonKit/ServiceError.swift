@_exported import struct ContonProto.ErrorDetails
import ContonProto
import GRPCCore

/// A handler's failure as the API documents it: a status code, a sentence for people, and the
/// details a program reads instead of the sentence (gRPC's rich error model, AIP-193) — an
/// ``ErrorDetails/Reason`` (`google.rpc.ErrorInfo`: an UPPER_SNAKE_CASE reason in domain
/// `conton`) and the ``ErrorDetails/Resource`` it is about (`google.rpc.ResourceInfo`).
///
/// GRPCCore converts it (``RPCErrorConvertible``); the details travel in
/// `grpc-status-details-bin` (docs/PROTOCOL.md §7).
///
/// ```swift
/// guard let client else { throw ServiceError.notFound("client", id, type: "conton.clients.v1.Client") }
/// throw ServiceError(.failedPrecondition, "client \(id) is archived; restore it first",
///                    reason: "CLIENT_ARCHIVED", resource: .init(type: "conton.clients.v1.Client", name: id))
/// ```
public struct ServiceError: Error, RPCErrorConvertible, Sendable, CustomStringConvertible {
    public var code: RPCError.Code
    public var message: String
    public var details: ErrorDetails
    /// Further trailing metadata, sent beside the details.
    public var metadata: Metadata

    /// An error with a `reason` (ErrorInfo) and the `resource` it is about (ResourceInfo), when
    /// given.
    public init(_ code: RPCError.Code, _ message: String, reason: String? = nil,
                resource: ErrorDetails.Resource? = nil, retryDelayMilliseconds: Int64? = nil, metadata: Metadata = [:]) {
        self.code = code
        self.message = message
        self.details = ErrorDetails(reason: reason.map { ErrorDetails.Reason($0) }, resource: resource,
                                    retryDelayMilliseconds: retryDelayMilliseconds)
        self.metadata = metadata
    }

    /// NOT_FOUND "`noun` `id` not found" (just "`noun` not found" when `id` is empty), naming the
    /// resource asked for.
    public static func notFound(_ noun: String, _ id: String, type: String) -> ServiceError {
        ServiceError(.notFound, id.isEmpty ? "\(noun) not found" : "\(noun) \(id) not found",
                     resource: ErrorDetails.Resource(type: type, name: id))
    }

    /// ALREADY_EXISTS naming the resource that already exists (its id, so a client can go to it).
    public static func alreadyExists(_ message: String, reason: String, existing: ErrorDetails.Resource) -> ServiceError {
        ServiceError(.alreadyExists, message, reason: reason, resource: existing)
    }

    public var rpcErrorCode: RPCError.Code { code }
    public var rpcErrorMessage: String { message }
    public var rpcErrorMetadata: Metadata { details.metadata(code: code, message: message, adding: metadata) }

    public var description: String { "\(code): \(message)" }
}

extension RPCError {
    /// The error's rich details (`grpc-status-details-bin`), if it carries any.
    public var details: ErrorDetails? { ErrorDetails(metadata: metadata) }
}
