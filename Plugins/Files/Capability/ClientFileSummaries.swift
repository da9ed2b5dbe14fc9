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

/// A stored file as other plugins see it (protocols deliver them): where it is, its name, size
/// and SHA-256.
public struct FileFacts: Sendable, Hashable {
    public var id: String
    /// The client whose area holds it; "" for the office's own area.
    public var clientID: String
    public var fileName: String
    public var size: Int64
    public var sha256: String
    public var contentType: String

    public init(id: String, clientID: String, fileName: String, size: Int64, sha256: String, contentType: String) {
        self.id = id
        self.clientID = clientID
        self.fileName = fileName
        self.size = size
        self.sha256 = sha256
        self.contentType = contentType
    }
}

/// The files plugin's files, for plugins that deliver them to clients (protocols). Read and
/// written inside the caller's transaction.
public protocol FileCatalog: Sendable {
    /// File `id`, or nil when there is none.
    func file(_ id: String, in db: Database) throws -> FileFacts?
    /// Files `ids` that exist, by id.
    func files(_ ids: [String], in db: Database) throws -> [String: FileFacts]
    /// Moves a file of the office's own area into `clientID`'s area (folder "Geral", sent by the
    /// office), where the client sees it. A file already in that client's area is left as it is.
    func deliver(_ id: String, to clientID: String, in db: Database) throws
    /// Hands `file`'s stored content to `body` in pieces of at most `chunkBytes` bytes, re-hashing
    /// it as it goes. Throws DATA_LOSS (a `ServiceError`) when the content is missing, damaged or
    /// does not hash to `file.sha256` — possibly after some pieces were handed over, which the
    /// caller must then discard. Runs outside any transaction.
    func readContent(of file: FileFacts, chunkBytes: Int, _ body: ([UInt8]) async throws -> Void) async throws
}
