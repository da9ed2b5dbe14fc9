import NIOCore

/// One frame: the fixed 10-byte header and its payload.
///
/// Header layout (big-endian): `u32 length` of the payload, `u8 type`, `u8 flags`, `u32 call id`.
public struct Frame: Sendable, Hashable {
    /// Size of the fixed header in bytes.
    public static let headerSize = 10

    public var type: FrameType
    public var flags: FrameFlags
    public var callID: UInt32
    public var payload: ByteBuffer

    public init(type: FrameType, flags: FrameFlags = [], callID: UInt32, payload: ByteBuffer = ByteBuffer()) {
        self.type = type
        self.flags = flags
        self.callID = callID
        self.payload = payload
    }
}

extension ByteBuffer {
    /// Writes a frame header for a payload of `length` bytes.
    @inlinable
    public mutating func writeFrameHeader(type: FrameType, flags: FrameFlags, callID: UInt32, length: Int) {
        self.writeInteger(UInt32(truncatingIfNeeded: length))
        self.writeInteger(type.rawValue)
        self.writeInteger(flags.rawValue)
        self.writeInteger(callID)
    }

    /// Writes a whole frame: header then payload.
    @inlinable
    public mutating func writeFrame(_ frame: Frame) {
        self.writeFrameHeader(type: frame.type, flags: frame.flags, callID: frame.callID, length: frame.payload.readableBytes)
        var payload = frame.payload
        self.writeBuffer(&payload)
    }
}
