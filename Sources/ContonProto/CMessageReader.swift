import ContonProtosC

/// Converts a protobuf-c message struct into a ``DynamicMessage``, walking the descriptor's
/// field offsets, quantifiers, labels, types and oneof flags. Reads only; never frees.
enum CMessageReader {
    static func read(_ message: UnsafeRawPointer, _ descriptor: ProtoMessageDescriptor) -> DynamicMessage {
        var result = DynamicMessage(descriptor)
        let d = descriptor.pointer.pointee
        if let fields = d.fields {
            for i in 0..<Int(d.n_fields) {
                let field = fields + i
                if let value = readField(message, field) {
                    result.fields[Int32(bitPattern: field.pointee.id)] = value
                }
            }
        }
        let header = message.assumingMemoryBound(to: ProtobufCMessage.self).pointee
        if header.n_unknown_fields > 0, let unknown = header.unknown_fields {
            result.unknownFields = ProtoUnknownFields((0..<Int(header.n_unknown_fields)).map { i in
                let u = unknown[i]
                let data = u.data.map { [UInt8](UnsafeBufferPointer(start: $0, count: u.len)) } ?? []
                return ProtoUnknownFields.Field(number: u.tag, wireType: UInt8(truncatingIfNeeded: u.wire_type.rawValue), data: data)
            })
        }
        return result
    }

    /// The field's value, or `nil` when it is absent (or, without presence, at its default).
    private static func readField(_ message: UnsafeRawPointer, _ field: UnsafePointer<ProtobufCFieldDescriptor>) -> ProtoValue? {
        let f = field.pointee
        let member = message + Int(f.offset)
        let quantifier = message + Int(f.quantifier_offset)
        let isPointer = f.type == PROTOBUF_C_TYPE_STRING || f.type == PROTOBUF_C_TYPE_MESSAGE

        if f.label == PROTOBUF_C_LABEL_REPEATED {
            let count = quantifier.load(as: Int.self)
            guard count > 0, let array = member.load(as: UnsafeRawPointer?.self) else { return nil }
            let stride = CLayout.elementSize(f.type)
            var list: [ProtoValue] = []
            list.reserveCapacity(count)
            for j in 0..<count {
                if let v = readValue(array + j * stride, field) { list.append(v) }
            }
            return .list(list)
        }
        if f.flags & UInt32(PROTOBUF_C_FIELD_FLAG_ONEOF.rawValue) != 0 {
            guard quantifier.load(as: UInt32.self) == f.id else { return nil }
            if isPointer && !pointerIsSet(member, f) { return nil }
            return readValue(member, field)
        }
        switch f.label {
        case PROTOBUF_C_LABEL_REQUIRED:
            return readValue(member, field)
        case PROTOBUF_C_LABEL_OPTIONAL:
            if isPointer { return pointerIsSet(member, f) ? readValue(member, field) : nil }
            return quantifier.load(as: Int32.self) != 0 ? readValue(member, field) : nil
        default:  // proto3 field without presence (messages have presence by pointer)
            guard let v = readValue(member, field) else { return nil }
            if case .message = v { return v }
            return v.isDefault ? nil : v
        }
    }

    private static func pointerIsSet(_ member: UnsafeRawPointer, _ f: ProtobufCFieldDescriptor) -> Bool {
        guard let p = member.load(as: UnsafeRawPointer?.self) else { return false }
        return p != f.default_value
    }

    /// One value of the field's type at `at` (an element of a repeated field, or the member).
    private static func readValue(_ at: UnsafeRawPointer, _ field: UnsafePointer<ProtobufCFieldDescriptor>) -> ProtoValue? {
        let f = field.pointee
        switch f.type {
        case PROTOBUF_C_TYPE_INT32, PROTOBUF_C_TYPE_SINT32, PROTOBUF_C_TYPE_SFIXED32:
            return .int32(at.load(as: Int32.self))
        case PROTOBUF_C_TYPE_INT64, PROTOBUF_C_TYPE_SINT64, PROTOBUF_C_TYPE_SFIXED64:
            return .int64(at.load(as: Int64.self))
        case PROTOBUF_C_TYPE_UINT32, PROTOBUF_C_TYPE_FIXED32:
            return .uint32(at.load(as: UInt32.self))
        case PROTOBUF_C_TYPE_UINT64, PROTOBUF_C_TYPE_FIXED64:
            return .uint64(at.load(as: UInt64.self))
        case PROTOBUF_C_TYPE_FLOAT:
            return .float(at.load(as: Float.self))
        case PROTOBUF_C_TYPE_DOUBLE:
            return .double(at.load(as: Double.self))
        case PROTOBUF_C_TYPE_BOOL:
            return .bool(at.load(as: Int32.self) != 0)
        case PROTOBUF_C_TYPE_ENUM:
            return .enumValue(at.load(as: Int32.self))
        case PROTOBUF_C_TYPE_STRING:
            guard let s = at.load(as: UnsafePointer<CChar>?.self) else { return .string("") }
            return .string(String(cString: s))
        case PROTOBUF_C_TYPE_BYTES:
            let b = at.load(as: ProtobufCBinaryData.self)
            guard b.len > 0, let data = b.data else { return .bytes([]) }
            return .bytes([UInt8](UnsafeBufferPointer(start: data, count: b.len)))
        case PROTOBUF_C_TYPE_MESSAGE:
            guard let sub = at.load(as: UnsafeRawPointer?.self), let type = ProtoFieldDescriptor(field).messageType else {
                return nil
            }
            return .message(read(sub, type))
        default:
            return nil
        }
    }
}

/// Sizes of protobuf-c's in-struct representations.
enum CLayout {
    /// The size of one element of a repeated field's C array.
    static func elementSize(_ type: ProtobufCType) -> Int {
        switch type {
        case PROTOBUF_C_TYPE_INT64, PROTOBUF_C_TYPE_SINT64, PROTOBUF_C_TYPE_SFIXED64,
             PROTOBUF_C_TYPE_UINT64, PROTOBUF_C_TYPE_FIXED64, PROTOBUF_C_TYPE_DOUBLE:
            return 8
        case PROTOBUF_C_TYPE_STRING, PROTOBUF_C_TYPE_MESSAGE:
            return MemoryLayout<UnsafeRawPointer>.size
        case PROTOBUF_C_TYPE_BYTES:
            return MemoryLayout<ProtobufCBinaryData>.size
        default:  // 32-bit scalars, enums, protobuf_c_boolean (int)
            return 4
        }
    }
}
