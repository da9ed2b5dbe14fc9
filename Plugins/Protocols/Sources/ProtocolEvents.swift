import ContonKit

/// A protocol was delivered (DRAFT → SENT).
public struct ProtocolSent: DomainEvent, Equatable {
    public static let topic = "protocol.sent"
    public var protocolID: String
    public var clientID: String
    public var number: Int64
    public var title: String
    public var itemCount: Int
    /// The earliest due date of its items ("" when none has one).
    public var firstDueDate: String
}

/// The client opened a protocol for the first time (SENT → VIEWED).
public struct ProtocolViewed: DomainEvent, Equatable {
    public static let topic = "protocol.viewed"
    public var protocolID: String
    public var clientID: String
    public var viewedAtMs: Int64
}

/// The client acknowledged a protocol ("Li e recebi").
public struct ProtocolAcknowledged: DomainEvent, Equatable {
    public static let topic = "protocol.acknowledged"
    public var protocolID: String
    public var clientID: String
    public var comment: String
    public var acknowledgedAtMs: Int64
}

/// An unseen protocol's first due date is within the office's reminder window (once per protocol).
public struct ProtocolDueSoon: DomainEvent, Equatable {
    public static let topic = "protocol.due_soon"
    public var protocolID: String
    public var clientID: String
    public var firstDueDate: String
}

/// A protocol's first due date passed and the client has not acknowledged it (once per protocol).
public struct ProtocolOverdue: DomainEvent, Equatable {
    public static let topic = "protocol.overdue"
    public var protocolID: String
    public var clientID: String
    public var firstDueDate: String
}
