import ContonKit

/// Opening an attendance from another plugin — a request the office turns into one — inside the
/// caller's transaction (its row, responsible history, first message, event and audit entry
/// commit with the caller's own changes). The attendances plugin provides it.
///
/// ```swift
/// guard let opener = context.capabilities.optional((any AttendanceOpener).self) else { … UNIMPLEMENTED … }
/// let opened = try opener.open(AttendanceOpening(clientID: c, subject: s, origin: "request 12", firstMessage: text), in: &m)
/// ```
public protocol AttendanceOpener: Sendable {
    /// Opens it as the current caller; throws the attendances plugin's own errors (an unknown
    /// responsible user, an archived client: INVALID_ARGUMENT / FAILED_PRECONDITION).
    func open(_ opening: AttendanceOpening, in m: inout Mutation) throws -> (id: String, number: Int64)
}

/// What another plugin gives to open an attendance: the client, a subject, where it came from,
/// and optionally a department (`fiscal`, `pessoal`, `contabil`, `societario`, `financeiro`,
/// `other`), a responsible staff user and the first message. It is visible to the client and its
/// channel is the portal.
public struct AttendanceOpening: Sendable, Hashable {
    public var clientID: String
    public var subject: String
    /// Shown on the attendance: "request 12".
    public var origin: String
    public var department: String
    public var responsibleUserID: String
    public var firstMessage: String

    public init(clientID: String, subject: String, origin: String, department: String = "", responsibleUserID: String = "",
                firstMessage: String = "") {
        self.clientID = clientID
        self.subject = subject
        self.origin = origin
        self.department = department
        self.responsibleUserID = responsibleUserID
        self.firstMessage = firstMessage
    }

    /// The department names `department` takes.
    public static let departments = ["fiscal", "pessoal", "contabil", "societario", "financeiro", "other"]
}
