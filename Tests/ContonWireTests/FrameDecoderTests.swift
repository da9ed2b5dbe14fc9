import ContonWire
import NIOCore
import Testing

@Suite struct FrameDecoderTests {
    func bytes(_ frames: [Frame]) -> ByteBuffer {
        var out = ByteBuffer()
        for f in frames { out.writeFrame(f) }
        return out
    }

    func decodeAll(_ input: ByteBuffer, chunk: Int, decoder: inout FrameDecoder) throws -> [InboundFrame] {
        var results: [InboundFrame] = []
        var cumulation = ByteBuffer()
        var input = input
        while input.readableBytes > 0 {
            var piece = input.readSlice(length: min(chunk, input.readableBytes))!
            cumulation.writeBuffer(&piece)
            while let f = try decoder.decode(buffer: &cumulation) { results.append(f) }
        }
        return results
    }

    let sample: [Frame] = [
        Frame(type: .headers, callID: 1, payload: ByteBuffer(bytes: [0x0a, 0x03, 0x61, 0x2f, 0x62])),
        Frame(type: .message, flags: .endStream, callID: 1, payload: ByteBuffer(bytes: Array(repeating: 7, count: 300))),
        Frame(type: .message, callID: 3, payload: ByteBuffer()),
        Frame(type: .ping, callID: 0, payload: ByteBuffer(bytes: [1, 2, 3, 4, 5, 6, 7, 8])),
        Frame(type: .halfClose, callID: 3),
        Frame(type: .trailers, callID: 1, payload: ByteBuffer(bytes: [0x08, 0x00])),
    ]

    @Test(arguments: [1, 2, 3, 9, 10, 11, 64, 4096])
    func splitAndCoalescedReadsGiveTheSameFrames(chunk: Int) throws {
        var decoder = FrameDecoder(maxMessageSize: 4 << 20)
        let got = try decodeAll(bytes(sample), chunk: chunk, decoder: &decoder)
        #expect(got == sample.map { .frame($0) })
    }

    @Test func headerIsBigEndianTenBytes() {
        var buf = ByteBuffer()
        buf.writeFrame(Frame(type: .message, flags: .endStream, callID: 0x0102_0304, payload: ByteBuffer(bytes: [0xAA])))
        #expect(Array(buf.readableBytesView) == [0, 0, 0, 1, 0x02, 0x01, 0x01, 0x02, 0x03, 0x04, 0xAA])
    }

    @Test func oversizedMessageIsReportedAndSkippedWithoutBuffering() throws {
        var decoder = FrameDecoder(maxMessageSize: 1000)
        let big = Frame(type: .message, callID: 5, payload: ByteBuffer(bytes: Array(repeating: 1, count: 5000)))
        let after = Frame(type: .message, callID: 7, payload: ByteBuffer(bytes: [42]))
        var cumulation = ByteBuffer()
        // Only the header arrives: the decoder reports at once, before the payload exists.
        var input = bytes([big, after])
        var header = input.readSlice(length: Frame.headerSize)!
        cumulation.writeBuffer(&header)
        #expect(try decoder.decode(buffer: &cumulation) == .oversizedMessage(callID: 5, length: 5000))
        // The payload is dropped as it streams in; nothing accumulates.
        var results: [InboundFrame] = []
        while input.readableBytes > 0 {
            var piece = input.readSlice(length: min(700, input.readableBytes))!
            cumulation.writeBuffer(&piece)
            while let f = try decoder.decode(buffer: &cumulation) { results.append(f) }
            #expect(cumulation.readableBytes <= 700)
        }
        #expect(results == [.frame(after)])
    }

    @Test func messageAtExactlyTheLimitIsAccepted() throws {
        var decoder = FrameDecoder(maxMessageSize: 16)
        let f = Frame(type: .message, callID: 1, payload: ByteBuffer(bytes: Array(repeating: 1, count: 16)))
        #expect(try decodeAll(bytes([f]), chunk: 100, decoder: &decoder) == [.frame(f)])
    }

    static let garbage: [(String, [UInt8])] = [
        ("unknown type", [0, 0, 0, 0, 0x7F, 0, 0, 0, 0, 1]),
        ("type zero", [0, 0, 0, 0, 0x00, 0, 0, 0, 0, 1]),
        ("unknown flag", [0, 0, 0, 0, 0x02, 0x80, 0, 0, 0, 1]),
        ("END_STREAM on HEADERS", [0, 0, 0, 0, 0x01, 0x01, 0, 0, 0, 1]),
        ("call frame on call 0", [0, 0, 0, 0, 0x01, 0, 0, 0, 0, 0]),
        ("ping on a call", [0, 0, 0, 8, 0x06, 0, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8]),
        ("short ping", [0, 0, 0, 2, 0x06, 0, 0, 0, 0, 0, 1, 2]),
        ("half-close with payload", [0, 0, 0, 1, 0x03, 0, 0, 0, 0, 1, 9]),
        ("huge headers", [0x7F, 0xFF, 0xFF, 0xFF, 0x01, 0, 0, 0, 0, 1]),
        ("HTTP/1 request", Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)),
    ]

    @Test(arguments: garbage)
    func garbageIsAProtocolViolation(_ name: String, _ raw: [UInt8]) {
        var decoder = FrameDecoder(maxMessageSize: 4 << 20)
        var buf = ByteBuffer(bytes: raw)
        #expect(throws: ProtocolViolation.self, "\(name)") {
            while try decoder.decode(buffer: &buf) != nil {}
        }
    }
}
