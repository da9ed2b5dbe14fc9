import ContonAPI
import ContonProto
import Testing

/// Byte-for-byte agreement with protoc's own encoder and decoder.
@Suite struct BinaryRoundTripTests {
    @Test func fullMessageEncodesLikeProtoc() throws {
        let expected = try TestSupport.protocEncode(KindsSample.text)
        #expect(KindsSample.message.serializedBytes() == expected)
    }

    @Test func fullMessageDecodesFromProtoc() throws {
        let bytes = try TestSupport.protocEncode(KindsSample.text)
        let decoded = try Conton_Testing_V1_Kinds(serializedBytes: bytes)
        #expect(decoded == KindsSample.message)
        #expect(decoded.serializedBytes() == bytes)
        #expect(try TestSupport.protocDecode(decoded.serializedBytes()) == TestSupport.protocDecode(bytes))
    }

    /// Every field kind on its own: protoc encodes, we decode and re-encode the same bytes.
    @Test(arguments: KindsSample.lines)
    func fieldKindRoundTrips(_ line: String) throws {
        let bytes = try TestSupport.protocEncode(line + "\n")
        #expect(!bytes.isEmpty)
        let decoded = try Conton_Testing_V1_Kinds(serializedBytes: bytes)
        #expect(decoded != Conton_Testing_V1_Kinds())
        #expect(decoded.serializedBytes() == bytes)
    }

    @Test func unknownEnumValuesSurvive() throws {
        let bytes = try TestSupport.protocEncode("level: 7\nr_level: [9, 1]\nchoice_level: 12\n")
        let decoded = try Conton_Testing_V1_Kinds(serializedBytes: bytes)
        #expect(decoded.level == .unrecognized(7))
        #expect(decoded.level.rawValue == 7)
        #expect(decoded.rLevel == [.unrecognized(9), .low])
        #expect(decoded.choiceLevel == .unrecognized(12))
        #expect(decoded.serializedBytes() == bytes)
        #expect(Conton_Testing_V1_Kinds.Level(rawValue: 2) == .high)
        #expect(Conton_Testing_V1_Kinds.Level.allCases == [.unknown, .low, .high])
    }

    @Test func unknownFieldsPassThrough() throws {
        let bytes = try TestSupport.protocEncode(KindsSample.text)
        let asEmpty = try Conton_Testing_V1_Empty(serializedBytes: bytes)
        #expect(!asEmpty.unknownFields.isEmpty)
        #expect(asEmpty.serializedBytes() == bytes)
    }

    @Test func defaultsEncodeToNothing() throws {
        #expect(Conton_Testing_V1_Kinds().serializedBytes().isEmpty)
        var m = Conton_Testing_V1_Kinds()
        m.choiceText = ""
        // A oneof member is present even at its default.
        #expect(m.serializedBytes() == [0xC2, 0x02, 0x00])
        #expect(try Conton_Testing_V1_Kinds(serializedBytes: m.serializedBytes()).choice == .choiceText(""))
    }

    @Test func presenceOfMessageFields() throws {
        var m = Conton_Testing_V1_Kinds()
        #expect(!m.hasNested)
        m.nested.name = "x"
        #expect(m.hasNested)
        m.clearNested()
        #expect(!m.hasNested && m.nested == Conton_Testing_V1_Kinds.Nested())
        m.empty = Google_Protobuf_Empty()
        let decoded = try Conton_Testing_V1_Kinds(serializedBytes: m.serializedBytes())
        #expect(decoded.hasEmpty && !decoded.hasAt)
    }

    @Test func malformedInputThrows() {
        #expect(throws: ProtoDecodingError.self) { try Conton_Testing_V1_Kinds(serializedBytes: [0x0A, 0x05, 0x01]) }
        #expect(throws: ProtoDecodingError.self) { try Conton_Testing_V1_Kinds(serializedBytes: [0xFF, 0xFF, 0xFF]) }
    }

    @Test func serializeAppendsToBuffer() {
        var buffer: [UInt8] = [0xAA]
        KindsSample.message.serialize(appendingTo: &buffer)
        #expect(buffer == [0xAA] + KindsSample.message.serializedBytes())
    }

    @Test func proto2DescriptorTypesDecodeTheDescriptorSet() throws {
        let set = try Google_Protobuf_FileDescriptorSet(serializedBytes: ProtoRegistry.fileDescriptorSet)
        let health = try #require(set.file.first { $0.name == "conton/health/v1/health.proto" })
        #expect(health.hasPackage && health.package == "conton.health.v1")
        #expect(health.service.first?.method.map(\.name) == ["Check", "Watch"])
        #expect(health.service.first?.method.last?.serverStreaming == true)
        let kinds = try #require(set.file.first { $0.name == "conton/testing/v1/kinds.proto" })
        let fields = try #require(kinds.messageType.first?.field)
        #expect(fields.first { $0.name == "r_fixed32_unpacked" }?.options.packed == false)
        #expect(fields.first { $0.name == "f_sint64" }?.type == .sint64)
        #expect(set.serializedBytes() == ProtoRegistry.fileDescriptorSet)
    }
}

/// Hostile input must fail cleanly, not exhaust the stack.
@Suite struct HostileInputTests {
    @Test func deepNestingIsRejected() throws {
        // nested { child { child { ... } } } a thousand levels deep, built inside out.
        var inner: [UInt8] = []
        for _ in 0..<1_000 {
            inner = [0x1A] + varint(inner.count) + inner  // Nested.child = 3
        }
        let bytes = [0x92, 0x01] + varint(inner.count) + inner  // Kinds.nested = 18
        #expect(throws: ProtoDecodingError.self) { try Conton_Testing_V1_Kinds(serializedBytes: bytes) }

        var ok: [UInt8] = []
        for _ in 0..<50 { ok = [0x1A] + varint(ok.count) + ok }
        let shallow = try Conton_Testing_V1_Kinds(serializedBytes: [0x92, 0x01] + varint(ok.count) + ok)
        #expect(shallow.nested.child.child.hasChild)
    }

    private func varint(_ n: Int) -> [UInt8] {
        var v = UInt64(n), out: [UInt8] = []
        while v >= 0x80 { out.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        return out + [UInt8(v)]
    }
}
