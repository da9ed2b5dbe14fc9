import GRPCCore

/// Serializes a generated message for GRPCCore with libprotobuf-c.
public struct ProtoSerializer<Message: ProtoMessage>: MessageSerializer {
    /// Creates the serializer.
    public init() {}

    /// The protobuf encoding of `message`.
    public func serialize<Bytes: GRPCContiguousBytes>(_ message: Message) throws -> Bytes {
        Bytes(message.serializedBytes())
    }
}
