import Foundation
import GRDB

/// The deployment's SQLite database: one file in the data directory, opened as a GRDB
/// `DatabasePool` (WAL: readers never block the writer), foreign keys on.
///
/// Durability: `synchronous = FULL`. In WAL mode that means every commit is fsynced before it
/// returns, so a settled payment survives a power cut; `NORMAL` would be faster but could lose the
/// last commits (never corrupt the file). See docs/STORAGE.md.
public final class ContonDatabase: Sendable {
    /// The pool. Plugins go through `PluginContext.read`/`write` (one transaction, audited, not
    /// interrupted by a cancelled call) rather than using it directly.
    public let pool: DatabasePool
    public let path: String
    /// The data directory holding the database (and blobs, TLS files, the mail outbox).
    public let dataDirectory: String

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
        }
        self.pool = try DatabasePool(path: path, configuration: configuration)
    }

    /// Checkpoints the WAL and closes the pool (at shutdown).
    public func close() throws {
        try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        try pool.close()
    }
}
