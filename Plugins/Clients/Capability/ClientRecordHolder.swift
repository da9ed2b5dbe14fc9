import GRDB

/// "The records you hold for this client": every plugin that keeps per-client records (fees,
/// files, …) contributes one, so that a client cannot be deleted while they still point to it,
/// and the ficha lists them. The clients plugin reads them all
/// (`context.capabilities.all((any ClientRecordHolder).self)`), inside the caller's transaction.
///
/// ```swift
/// capabilities.contribute((any ClientRecordHolder).self, FilesHeld())
/// ```
public protocol ClientRecordHolder: Sendable {
    /// The records this plugin keeps for `clientID`, by kind; kinds with none may be omitted.
    func records(of clientID: String, in db: Database) throws -> [ClientReference]
}

/// Records of one plugin that still point to a client.
public struct ClientReference: Sendable, Hashable, CustomStringConvertible {
    /// The plugin holding them (`fees`).
    public var plugin: String
    /// What they are, plural, for messages: "receivables", "files".
    public var what: String
    public var count: Int

    public init(plugin: String, what: String, count: Int) {
        self.plugin = plugin
        self.what = what
        self.count = count
    }

    public var description: String { "\(count) \(what)" }
}
