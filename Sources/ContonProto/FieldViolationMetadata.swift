import GRPCCore

/// How field violations ride inside GRPCCore between the code that finds them and the transport
/// that writes them into the TRAILERS frame: binary metadata under ``key`` holding an encoded
/// `conton.rpc.v1.Status` with only `field_violations` set.
///
/// It lives here, below the generated messages, so the deserializer can report a bad request
/// field (a `string` with a NUL or invalid UTF-8) the same way handlers report theirs.
public enum FieldViolationMetadata {
    /// The metadata key (never sent on the wire as metadata: the transport moves it into
    /// `Status.field_violations`).
    public static let key = "conton-field-violations-bin"

    /// The encoded violations.
    public static func encode(_ violations: [(field: String, description: String)]) -> [UInt8] {
        guard let status = ProtoMessageDescriptor.named("conton.rpc.v1.Status"),
              let violationType = status.field(number: 3)?.messageType else { return [] }
        var message = DynamicMessage(status)
        message.fields[3] = .list(violations.map { v in
            var entry = DynamicMessage(violationType)
            entry.setSingular(1, v.field)
            entry.setSingular(2, v.description)
            return .message(entry)
        })
        return ProtoCodec.encode(message)
    }

    /// INVALID_ARGUMENT naming each field: message "`field`: `description`; …", the violations
    /// in the metadata.
    public static func invalidArgument(_ violations: [(field: String, description: String)], cause: (any Error)? = nil) -> RPCError {
        var metadata = Metadata()
        metadata.addBinary(encode(violations), forKey: key)
        let message = violations.map { "\($0.field): \($0.description)" }.joined(separator: "; ")
        return RPCError(code: .invalidArgument, message: message, metadata: metadata, cause: cause)
    }
}
