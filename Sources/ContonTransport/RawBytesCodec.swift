import GRPCCore

/// Passes message bytes through GRPCCore unchanged: for callers that encode themselves (the
/// CLI's JSON transcoding) and for tests that call any method without its types.
public struct RawBytesCodec: MessageSerializer, MessageDeserializer {
    public init() {}

    public func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes { Bytes(message) }

    public func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> [UInt8] {
        serializedMessageBytes.withUnsafeBytes { Array($0) }
    }
}
