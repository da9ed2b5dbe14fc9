import Foundation
import GRDB

/// The deployment's SQLite database: one file in the data directory, opened as a GRDB
/// `DatabasePool` (WAL: readers never block the writer), foreign keys on.
///
/// Durability: `synchronous = FULL`. In WAL mode that means every commit is fsynced before it
/// returns, so a settled payment survives a power cut; `NORMAL` would be faster but could lose the
/// last commits (never corrupt the file). See docs/STORAGE.md.
public final class ContonDatabase: Sendable {
    /// The pool. Server code goes through ``read(_:)``/``write(_:)`` (not interrupted by a
    /// cancelled task), plugins through `PluginContext.read`/`write` (audited as well).
    public let pool: DatabasePool
    public let path: String
    /// The data directory holding the database (and blobs, TLS files, the mail outbox).
    public let dataDirectory: String

    /// The memory map each connection may use for reads (256 MiB; a larger file is read past it).
    public static let mmapBytes = 256 << 20

    /// Opens (creating if needed) `<dataDirectory>/conton.sqlite`.
    public init(dataDirectory: String) throws {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        self.path = dataDirectory + "/conton.sqlite"
        self.dataDirectory = dataDirectory
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Reads of large tables (lists and totals over 100,000 payables) come from the OS page
            // cache through a memory map instead of a pread per page, and each connection keeps
            // 16 MiB of pages (SQLite's default is 2 MiB). docs/STORAGE.md.
            try db.execute(sql: "PRAGMA mmap_size = \(Self.mmapBytes)")
            try db.execute(sql: "PRAGMA cache_size = -16384")
        }
        self.pool = try DatabasePool(path: path, configuration: configuration)
    }

    /// Runs `body` in one read transaction (a consistent snapshot).
    ///
    /// Unlike `pool.read`, it runs to completion even when the calling task is cancelled: GRDB
    /// answers a cancelled task with `sqlite3_interrupt`, and with FTS5 on SQLite 3.40 an
    /// interrupt can stay on the pooled connection and fail its next user — another call, or the
    /// checkpoint at shutdown (<https://sqlite.org/forum/forumpost/137c7662b3>). Database work is
    /// short; callers check cancellation between steps instead.
    public func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await Task { [pool] in try await pool.read(body) }.value
    }

    /// Runs `body` in one write transaction, to completion even when the calling task is
    /// cancelled (see ``read(_:)``).
    public func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await Task { [pool] in try await pool.write(body) }.value
    }

    /// Checkpoints the WAL and closes the pool (at shutdown).
    public func close() throws {
        try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        try pool.close()
    }
}
