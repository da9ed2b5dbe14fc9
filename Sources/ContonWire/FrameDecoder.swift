import NIOCore

/// What the frame decoder produces.
public enum InboundFrame: Sendable, Hashable {
    /// A complete frame.
    case frame(Frame)
    /// A `MESSAGE` frame whose declared length exceeds the message limit. Its payload is skipped
    /// as it arrives and never buffered; the call is to be failed with RESOURCE_EXHAUSTED.
    case oversizedMessage(callID: UInt32, length: Int)
}

/// Splits a byte stream into frames, checking every header before any payload is buffered.
///
/// - A `MESSAGE` longer than `maxMessageSize` becomes `.oversizedMessage` and its payload is
///   discarded as it streams in (the connection carries on).
/// - Any other frame longer than `maxControlPayload`, an unknown type or flag, or a call id that
///   doesn't fit the type is a ``ProtocolViolation``.
public struct FrameDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = InboundFrame

    public let maxMessageSize: Int
    public let maxControlPayload: Int
    /// Payload bytes still to drop from an oversized message.
    private var discarding = 0

    public init(maxMessageSize: Int, maxControlPayload: Int = 64 * 1024) {
        self.maxMessageSize = maxMessageSize
        self.maxControlPayload = maxControlPayload
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> InboundFrame? {
        if self.discarding > 0 {
            let n = min(self.discarding, buffer.readableBytes)
            buffer.moveReaderIndex(forwardBy: n)
            self.discarding -= n
            if self.discarding > 0 { return nil }
        }
        guard buffer.readableBytes >= Frame.headerSize,
              let (length, rawType, rawFlags, callID) = buffer.getMultipleIntegers(
                at: buffer.readerIndex, as: (UInt32, UInt8, UInt8, UInt32).self)
        else { return nil }

        guard let type = FrameType(rawValue: rawType) else {
            throw ProtocolViolation("unknown frame type 0x\(String(rawType, radix: 16))")
        }
        let flags = FrameFlags(rawValue: rawFlags)
        guard FrameFlags.all.isSuperset(of: flags) else {
            throw ProtocolViolation("unknown flags 0x\(String(rawFlags, radix: 16)) on \(type)")
        }
        if flags.contains(.endStream), type != .message {
            throw ProtocolViolation("END_STREAM on \(type)")
        }
        if type.isCallFrame, callID == 0 {
            throw ProtocolViolation("\(type) on call id 0")
        }
        if !type.isCallFrame, callID != 0 {
            throw ProtocolViolation("\(type) on call id \(callID), expected 0")
        }
        let payloadLength = Int(length)
        if type == .message {
            if payloadLength > self.maxMessageSize {
                buffer.moveReaderIndex(forwardBy: Frame.headerSize)
                self.discarding = payloadLength
                let n = min(self.discarding, buffer.readableBytes)
                buffer.moveReaderIndex(forwardBy: n)
                self.discarding -= n
                return .oversizedMessage(callID: callID, length: payloadLength)
            }
        } else if payloadLength > self.maxControlPayload {
            throw ProtocolViolation("\(type) payload of \(payloadLength) bytes exceeds \(self.maxControlPayload)")
        }
        switch type {
        case .ping, .pong:
            if payloadLength != 8 { throw ProtocolViolation("\(type) payload must be 8 bytes, got \(payloadLength)") }
        case .halfClose, .cancel:
            if payloadLength != 0 { throw ProtocolViolation("\(type) payload must be empty") }
        default:
            break
        }
        guard buffer.readableBytes >= Frame.headerSize + payloadLength else { return nil }
        buffer.moveReaderIndex(forwardBy: Frame.headerSize)
        let payload = buffer.readSlice(length: payloadLength)!
        return .frame(Frame(type: type, flags: flags, callID: callID, payload: payload))
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> InboundFrame? {
        try self.decode(buffer: &buffer)
    }
}
