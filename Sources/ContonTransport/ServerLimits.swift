import NIOCore

/// Per-connection limits of the server transport (docs/PROTOCOL.md, "Limits").
public struct ServerLimits: Sendable, Hashable {
    /// Largest request `MESSAGE` payload accepted; larger ends the call with RESOURCE_EXHAUSTED.
    public var maxMessageSize: Int = 4 * 1024 * 1024
    /// Largest response `MESSAGE` payload a handler may send; larger ends the call with
    /// RESOURCE_EXHAUSTED (the message is not sent; the connection carries on).
    public var maxResponseMessageSize: Int = 4 * 1024 * 1024
    /// Largest `HEADERS`/`GOAWAY` payload; larger is a protocol error.
    public var maxControlPayload: Int = 64 * 1024
    /// Calls open at once on one connection; one more is refused with RESOURCE_EXHAUSTED.
    public var maxConcurrentCalls: Int = 100
    /// A connection with no open call for this long gets GOAWAY and is closed.
    public var idleTimeout: TimeAmount = .minutes(5)
    /// The server pings a connection that has sent nothing for this long.
    public var keepaliveInterval: TimeAmount = .seconds(60)
    /// A ping unanswered for this long closes the connection.
    public var keepaliveTimeout: TimeAmount = .seconds(20)
    /// Time given to in-flight calls after a graceful shutdown begins.
    public var shutdownGracePeriod: TimeAmount = .seconds(10)

    public init() {}

    /// Trailing-metadata key of a call ended for a message over a size limit: the limit crossed,
    /// in bytes (decimal), so that a client learns the server's setting when it meets it.
    public static let messageLimitMetadataKey = "conton-max-message-bytes"
}
