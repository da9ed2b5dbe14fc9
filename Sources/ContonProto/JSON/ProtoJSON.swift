/// The proto3 JSON mapping of any registered message, driven by the protobuf-c descriptors.
///
/// Output is compact (one line), fields in field-number order, named by their lowerCamelCase
/// JSON name; fields at their default value are omitted; 64-bit integers are strings; enums are
/// names (numbers for values the enum does not declare); bytes are standard base64;
/// `Timestamp`, `Duration`, `FieldMask`, the wrappers and `Empty` use their special forms.
/// Parsing also accepts proto field names, enum numbers, numbers for 64-bit integers and strings
/// for 32-bit ones, URL-safe or unpadded base64, and `null` for "default". An unknown field is an
/// error naming the field's path.
public enum ProtoJSON {
    /// Converts a protobuf binary message to JSON.
    /// - Throws: ``ProtoJSONError`` (unknown message, unrepresentable value) or
    ///   ``ProtoDecodingError`` (invalid bytes).
    public static func encode(bytes: some Collection<UInt8>, messageName: String) throws -> String {
        try encode(ProtoCodec.decode(bytes, as: descriptor(messageName)))
    }

    /// Converts JSON to the protobuf binary encoding of the named message.
    /// - Throws: ``ProtoJSONError`` naming the offending field.
    public static func decode(json: String, messageName: String) throws -> [UInt8] {
        ProtoCodec.encode(try decodeDynamic(json: json, descriptor: descriptor(messageName)))
    }

    /// The JSON form of a dynamic message.
    /// - Throws: ``ProtoJSONError`` for values JSON cannot carry (e.g. a `Timestamp` out of range).
    public static func encode(_ message: DynamicMessage) throws -> String {
        var encoder = ProtoJSONEncoder()
        try encoder.message(message, path: "")
        return encoder.writer.output
    }

    /// Parses JSON as a message of the given type.
    /// - Throws: ``ProtoJSONError`` naming the offending field.
    public static func decodeDynamic(json: String, descriptor: ProtoMessageDescriptor) throws -> DynamicMessage {
        try ProtoJSONDecoder.message(JSONParser.parse(json), descriptor, path: "")
    }

    private static func descriptor(_ name: String) throws -> ProtoMessageDescriptor {
        guard let d = ProtoMessageDescriptor.named(name) else {
            throw ProtoJSONError(.unknownMessage, path: "", "no message named \(name) is registered")
        }
        return d
    }
}

extension ProtoMessage {
    /// Decodes proto3 JSON.
    /// - Throws: ``ProtoJSONError`` naming the offending field.
    public init(jsonString: String) throws {
        self.init(dynamicMessage: try ProtoJSON.decodeDynamic(json: jsonString, descriptor: Self.protoDescriptor))
    }

    /// The proto3 JSON form, compact on one line.
    /// - Throws: ``ProtoJSONError`` for values JSON cannot carry (e.g. a `Timestamp` out of range).
    public func jsonString() throws -> String {
        try ProtoJSON.encode(dynamicMessage())
    }
}

extension ProtoFieldDescriptor {
    /// Members of one oneof share their quantifier (the case) offset in the C struct.
    var oneofGroup: UInt32? { isOneofMember ? pointer.pointee.quantifier_offset : nil }

    /// A JSON member name extended onto a path.
    static func path(_ parent: String, _ name: String) -> String {
        parent.isEmpty ? name : "\(parent).\(name)"
    }
}
