import ContonProtosC
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds a protobuf-c message struct from a ``DynamicMessage`` in `malloc`ed memory, so that
/// `protobuf_c_message_free_unpacked(message, NULL)` frees all of it.
///
/// The struct is initialised by the descriptor's own `message_init` (the generated `*__init`),
/// so untouched string fields keep exactly the descriptor's default pointer (e.g.
/// `protobuf_c_empty_string`), which `free_unpacked` knows not to free. Values whose case does not
/// fit their field's type are skipped.
enum CMessageBuilder {
    static func build(_ message: DynamicMessage) -> UnsafeMutablePointer<ProtobufCMessage> {
        let descriptor = message.descriptor.pointer
        let raw = allocate(descriptor.pointee.sizeof_message)
        let typed = raw.bindMemory(to: ProtobufCMessage.self, capacity: 1)
        protobuf_c_message_init(descriptor, raw)
        for field in message.descriptor.fields {
            if let value = message.fields[field.number] {
                write(value, field.pointer, into: raw)
            }
        }
        let unknown = message.unknownFields.fields
        if !unknown.isEmpty {
            let array = allocate(unknown.count * MemoryLayout<ProtobufCMessageUnknownField>.stride)
                .bindMemory(to: ProtobufCMessageUnknownField.self, capacity: unknown.count)
            for (i, u) in unknown.enumerated() {
                array[i] = ProtobufCMessageUnknownField(
                    tag: u.number, wire_type: ProtobufCWireType(rawValue: UInt32(u.wireType)),
                    len: u.data.count, data: copyBytes(u.data))
            }
            typed.pointee.n_unknown_fields = UInt32(unknown.count)
            typed.pointee.unknown_fields = array
        }
        return typed
    }

    private static func write(_ value: ProtoValue, _ field: UnsafePointer<ProtobufCFieldDescriptor>, into message: UnsafeMutableRawPointer) {
        let f = field.pointee
        let member = message + Int(f.offset)
        let quantifier = message + Int(f.quantifier_offset)
        if f.label == PROTOBUF_C_LABEL_REPEATED {
            guard case .list(let all) = value else { return }
            let values = all.filter { fits($0, field) }
            guard !values.isEmpty else { return }
            let stride = CLayout.elementSize(f.type)
            let array = allocate(values.count * stride)
            for (j, v) in values.enumerated() {
                store(v, at: array + j * stride)
            }
            member.storeBytes(of: UnsafeMutableRawPointer?(array), as: UnsafeMutableRawPointer?.self)
            quantifier.storeBytes(of: values.count, as: Int.self)
            return
        }
        guard fits(value, field) else { return }
        store(value, at: member)
        if f.flags & UInt32(PROTOBUF_C_FIELD_FLAG_ONEOF.rawValue) != 0 {
            quantifier.storeBytes(of: f.id, as: UInt32.self)
        } else if f.label == PROTOBUF_C_LABEL_OPTIONAL, f.type != PROTOBUF_C_TYPE_STRING, f.type != PROTOBUF_C_TYPE_MESSAGE {
            quantifier.storeBytes(of: Int32(1), as: Int32.self)
        }
    }

    /// Whether a value's case is the one the field type takes.
    private static func fits(_ value: ProtoValue, _ field: UnsafePointer<ProtobufCFieldDescriptor>) -> Bool {
        if case .message(let m) = value {
            return ProtoFieldDescriptor(field).messageType == m.descriptor
        }
        switch (field.pointee.type, value) {
        case (PROTOBUF_C_TYPE_INT32, .int32), (PROTOBUF_C_TYPE_SINT32, .int32), (PROTOBUF_C_TYPE_SFIXED32, .int32),
             (PROTOBUF_C_TYPE_INT64, .int64), (PROTOBUF_C_TYPE_SINT64, .int64), (PROTOBUF_C_TYPE_SFIXED64, .int64),
             (PROTOBUF_C_TYPE_UINT32, .uint32), (PROTOBUF_C_TYPE_FIXED32, .uint32),
             (PROTOBUF_C_TYPE_UINT64, .uint64), (PROTOBUF_C_TYPE_FIXED64, .uint64),
             (PROTOBUF_C_TYPE_FLOAT, .float), (PROTOBUF_C_TYPE_DOUBLE, .double), (PROTOBUF_C_TYPE_BOOL, .bool),
             (PROTOBUF_C_TYPE_ENUM, .enumValue), (PROTOBUF_C_TYPE_STRING, .string), (PROTOBUF_C_TYPE_BYTES, .bytes):
            return true
        default:
            return false
        }
    }

    /// Stores one value (already checked by `fits`) in C form at `at`.
    private static func store(_ value: ProtoValue, at: UnsafeMutableRawPointer) {
        switch value {
        case .int32(let v): at.storeBytes(of: v, as: Int32.self)
        case .int64(let v): at.storeBytes(of: v, as: Int64.self)
        case .uint32(let v): at.storeBytes(of: v, as: UInt32.self)
        case .uint64(let v): at.storeBytes(of: v, as: UInt64.self)
        case .float(let v): at.storeBytes(of: v, as: Float.self)
        case .double(let v): at.storeBytes(of: v, as: Double.self)
        case .bool(let v): at.storeBytes(of: v ? Int32(1) : 0, as: Int32.self)
        case .enumValue(let v): at.storeBytes(of: v, as: Int32.self)
        case .string(let s):
            at.storeBytes(of: UnsafeMutableRawPointer?(copyString(s)), as: UnsafeMutableRawPointer?.self)
        case .bytes(let b):
            at.storeBytes(of: ProtobufCBinaryData(len: b.count, data: copyBytes(b)), as: ProtobufCBinaryData.self)
        case .message(let m):
            at.storeBytes(of: UnsafeMutableRawPointer?(UnsafeMutableRawPointer(build(m))), as: UnsafeMutableRawPointer?.self)
        case .list:
            break
        }
    }

    private static func allocate(_ size: Int) -> UnsafeMutableRawPointer {
        guard let p = calloc(1, max(size, 1)) else { fatalError("out of memory building a protobuf-c message") }
        return p
    }

    /// A NUL-terminated `malloc`ed copy (C strings end at the first NUL: protobuf-c uses `strlen`).
    private static func copyString(_ s: String) -> UnsafeMutableRawPointer {
        var s = s
        return s.withUTF8 { utf8 in
            let p = allocate(utf8.count + 1)
            if let base = utf8.baseAddress { p.copyMemory(from: base, byteCount: utf8.count) }
            return p
        }
    }

    private static func copyBytes(_ b: [UInt8]) -> UnsafeMutablePointer<UInt8>? {
        guard !b.isEmpty else { return nil }
        let p = allocate(b.count)
        b.withUnsafeBytes { bytes in
            if let base = bytes.baseAddress { p.copyMemory(from: base, byteCount: bytes.count) }
        }
        return p.assumingMemoryBound(to: UInt8.self)
    }
}
