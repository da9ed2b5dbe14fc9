/// A peer broke the wire protocol. The connection answers with `GOAWAY` (code INTERNAL) and
/// closes; other connections are unaffected.
public struct ProtocolViolation: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong, for the GOAWAY message and the log.
    public var reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { "protocol violation: \(reason)" }
}
