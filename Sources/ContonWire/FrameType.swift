/// The kind of a frame on a ContOn connection (docs/PROTOCOL.md, "Frame types").
public enum FrameType: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Opens a call (client) or carries the call's initial response metadata (server).
    case headers = 0x01
    /// One protobuf-encoded request or response message.
    case message = 0x02
    /// The client will send no more messages on this call.
    case halfClose = 0x03
    /// The server's final status of a call; ends the call.
    case trailers = 0x04
    /// The client abandons a call.
    case cancel = 0x05
    /// Liveness probe on call id 0; answered by `pong` with the same 8 bytes.
    case ping = 0x06
    /// Answer to `ping`.
    case pong = 0x07
    /// The sender will start no call above `last_call_id`; the connection is closing.
    case goAway = 0x08

    /// Whether frames of this type belong to a call (non-zero call id) rather than the connection.
    public var isCallFrame: Bool {
        switch self {
        case .headers, .message, .halfClose, .trailers, .cancel: true
        case .ping, .pong, .goAway: false
        }
    }

    public var description: String {
        switch self {
        case .headers: "HEADERS"
        case .message: "MESSAGE"
        case .halfClose: "HALF_CLOSE"
        case .trailers: "TRAILERS"
        case .cancel: "CANCEL"
        case .ping: "PING"
        case .pong: "PONG"
        case .goAway: "GOAWAY"
        }
    }
}

/// Frame flags. Unknown bits are a protocol error.
public struct FrameFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// On a client `MESSAGE`: this is the last request message (a `MESSAGE` then `HALF_CLOSE`).
    public static let endStream = FrameFlags(rawValue: 0x01)

    /// Every flag this protocol version defines.
    public static let all: FrameFlags = [.endStream]
}
