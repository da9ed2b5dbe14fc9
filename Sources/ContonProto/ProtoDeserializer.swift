import GRPCCore

/// Deserializes a generated message for GRPCCore with libprotobuf-c.
public struct ProtoDeserializer<Message: ProtoMessage>: MessageDeserializer {
    /// Creates the deserializer.
    public init() {}

    /// Decodes `serializedMessageBytes`.
    /// - Throws: `RPCError(code: .invalidArgument, message: "cannot decode <name>: …")`; for a
    ///   `string` field with a NUL or invalid UTF-8, INVALID_ARGUMENT with that field's violation
    ///   (``ErrorDetails``).
    public func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> Message {
        do {
            return try serializedMessageBytes.withUnsafeBytes { raw in
                try Message(serializedBytes: raw)
            }
        } catch let error as ProtoDecodingError {
            if let field = error.field, let problem = error.fieldProblem {
                throw ErrorDetails.invalidArgument([(field, problem)], cause: error)
            }
            throw RPCError(code: .invalidArgument, message: error.description, cause: error)
        } catch {
            throw RPCError(code: .invalidArgument, message: "cannot decode \(Message.protoMessageName): \(error)", cause: error)
        }
    }
}
