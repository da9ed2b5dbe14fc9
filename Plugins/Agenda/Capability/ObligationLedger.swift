import ContonKit
import GRDB

/// The obligations on the clients' agendas (events made by `GenerateObligations`), as other
/// plugins see them: a protocol item that delivers a guide names its obligation, and sending the
/// protocol marks the obligation delivered (docs/AGENDA.md). The agenda plugin provides it; every
/// call runs inside the caller's transaction.
public protocol ObligationLedger: Sendable {
    /// The obligation `id`, or nil when there is none (or the event is not an obligation).
    func obligation(id: Int64, in db: Database) throws -> ObligationSummary?
    /// Marks obligation `id` delivered at `atMs` (UTC ms); one already delivered keeps its first
    /// delivery. Returns whether it changed.
    @discardableResult
    func markDelivered(id: Int64, atMs: Int64, in db: Database) throws -> Bool
}

/// What a protocol needs to know of an obligation.
public struct ObligationSummary: Sendable, Hashable {
    public var id: Int64
    public var clientID: String
    public var title: String
    /// "YYYY-MM".
    public var competence: String
    /// The due date ("YYYY-MM-DD").
    public var dueDate: String
    /// When it was delivered, nil while it was not.
    public var deliveredAtMs: Int64?

    public init(id: Int64, clientID: String, title: String, competence: String, dueDate: String, deliveredAtMs: Int64?) {
        self.id = id
        self.clientID = clientID
        self.title = title
        self.competence = competence
        self.dueDate = dueDate
        self.deliveredAtMs = deliveredAtMs
    }
}
