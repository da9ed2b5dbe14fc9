import GRDB

/// What the fees plugin tells others about a client's fees, for the ficha: its last scheduled
/// fee and how many receivables are open. Read inside the caller's transaction.
public protocol ClientFeeSummaries: Sendable {
    /// The client's last scheduled (not cancelled) fee, or nil when none was generated.
    func lastFee(of clientID: String, in db: Database) throws -> LastFeeSummary?
    /// How many of the client's receivables are open (overdue included).
    func openReceivables(of clientID: String, in db: Database) throws -> Int
}

/// A client's last scheduled fee, as the ficha shows it.
public struct LastFeeSummary: Sendable, Hashable {
    /// `YYYY-MM`.
    public var competence: String
    public var amountCents: Int64
    /// `YYYY-MM-DD`.
    public var dueDate: String
    /// `open`, `overdue`, `paid` or `cancelled`.
    public var status: String

    public init(competence: String, amountCents: Int64, dueDate: String, status: String) {
        self.competence = competence
        self.amountCents = amountCents
        self.dueDate = dueDate
        self.status = status
    }
}
