import GRDB

/// What the files plugin tells others about a client's area, for the ficha. Read inside the
/// caller's transaction.
public protocol ClientFileSummaries: Sendable {
    /// How many files the client's area holds (both directions).
    func fileCount(of clientID: String, in db: Database) throws -> Int
}
