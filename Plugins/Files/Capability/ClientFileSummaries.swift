import GRDB

/// What the files plugin tells others about a client's area, for the ficha. Read inside the
/// caller's transaction.
public protocol ClientFileSummaries: Sendable {
    /// How many files the client's area holds (both directions).
    func fileCount(of clientID: String, in db: Database) throws -> Int
}

/// The files plugin's office area (files staff upload with `office_area`, which no client sees),
/// for other plugins' attachments. Read inside the caller's transaction.
public protocol OfficeFileLookup: Sendable {
    /// true: file `id` is in the office's own area; false: it is in a client's area; nil: no
    /// such file.
    func officeFile(_ id: String, in db: Database) throws -> Bool?
}
