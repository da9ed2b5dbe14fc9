import GRPCCore

/// Deserializes a generated message for GRPCCore with libprotobuf-c.
public struct ProtoDeserializer<Message: ProtoMessage>: MessageDeserializer {
    /// Creates the deserializer.
    public init() {}

    /// Decodes `serializedMessageBytes`.
    /// - Throws: `RPCError(code: .invalidArgument, message: "cannot decode <name>: …")`.
    public func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> Message {
        do {
            return try serializedMessageBytes.withUnsafeBytes { raw in
                try Message(serializedBytes: raw)
            }
        } catch let error as ProtoDecodingError {
            throw RPCError(code: .invalidArgument, message: error.description, cause: error)
        } catch {
            throw RPCError(code: .invalidArgument, message: "cannot decode \(Message.protoMessageName): \(error)", cause: error)
        }
    }
}
