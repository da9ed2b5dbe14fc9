import ContonKit

/// An attendance was opened (one event per client of a multi-client open).
public struct AttendanceOpened: DomainEvent, Equatable {
    public static let topic = "attendance.opened"
    public var attendanceID: String
    public var clientID: String
    public var number: Int64
    public var subject: String
    public var responsibleUserID: String
    public var visibleToClient: Bool
}

/// A message was posted on an attendance's thread (`internal`: an office note the client never
/// receives; `authorKind`: staff, client or system).
public struct AttendanceMessage: DomainEvent, Equatable {
    public static let topic = "attendance.message"
    public var attendanceID: String
    public var clientID: String
    public var sequence: Int64
    public var authorKind: String
    public var `internal`: Bool
    public var responsibleUserID: String
    /// Whether the client sees the attendance (its thread's public messages) right now.
    public var visibleToClient: Bool
}

/// An attendance passed its deadline ("providenciar até") while not closed; once per deadline.
public struct AttendanceOverdue: DomainEvent, Equatable {
    public static let topic = "attendance.overdue"
    public var attendanceID: String
    public var clientID: String
    public var deadline: String
    public var responsibleUserID: String
}
