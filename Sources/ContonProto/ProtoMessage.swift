/// A generated protobuf message: a Swift value type over a protobuf-c message type.
///
/// Encoding and decoding go through libprotobuf-c: ``serializedBytes()`` builds the C struct in
/// memory owned by this module, packs it and frees it; ``init(serializedBytes:)`` unpacks with
/// `protobuf_c_message_unpack`, converts to Swift values and frees the C struct, all in one scope.
public protocol ProtoMessage: ProtoFieldValue {
    /// The full protobuf name, e.g. `"conton.health.v1.HealthCheckRequest"`.
    static var protoMessageName: String { get }
    /// The protobuf-c descriptor of this message type.
    static var protoDescriptor: ProtoMessageDescriptor { get }
    /// A message with every field at its default.
    init()
    /// Converts from the dynamic form (fields of the wrong type are left at their default).
    init(dynamicMessage: DynamicMessage)
    /// This message in dynamic form.
    func dynamicMessage() -> DynamicMessage
    /// Fields read from the wire that this message type does not know; written back on encode.
    var unknownFields: ProtoUnknownFields { get set }
}

extension ProtoMessage {
    /// The registry's descriptor for ``protoMessageName`` (generated types store it once).
    public static var protoDescriptor: ProtoMessageDescriptor { .registered(protoMessageName) }

    /// Decodes the protobuf binary encoding.
    /// - Throws: ``ProtoDecodingError`` when the bytes are not a valid encoding of this type.
    public init(serializedBytes bytes: some Collection<UInt8>) throws {
        let dynamic = try ProtoCodec.decode(bytes, as: Self.protoDescriptor)
        self.init(dynamicMessage: dynamic)
    }

    /// The protobuf binary encoding.
    public func serializedBytes() -> [UInt8] {
        ProtoCodec.encode(dynamicMessage())
    }

    /// Appends the protobuf binary encoding to `buffer`.
    public func serialize(appendingTo buffer: inout [UInt8]) {
        ProtoCodec.encode(dynamicMessage(), appendingTo: &buffer)
    }

    // ProtoFieldValue
    public static var protoDefault: Self { Self() }
    public init?(protoValue: ProtoValue) {
        guard case .message(let m) = protoValue else { return nil }
        self.init(dynamicMessage: m)
    }
    public var protoValue: ProtoValue { .message(dynamicMessage()) }
}
