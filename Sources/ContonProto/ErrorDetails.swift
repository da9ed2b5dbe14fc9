import GRPCCore

/// The machine-readable part of an error, as gRPC's rich error model carries it: a
/// `google.rpc.Status` (the same code and message as the call's status) whose `details` hold
/// `google.rpc.BadRequest`, `ErrorInfo`, `ResourceInfo` and `RetryInfo` messages, encoded in the
/// `grpc-status-details-bin` trailing metadata (docs/PROTOCOL.md §7; Google AIP-193).
///
/// Any gRPC library reads it: Go's `status.FromError(err).Details()`, Python's
/// `grpc_status.rpc_status` (or `google.rpc.status_pb2.Status.FromString` on the value), Java's
/// `StatusProto.fromThrowable`. Inside GRPCCore it rides in the error's metadata under
/// ``metadataKey``, and the transport writes that metadata into the TRAILERS frame unchanged.
///
/// It lives here, below the generated messages, so the deserializer can report a bad request
/// field (a `string` with a NUL or invalid UTF-8) the same way handlers report theirs: the
/// messages are built from the registry's descriptors, not from generated types.
public struct ErrorDetails: Sendable, Hashable {
    /// The metadata key of the encoded `google.rpc.Status`.
    public static let metadataKey = "grpc-status-details-bin"
    /// `ErrorInfo.domain` of every reason ContOn sends.
    public static let domain = "conton"

    /// One bad request field (`google.rpc.BadRequest.FieldViolation`).
    public struct FieldViolation: Sendable, Hashable {
        /// The field's path in the request: proto field names, dots between messages, `[i]` for
        /// a list element (`client.other_emails[1]`, `address.cep`).
        public var field: String
        /// What is wrong with it, for people.
        public var description: String

        public init(field: String, description: String) {
            self.field = field
            self.description = description
        }
    }

    /// Why the call failed, for programs (`google.rpc.ErrorInfo`): an UPPER_SNAKE_CASE reason,
    /// stable across releases, that a client may branch on instead of the message.
    public struct Reason: Sendable, Hashable {
        public var reason: String
        public var domain: String
        public var metadata: [String: String]

        public init(_ reason: String, domain: String = ErrorDetails.domain, metadata: [String: String] = [:]) {
            self.reason = reason
            self.domain = domain
            self.metadata = metadata
        }
    }

    /// The resource the call was about (`google.rpc.ResourceInfo`): on NOT_FOUND the one asked
    /// for, on ALREADY_EXISTS the one that already exists.
    public struct Resource: Sendable, Hashable {
        /// The resource's message type, e.g. `conton.clients.v1.Client`.
        public var type: String
        /// Its id.
        public var name: String
        public var owner: String
        public var description: String

        public init(type: String, name: String, owner: String = "", description: String = "") {
            self.type = type
            self.name = name
            self.owner = owner
            self.description = description
        }
    }

    public var fieldViolations: [FieldViolation]
    public var reason: Reason?
    public var resource: Resource?
    /// How long to wait before retrying (`google.rpc.RetryInfo`), in milliseconds.
    public var retryDelayMilliseconds: Int64?

    public init(fieldViolations: [FieldViolation] = [], reason: Reason? = nil, resource: Resource? = nil,
                retryDelayMilliseconds: Int64? = nil) {
        self.fieldViolations = fieldViolations
        self.reason = reason
        self.resource = resource
        self.retryDelayMilliseconds = retryDelayMilliseconds
    }

    /// Whether there is nothing to send.
    public var isEmpty: Bool {
        fieldViolations.isEmpty && reason == nil && resource == nil && retryDelayMilliseconds == nil
    }

    // MARK: errors

    /// `metadata` with these details added for a status of `code` and `message` (nothing is
    /// added when they are empty).
    public func metadata(code: RPCError.Code, message: String, adding metadata: Metadata = [:]) -> Metadata {
        var metadata = metadata
        if !isEmpty { metadata.addBinary(encode(code: code, message: message), forKey: Self.metadataKey) }
        return metadata
    }

    /// An error with these details in its metadata (nothing is added when they are empty).
    public func error(_ code: RPCError.Code, _ message: String, metadata: Metadata = [:], cause: (any Error)? = nil) -> RPCError {
        RPCError(code: code, message: message, metadata: self.metadata(code: code, message: message, adding: metadata), cause: cause)
    }

    /// The details of an INVALID_ARGUMENT for `violations`: one `google.rpc.BadRequest`.
    public init(violations: [(field: String, description: String)]) {
        self.init(fieldViolations: violations.map { FieldViolation(field: $0.field, description: $0.description) })
    }

    /// The message of an INVALID_ARGUMENT for `violations`: "`field`: `description`; …".
    public static func invalidArgumentMessage(_ violations: [(field: String, description: String)]) -> String {
        violations.map { "\($0.field): \($0.description)" }.joined(separator: "; ")
    }

    /// INVALID_ARGUMENT naming each field: message "`field`: `description`; …", the violations
    /// in a `google.rpc.BadRequest`.
    public static func invalidArgument(_ violations: [(field: String, description: String)], cause: (any Error)? = nil) -> RPCError {
        ErrorDetails(violations: violations).error(.invalidArgument, invalidArgumentMessage(violations), cause: cause)
    }

    /// The details of an error's metadata, if it carries any (the first value of
    /// ``metadataKey``).
    public init?(metadata: Metadata) {
        guard let bytes = metadata[binaryValues: Self.metadataKey].first(where: { _ in true }),
              let decoded = Self.decode(bytes) else { return nil }
        self = decoded.details
    }

    // MARK: encoding

    static let anyPrefix = "type.googleapis.com/"

    /// The encoded `google.rpc.Status`.
    public func encode(code: RPCError.Code, message: String) -> [UInt8] {
        guard let status = ProtoMessageDescriptor.named("google.rpc.Status"),
              let anyType = status.field(number: 3)?.messageType else { return [] }
        var details: [DynamicMessage] = []
        func pack(_ message: DynamicMessage) {
            var any = DynamicMessage(anyType)
            any.setSingular(1, Self.anyPrefix + message.descriptor.fullName)
            any.setSingular(2, ProtoCodec.encode(message))
            details.append(any)
        }
        if !fieldViolations.isEmpty, let badRequest = ProtoMessageDescriptor.named("google.rpc.BadRequest"),
           let violationType = badRequest.field(number: 1)?.messageType {
            var message = DynamicMessage(badRequest)
            message.setRepeated(1, fieldViolations.map { v in
                var entry = DynamicMessage(violationType)
                entry.setSingular(1, v.field)
                entry.setSingular(2, v.description)
                return entry
            })
            pack(message)
        }
        if let reason, let type = ProtoMessageDescriptor.named("google.rpc.ErrorInfo") {
            var message = DynamicMessage(type)
            message.setSingular(1, reason.reason)
            message.setSingular(2, reason.domain)
            message.setMap(3, reason.metadata)
            pack(message)
        }
        if let resource, let type = ProtoMessageDescriptor.named("google.rpc.ResourceInfo") {
            var message = DynamicMessage(type)
            message.setSingular(1, resource.type)
            message.setSingular(2, resource.name)
            message.setSingular(3, resource.owner)
            message.setSingular(4, resource.description)
            pack(message)
        }
        if let retryDelayMilliseconds, let type = ProtoMessageDescriptor.named("google.rpc.RetryInfo"),
           let durationType = type.field(number: 1)?.messageType {
            var message = DynamicMessage(type)
            var duration = DynamicMessage(durationType)
            duration.setSingular(1, retryDelayMilliseconds / 1000)
            duration.setSingular(2, Int32(retryDelayMilliseconds % 1000) * 1_000_000)
            message.set(1, duration)
            pack(message)
        }
        var result = DynamicMessage(status)
        result.setSingular(1, Int32(code.rawValue))
        result.setSingular(2, message)
        result.setRepeated(3, details)
        return ProtoCodec.encode(result)
    }

    /// Decodes an encoded `google.rpc.Status`; details of other types are skipped.
    public static func decode(_ bytes: some Collection<UInt8>) -> (code: Int32, message: String, details: ErrorDetails)? {
        guard let status = try? ProtoCodec.decode(bytes, messageName: "google.rpc.Status") else { return nil }
        var details = ErrorDetails()
        let anys: [DynamicMessage] = status.repeated(3)
        for any in anys {
            let url: String = any.singular(1)
            let value: [UInt8] = any.singular(2)
            guard url.hasPrefix(anyPrefix),
                  let message = try? ProtoCodec.decode(value, messageName: String(url.dropFirst(anyPrefix.count))) else { continue }
            switch message.descriptor.fullName {
            case "google.rpc.BadRequest":
                let violations: [DynamicMessage] = message.repeated(1)
                details.fieldViolations += violations.map { FieldViolation(field: $0.singular(1), description: $0.singular(2)) }
            case "google.rpc.ErrorInfo":
                details.reason = Reason(message.singular(1), domain: message.singular(2), metadata: message.map(3))
            case "google.rpc.ResourceInfo":
                details.resource = Resource(type: message.singular(1), name: message.singular(2),
                                            owner: message.singular(3), description: message.singular(4))
            case "google.rpc.RetryInfo":
                let delay: DynamicMessage? = message.optional(1)
                let seconds: Int64 = delay?.singular(1) ?? 0, nanos: Int32 = delay?.singular(2) ?? 0
                details.retryDelayMilliseconds = seconds * 1000 + Int64(nanos / 1_000_000)
            default:
                continue
            }
        }
        return (status.singular(1), status.singular(2), details)
    }
}
