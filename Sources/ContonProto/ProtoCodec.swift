import ContonProtosC

/// Binary encoding and decoding of ``DynamicMessage`` values by libprotobuf-c.
public enum ProtoCodec {
    /// Decodes bytes as a message of the given type with `protobuf_c_message_unpack`; the C struct
    /// is converted and freed before this returns.
    /// - Throws: ``ProtoDecodingError`` when protobuf-c rejects the bytes, when messages nest
    ///   too deep, or when a `string` field holds a NUL or invalid UTF-8 (``ProtoDecodingError/field``
    ///   names it).
    public static func decode(_ bytes: some Collection<UInt8>, as descriptor: ProtoMessageDescriptor) throws -> DynamicMessage {
        let decoded = bytes.withContiguousStorageIfAvailable { buffer in
            unpackAndConvert(buffer, descriptor)
        } ?? Array(bytes).withUnsafeBufferPointer { unpackAndConvert($0, descriptor) }
        switch decoded {
        case .message(let message):
            return message
        case .tooDeep:
            throw ProtoDecodingError(messageName: descriptor.fullName, reason: "messages nested deeper than \(WireCheck.maxDepth) levels")
        case .invalidString(let path, let problem):
            throw ProtoDecodingError(messageName: descriptor.fullName, field: path, fieldProblem: problem.description)
        case .invalid:
            throw ProtoDecodingError(
                messageName: descriptor.fullName,
                reason: "\(bytes.count) bytes are not a valid encoding (truncated, malformed, or missing a required field)")
        }
    }

    /// Decodes bytes as the registered message with this full name.
    /// - Throws: ``ProtoDecodingError`` for an unknown name or invalid bytes.
    public static func decode(_ bytes: some Collection<UInt8>, messageName: String) throws -> DynamicMessage {
        guard let descriptor = ProtoMessageDescriptor.named(messageName) else {
            throw ProtoDecodingError(messageName: messageName, reason: "no such message is registered")
        }
        return try decode(bytes, as: descriptor)
    }

    /// The binary encoding of a message, packed by `protobuf_c_message_pack`.
    public static func encode(_ message: DynamicMessage) -> [UInt8] {
        let c = CMessageBuilder.build(message)
        defer { protobuf_c_message_free_unpacked(c, nil) }
        let size = protobuf_c_message_get_packed_size(c)
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = buffer.baseAddress.map { protobuf_c_message_pack(c, $0) } ?? 0
        }
    }

    /// Appends the binary encoding of a message to `buffer`.
    public static func encode(_ message: DynamicMessage, appendingTo buffer: inout [UInt8]) {
        let c = CMessageBuilder.build(message)
        defer { protobuf_c_message_free_unpacked(c, nil) }
        let size = protobuf_c_message_get_packed_size(c)
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: size))
        buffer.withUnsafeMutableBufferPointer { all in
            if let base = all.baseAddress { _ = protobuf_c_message_pack(c, base + start) }
        }
    }

    private enum UnpackResult {
        case message(DynamicMessage)
        case tooDeep
        case invalidString(path: String, WireCheck.StringProblem)
        case invalid
    }

    private static func unpackAndConvert(_ buffer: UnsafeBufferPointer<UInt8>, _ descriptor: ProtoMessageDescriptor) -> UnpackResult {
        switch WireCheck.check(buffer, descriptor) {
        case .tooDeep?: return .tooDeep
        case .invalidString(let path, let problem)?: return .invalidString(path: path, problem)
        case nil: break
        }
        var empty: UInt8 = 0
        return withUnsafePointer(to: &empty) { emptyPointer in
            let base = buffer.baseAddress ?? emptyPointer
            guard let c = protobuf_c_message_unpack(descriptor.pointer, nil, buffer.count, base) else { return .invalid }
            defer { protobuf_c_message_free_unpacked(c, nil) }
            return .message(CMessageReader.read(UnsafeRawPointer(c), descriptor))
        }
    }
}
