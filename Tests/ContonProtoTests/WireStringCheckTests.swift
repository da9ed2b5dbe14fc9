import ContonAPI
import ContonProto
import GRPCCore
import Testing

/// Every `string` field of every message in the descriptor set (nested fields and list
/// elements included, up to three levels) refuses a NUL byte and invalid UTF-8 on the wire, naming
/// the field, before protobuf-c sees the bytes; `bytes` fields keep any byte. The wire bytes are
/// built here by hand, independently of the encoder under test.
@Suite struct WireStringCheckTests {
    /// A path to one string (or bytes) field: the fields from the top message down.
    struct FieldPath: CustomStringConvertible {
        var steps: [ProtoFieldDescriptor]
        var leaf: ProtoFieldDescriptor { steps[steps.count - 1] }
        /// The name the server must report: repeated fields on the way are at index 1 (the test
        /// puts one harmless element before the bad one).
        var expectedName: String {
            steps.map { $0.isRepeated ? "\($0.name)[1]" : $0.name }.joined(separator: ".")
        }
        var description: String { expectedName }
    }

    /// Every string/bytes field reachable from `root`, at most `depth` messages down, never
    /// entering a type twice on one path.
    static func paths(_ root: ProtoMessageDescriptor, kind: ProtoFieldType, depth: Int = 3) -> [FieldPath] {
        var out: [FieldPath] = []
        func walk(_ d: ProtoMessageDescriptor, _ prefix: [ProtoFieldDescriptor], _ seen: Set<String>) {
            for field in d.fields {
                if field.type == kind { out.append(FieldPath(steps: prefix + [field])) }
                if let sub = field.messageType, prefix.count + 1 < depth, !seen.contains(sub.fullName) {
                    walk(sub, prefix + [field], seen.union([sub.fullName]))
                }
            }
        }
        walk(root, [], [root.fullName])
        return out
    }

    // MARK: a tiny independent wire encoder

    static func varint(_ value: UInt64) -> [UInt8] {
        var v = value, out: [UInt8] = []
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
        return out
    }

    static func lengthDelimited(_ number: Int32, _ payload: [UInt8]) -> [UInt8] {
        varint(UInt64(number) << 3 | 2) + varint(UInt64(payload.count)) + payload
    }

    /// The bytes of the top message with `value` in the leaf; a repeated field on the way gets a
    /// harmless element first (an empty message, or "ok" for a string/bytes leaf).
    static func encode(_ path: FieldPath, value: [UInt8]) -> [UInt8] {
        var inner = value
        for (i, field) in path.steps.enumerated().reversed() {
            let isLeaf = i == path.steps.count - 1
            var bytes: [UInt8] = []
            if field.isRepeated {
                // A map entry's key/value of the right type keeps the entry valid when empty.
                bytes += lengthDelimited(field.number, isLeaf ? Array("ok".utf8) : [])
            }
            bytes += lengthDelimited(field.number, inner)
            inner = bytes
        }
        return inner
    }

    static let badValues: [(name: String, bytes: [UInt8], problem: String)] = [
        ("NUL", Array("right password".utf8) + [0] + Array("anything".utf8), "NUL"),
        ("NUL alone", [0], "NUL"),
        ("ff fe cd", [0xFF, 0xFE, 0xCD], "UTF-8"),
        ("overlong '/'", [0x61, 0xC0, 0xAF], "UTF-8"),
        ("surrogate U+D800", [0xED, 0xA0, 0x80], "UTF-8"),
        ("above U+10FFFF", [0xF4, 0x90, 0x80, 0x80], "UTF-8"),
        ("truncated €", [0x20, 0xE2, 0x82], "UTF-8"),
        ("lone continuation", [0x80], "UTF-8"),
    ]

    static let messages = ProtoMessageDescriptor.all.filter { !$0.isMapEntry }

    @Test func everyStringFieldOfEveryMessageRefusesNULAndInvalidUTF8() throws {
        var checked = 0, messagesWithStrings = 0
        for message in Self.messages {
            let paths = Self.paths(message, kind: .string)
            if !paths.isEmpty { messagesWithStrings += 1 }
            for path in paths {
                for bad in Self.badValues {
                    let bytes = Self.encode(path, value: bad.bytes)
                    do {
                        _ = try ProtoCodec.decode(bytes, as: message)
                        Issue.record("\(message.fullName).\(path) accepted \(bad.name)")
                    } catch let error as ProtoDecodingError {
                        #expect(error.field == path.expectedName, "\(message.fullName) \(bad.name): \(error)")
                        #expect(error.fieldProblem?.contains(bad.problem) == true, "\(message.fullName).\(path): \(error)")
                    }
                    checked += 1
                }
                // Valid UTF-8 beyond ASCII passes and arrives unchanged.
                // (descriptor.proto's UninterpretedOption.NamePart has proto2 required fields the
                // path leaves unset, which protobuf-c rightly refuses.)
                let good = "João, Conceição ✓ 𝄞"
                let encoded = Self.encode(path, value: Array(good.utf8))
                guard let decoded = try? ProtoCodec.decode(encoded, as: message) else {
                    #expect(path.steps.contains { $0.messageType?.fullName == "google.protobuf.UninterpretedOption.NamePart" }
                            || message.fullName == "google.protobuf.UninterpretedOption.NamePart", "\(message.fullName).\(path)")
                    continue
                }
                #expect(Self.leafValue(decoded, path) == .string(good), "\(message.fullName).\(path)")
            }
        }
        // The descriptor set really was walked (every service's requests have strings).
        #expect(messagesWithStrings > 100, "only \(messagesWithStrings) messages with strings")
        #expect(checked > 1000)
    }

    @Test func bytesFieldsKeepNULsAndAnyByte() throws {
        var checked = 0
        for message in Self.messages {
            for path in Self.paths(message, kind: .bytes) {
                let raw: [UInt8] = [0x00, 0xFF, 0xFE, 0xCD, 0x00]
                guard let decoded = try? ProtoCodec.decode(Self.encode(path, value: raw), as: message) else {
                    Issue.record("\(message.fullName).\(path) refused bytes")
                    continue
                }
                #expect(Self.leafValue(decoded, path) == .bytes(raw), "\(message.fullName).\(path)")
                checked += 1
            }
        }
        #expect(checked > 5)
    }

    /// Through GRPCCore's deserializer: INVALID_ARGUMENT whose violation names the field.
    @Test func deserializerAnswersInvalidArgumentWithTheFieldViolation() throws {
        let login = try #require(ProtoMessageDescriptor.named("conton.identity.v1.LoginRequest"))
        let password = try #require(login.field(protoName: "password"))
        let bytes = Self.encode(FieldPath(steps: [password]), value: Array("correct horse 42".utf8) + [0, 0x78])
        do {
            _ = try ProtoDeserializer<Conton_Identity_V1_LoginRequest>().deserialize(bytes)
            Issue.record("accepted")
        } catch let error as RPCError {
            #expect(error.code == .invalidArgument)
            #expect(error.message == "password: must not contain a NUL character (U+0000)")
            // A google.rpc.Status in grpc-status-details-bin: same code and message, one BadRequest.
            let encoded = try #require(error.metadata[binaryValues: ErrorDetails.metadataKey].first(where: { _ in true }))
            let status = try ProtoCodec.decode(encoded, messageName: "google.rpc.Status")
            #expect(status[1] == .int32(3))
            #expect(status[2] == .string(error.message))
            guard case .list(let anys)? = status[3], anys.count == 1, case .message(let any)? = anys.first else {
                Issue.record("not one detail in \(status)")
                return
            }
            #expect(any[1] == .string("type.googleapis.com/google.rpc.BadRequest"))
            guard case .bytes(let value)? = any[2] else { Issue.record("no value in \(any)"); return }
            let badRequest = try ProtoCodec.decode(value, messageName: "google.rpc.BadRequest")
            guard case .list(let violations)? = badRequest[1], case .message(let violation)? = violations.first else {
                Issue.record("no violation in \(badRequest)")
                return
            }
            #expect(violation[1] == .string("password"))
            #expect(violation[2] == .string("must not contain a NUL character (U+0000)"))
        }
    }

    /// The value at the end of `path` in a decoded message (index 1 of repeated fields).
    static func leafValue(_ message: DynamicMessage, _ path: FieldPath) -> ProtoValue? {
        var current: ProtoValue? = .message(message)
        for field in path.steps {
            guard case .message(let m)? = current else { return nil }
            current = m[field.number]
            if field.isRepeated {
                guard case .list(let items)? = current, items.count == 2 else { return nil }
                current = items[1]
            }
        }
        return current
    }

    /// JSON (the CLI) cannot smuggle a NUL either: protobuf-c would cut the string there, so the
    /// mapping refuses it, naming the field.
    @Test func jsonStringsWithNULAreRefused() throws {
        do {
            _ = try ProtoJSON.decode(json: #"{"email":"a@b.example","password":"right\u0000junk"}"#,
                                     messageName: "conton.identity.v1.LoginRequest")
            Issue.record("accepted")
        } catch let error as ProtoJSONError {
            #expect(error.path == "password")
            #expect(error.reason.contains("NUL"))
        }
    }
}
