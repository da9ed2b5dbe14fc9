import ContonProtosC

/// One field of a protobuf-c message descriptor: number, label, type, and where the field lives in
/// the C struct.
public struct ProtoFieldDescriptor: @unchecked Sendable, Hashable, CustomStringConvertible {
    /// The protobuf-c field descriptor; valid for the life of the process.
    public let pointer: UnsafePointer<ProtobufCFieldDescriptor>

    init(_ pointer: UnsafePointer<ProtobufCFieldDescriptor>) {
        self.pointer = pointer
    }

    /// The proto field name, e.g. `"response_size"`.
    public var name: String { String(cString: pointer.pointee.name) }

    /// The proto3 JSON name: the lowerCamelCase of `name` (`"responseSize"`).
    public var jsonName: String { ProtoNaming.jsonName(name) }

    /// The field number.
    public var number: Int32 { Int32(bitPattern: pointer.pointee.id) }

    /// The field's type.
    public var type: ProtoFieldType { ProtoFieldType(pointer.pointee.type) }

    /// Whether the field is `repeated` (maps are repeated entry messages).
    public var isRepeated: Bool { pointer.pointee.label == PROTOBUF_C_LABEL_REPEATED }

    /// Whether the field tracks presence: proto2 `optional`/`required`, oneof members, messages.
    public var hasPresence: Bool {
        let label = pointer.pointee.label
        if label == PROTOBUF_C_LABEL_REPEATED { return false }
        return label != PROTOBUF_C_LABEL_NONE || isOneofMember || type == .message
    }

    /// Whether the field belongs to a `oneof`.
    public var isOneofMember: Bool { pointer.pointee.flags & UInt32(PROTOBUF_C_FIELD_FLAG_ONEOF.rawValue) != 0 }

    /// Whether a repeated scalar field is written packed.
    public var isPacked: Bool { pointer.pointee.flags & UInt32(PROTOBUF_C_FIELD_FLAG_PACKED.rawValue) != 0 }

    /// The message type of a message (or map) field.
    public var messageType: ProtoMessageDescriptor? {
        guard type == .message, let raw = pointer.pointee.descriptor else { return nil }
        return ProtoMessageDescriptor(raw.assumingMemoryBound(to: ProtobufCMessageDescriptor.self))
    }

    /// The enum type of an enum field.
    public var enumType: ProtoEnumDescriptor? {
        guard type == .enum, let raw = pointer.pointee.descriptor else { return nil }
        return ProtoEnumDescriptor(raw.assumingMemoryBound(to: ProtobufCEnumDescriptor.self))
    }

    /// Whether this is a `map<K, V>` field (a repeated field of a map-entry message).
    public var isMap: Bool { isRepeated && (messageType?.isMapEntry ?? false) }

    public var description: String { "\(name) = \(number)" }
}

/// The type of a protobuf field, as protobuf-c names it.
public enum ProtoFieldType: Sendable, Hashable {
    case int32, sint32, sfixed32, int64, sint64, sfixed64
    case uint32, fixed32, uint64, fixed64
    case float, double, bool, `enum`, string, bytes, message

    init(_ c: ProtobufCType) {
        switch c {
        case PROTOBUF_C_TYPE_INT32: self = .int32
        case PROTOBUF_C_TYPE_SINT32: self = .sint32
        case PROTOBUF_C_TYPE_SFIXED32: self = .sfixed32
        case PROTOBUF_C_TYPE_INT64: self = .int64
        case PROTOBUF_C_TYPE_SINT64: self = .sint64
        case PROTOBUF_C_TYPE_SFIXED64: self = .sfixed64
        case PROTOBUF_C_TYPE_UINT32: self = .uint32
        case PROTOBUF_C_TYPE_FIXED32: self = .fixed32
        case PROTOBUF_C_TYPE_UINT64: self = .uint64
        case PROTOBUF_C_TYPE_FIXED64: self = .fixed64
        case PROTOBUF_C_TYPE_FLOAT: self = .float
        case PROTOBUF_C_TYPE_DOUBLE: self = .double
        case PROTOBUF_C_TYPE_BOOL: self = .bool
        case PROTOBUF_C_TYPE_ENUM: self = .enum
        case PROTOBUF_C_TYPE_STRING: self = .string
        case PROTOBUF_C_TYPE_BYTES: self = .bytes
        default: self = .message
        }
    }

    /// The default (zero) value of a singular field of this type; `nil` for messages.
    var zeroValue: ProtoValue? {
        switch self {
        case .int32, .sint32, .sfixed32: .int32(0)
        case .int64, .sint64, .sfixed64: .int64(0)
        case .uint32, .fixed32: .uint32(0)
        case .uint64, .fixed64: .uint64(0)
        case .float: .float(0)
        case .double: .double(0)
        case .bool: .bool(false)
        case .enum: .enumValue(0)
        case .string: .string("")
        case .bytes: .bytes([])
        case .message: nil
        }
    }
}
