import ContonKit

/// Published when a file lands in a client's area, so the other side can be notified: staff
/// when a client sent it (`direction` `client_to_office`), the client when the office did.
public struct FileUploaded: DomainEvent {
    public static let topic = "file.uploaded"
    public var fileID: String
    public var clientID: String
    public var folderID: String
    public var fileName: String
    public var size: Int64
    public var sha256: String
    /// `office_to_client` or `client_to_office`.
    public var direction: String
    public var uploadedAtMs: Int64
    /// `staff`, `client` or `service`, and the uploader's e-mail or name.
    public var uploadedByKind: String
    public var uploadedBy: String
}

/// Published when a client first downloads a file the office sent (the read receipt).
public struct FileRead: DomainEvent {
    public static let topic = "file.read"
    public var fileID: String
    public var clientID: String
    public var fileName: String
    public var readAtMs: Int64
    /// The client portal login that downloaded it.
    public var readerUserID: String
    public var readerEmail: String
}
