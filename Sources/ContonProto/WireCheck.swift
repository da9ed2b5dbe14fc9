/// Guards libprotobuf-c against deeply nested input: `protobuf_c_message_unpack` (and the
/// conversion that follows) recurse once per nesting level, so a 4 MiB message of nested
/// 2-byte headers could exhaust the stack. This scan walks the wire format iteratively, following
/// only length-delimited fields the descriptor says are messages, and reports the deepest level.
enum WireDepthCheck {
    /// Nesting deeper than this is rejected before unpacking.
    static let maxDepth = 100

    /// Whether the bytes nest messages no deeper than ``maxDepth``. Malformed input passes (the
    /// real decoder rejects it).
    static func isWithinLimit(_ bytes: UnsafeBufferPointer<UInt8>, _ descriptor: ProtoMessageDescriptor) -> Bool {
        var stack: [(end: Int, descriptor: ProtoMessageDescriptor)] = [(bytes.count, descriptor)]
        var i = 0
        while let top = stack.last {
            if i >= top.end {
                stack.removeLast()
                if stack.isEmpty { return true }
                continue
            }
            guard let key = varint(bytes, &i) else { return true }
            let number = key >> 3
            switch key & 7 {
            case 0: guard varint(bytes, &i) != nil else { return true }
            case 1: i += 8
            case 5: i += 4
            case 2:
                guard let length = varint(bytes, &i), length <= UInt64(top.end - i) else { return true }
                let end = i + Int(length)
                if number <= UInt64(Int32.max), let field = top.descriptor.field(number: Int32(number)),
                   let sub = field.messageType {
                    guard stack.count < maxDepth else { return false }
                    stack.append((end, sub))
                } else {
                    i = end
                }
            default: return true  // groups and invalid wire types: protobuf-c decides
            }
        }
        return true
    }

    private static func varint(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while i < b.count, shift < 64 {
            let byte = b[i]
            i += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
        return nil
    }
}
