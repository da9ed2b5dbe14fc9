import ContonAPI

/// What an upload in progress knows about itself, kept as `<id>.json` beside its `<id>.part`
/// (the bytes received so far) under `<data-dir>/blobs/files/uploads/`. No database row: an
/// upload becomes a row only once all of it is stored.
struct UploadSession: Codable, Sendable, Hashable {
    var id: String
    /// The uploader: only the same principal may resume it or ask its status.
    var principalKind: String
    var principalID: String
    var uploadedBy: String
    var clientID: String
    var folderID: String
    var fileName: String
    var size: Int64
    /// The declared SHA-256 (lower-case hex), empty when none was declared.
    var sha256: String
    var declaredContentType: String
    /// `Conton_Files_V1_FileDirection` raw value.
    var direction: Int32
    var createdAtMs: Int64
    /// After this the upload can no longer be resumed and is swept.
    var expiresAtMs: Int64
}
