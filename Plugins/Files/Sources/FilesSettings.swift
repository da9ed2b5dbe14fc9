/// The files plugin's limits (docs/FILES.md). `conton serve` sets them from
/// `--files-max-file-bytes` / `CONTON_FILES_MAX_FILE_BYTES` and `--files-quota-bytes` /
/// `CONTON_FILES_QUOTA_BYTES`.
public struct FilesSettings: Sendable, Hashable {
    /// The largest file accepted (declared size and bytes actually sent). Default 100 MiB.
    public var maxFileBytes: Int64 = 100 * 1024 * 1024
    /// The office's quota: the bytes of distinct content stored (identical files count once).
    /// Default 20 GiB; 0 means no quota.
    public var quotaBytes: Int64 = 20 * 1024 * 1024 * 1024
    /// How long an interrupted upload can be resumed after the last call on it. Default 24 h.
    public var resumableForMilliseconds: Int64 = 24 * 3600 * 1000
    /// How often expired uploads are swept while the server runs. Default 10 min.
    public var sweepIntervalMilliseconds: Int64 = 10 * 60 * 1000
    /// The largest `chunk` accepted in an upload (the protocol's rule: 1 MiB), and the size of
    /// the chunks a download sends.
    public static let chunkBytes = 1024 * 1024

    public init() {}
}
