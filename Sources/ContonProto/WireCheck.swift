/// Checks a message's wire bytes before libprotobuf-c sees them, in one iterative walk that
/// follows only the length-delimited fields the descriptor says are messages:
///
/// - **Nesting.** `protobuf_c_message_unpack` (and the conversion that follows) recurse once per
///   nesting level, so a 4 MiB message of nested 2-byte headers could exhaust the stack; deeper
///   than ``maxDepth`` is refused.
/// - **Strings.** protobuf-c keeps `string` fields as C strings, so everything after a NUL byte
///   would be dropped silently (a password with junk after a NUL would match), and invalid UTF-8
///   would be rewritten to U+FFFD on the way into Swift. proto3 requires `string` fields to be
///   valid UTF-8; a `string` field with a NUL or invalid UTF-8 is refused, naming the field.
///   `bytes` fields keep any byte.
///
/// Malformed input passes (the real decoder rejects it).
enum WireCheck {
    /// Nesting deeper than this is rejected before unpacking.
    static let maxDepth = 100

    /// What is wrong with a string field.
    enum StringProblem: Sendable, Equatable {
        case nul
        case invalidUTF8

        var description: String {
            switch self {
            case .nul: "must not contain a NUL character (U+0000)"
            case .invalidUTF8: "must be valid UTF-8"
            }
        }
    }

    /// Why the bytes are refused.
    enum Finding: Sendable, Equatable {
        case tooDeep
        /// `path`: the field's dotted path in proto names, list elements as `items[2]`.
        case invalidString(path: String, StringProblem)
    }

    /// One message being walked: where it ends, its type, and how it was entered.
    private struct Frame {
        var start: Int
        var end: Int
        var descriptor: ProtoMessageDescriptor
        /// The field (in the parent) holding this message, and where its tag starts.
        var field: ProtoFieldDescriptor?
        var tagOffset: Int
    }

    /// The first reason to refuse the bytes, or nil when they may go to protobuf-c.
    static func check(_ bytes: UnsafeBufferPointer<UInt8>, _ descriptor: ProtoMessageDescriptor) -> Finding? {
        var stack: [Frame] = [Frame(start: 0, end: bytes.count, descriptor: descriptor, field: nil, tagOffset: 0)]
        var i = 0
        while let top = stack.last {
            if i >= top.end {
                stack.removeLast()
                if stack.isEmpty { return nil }
                continue
            }
            let tagOffset = i
            guard let key = varint(bytes, &i) else { return nil }
            let number = key >> 3
            switch key & 7 {
            case 0: guard varint(bytes, &i) != nil else { return nil }
            case 1: i += 8
            case 5: i += 4
            case 2:
                guard let length = varint(bytes, &i), length <= UInt64(top.end - i) else { return nil }
                let end = i + Int(length)
                guard number <= UInt64(Int32.max), let field = top.descriptor.field(number: Int32(number)) else {
                    i = end
                    continue
                }
                if let sub = field.messageType {
                    guard stack.count < maxDepth else { return .tooDeep }
                    stack.append(Frame(start: i, end: end, descriptor: sub, field: field, tagOffset: tagOffset))
                    continue
                }
                if field.type == .string, let problem = stringProblem(bytes, i, end) {
                    return .invalidString(path: path(bytes, stack, field, tagOffset), problem)
                }
                i = end
            default: return nil  // groups and invalid wire types: protobuf-c decides
            }
        }
        return nil
    }

    /// A NUL byte or invalid UTF-8 (overlong forms, surrogates, above U+10FFFF, truncated
    /// sequences) in `bytes[start..<end]`.
    static func stringProblem(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> StringProblem? {
        var i = start
        while i < end {
            let c = b[i]
            if c == 0 { return .nul }
            if c < 0x80 {
                i += 1
                continue
            }
            let count: Int, low: UInt8, high: UInt8  // bounds of the second byte
            switch c {
            case 0xC2...0xDF: (count, low, high) = (2, 0x80, 0xBF)
            case 0xE0: (count, low, high) = (3, 0xA0, 0xBF)
            case 0xE1...0xEC, 0xEE...0xEF: (count, low, high) = (3, 0x80, 0xBF)
            case 0xED: (count, low, high) = (3, 0x80, 0x9F)  // no surrogates
            case 0xF0: (count, low, high) = (4, 0x90, 0xBF)
            case 0xF1...0xF3: (count, low, high) = (4, 0x80, 0xBF)
            case 0xF4: (count, low, high) = (4, 0x80, 0x8F)  // at most U+10FFFF
            default: return .invalidUTF8
            }
            guard end - i >= count, b[i + 1] >= low, b[i + 1] <= high else { return .invalidUTF8 }
            for k in 2..<count where b[i + k] & 0xC0 != 0x80 { return .invalidUTF8 }
            i += count
        }
        return nil
    }

    /// The dotted path of `field` (whose tag starts at `tagOffset` inside the top frame), with
    /// `[n]` for the n-th element (0-based) of every repeated field on the way.
    private static func path(_ b: UnsafeBufferPointer<UInt8>, _ stack: [Frame], _ field: ProtoFieldDescriptor, _ tagOffset: Int) -> String {
        var parts: [String] = []
        func name(_ field: ProtoFieldDescriptor, in frame: Frame, at offset: Int) -> String {
            guard field.isRepeated else { return field.name }
            let index = occurrences(b, of: field.number, from: frame.start, before: offset)
            return "\(field.name)[\(index)]"
        }
        for level in 1..<max(1, stack.count) {
            let frame = stack[level]
            if let entered = frame.field { parts.append(name(entered, in: stack[level - 1], at: frame.tagOffset)) }
        }
        parts.append(name(field, in: stack[stack.count - 1], at: tagOffset))
        return parts.joined(separator: ".")
    }

    /// How many fields numbered `number` start in `b[from..<before]` at this message's level.
    private static func occurrences(_ b: UnsafeBufferPointer<UInt8>, of number: Int32, from: Int, before: Int) -> Int {
        var i = from, count = 0
        while i < before {
            guard let key = varint(b, &i) else { return count }
            if key >> 3 == UInt64(number) { count += 1 }
            switch key & 7 {
            case 0: guard varint(b, &i) != nil else { return count }
            case 1: i += 8
            case 5: i += 4
            case 2:
                guard let length = varint(b, &i), length <= UInt64(before - i) else { return count }
                i += Int(length)
            default: return count
            }
        }
        return count
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
