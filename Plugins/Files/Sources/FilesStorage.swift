import ContonAPI
import ContonKit
import ContonStore
import Foundation
import GRDB
import GRPCCore

/// Where the files plugin keeps content: blobs under `<data-dir>/blobs/files/sha256/`, uploads in
/// progress under `<data-dir>/blobs/files/uploads/` (same file system, so a finished upload is
/// renamed, not copied, into the store), and the rules that tie blobs to rows: a blob is durable
/// before the row that points to it commits, and goes when the last row does.
final class FilesStorage: Sendable {
    let context: PluginContext
    let settings: FilesSettings
    let blobs: BlobStore
    let sessions: UploadSessionStore
    private let locks = KeyedLock()

    init(context: PluginContext, settings: FilesSettings) {
        self.context = context
        self.settings = settings
        self.blobs = Self.blobStore(context)
        self.sessions = UploadSessionStore(directory: context.database.dataDirectory + "/blobs/files/uploads")
    }

    /// The plugin's content-addressed store.
    static func blobStore(_ context: PluginContext) -> BlobStore {
        BlobStore(dataDirectory: context.database.dataDirectory, namespace: "files")
    }

    /// Moves a complete upload into the store and commits its row with `insert` (one
    /// transaction, audited), holding the blob's lock throughout. On any failure nothing is
    /// kept: no row, no new blob, no `.part`.
    func commit(_ lease: UploadLease, sha256: String,
                insert: @escaping @Sendable (inout Mutation, _ newBlob: Bool) throws -> Conton_Files_V1_File) async throws -> Conton_Files_V1_File {
        let blobs = self.blobs, part = sessions.partPath(lease.session.id)
        return try await locks.withLock(sha256) {
            let placed: Bool
            do {
                placed = try await BlockingWork.run(name: "conton-files-io") { try blobs.adopt(part, sha256: sha256) }
            } catch {
                lease.discard()
                context.logger.error("files: cannot store a blob", metadata: ["sha256": "\(sha256)", "error": "\(error)"])
                throw ServiceError(.unavailable, "the server could not store the file; nothing was kept, try again")
            }
            do {
                let file = try await context.write { m in
                    let known = try FileRecord.blobKnown(sha256, in: m.db)
                    return try insert(&m, !known)
                }
                lease.complete()
                return file
            } catch {
                if placed { try? blobs.remove(sha256) }
                lease.discard()
                throw error
            }
        }
    }

    /// After the last row pointing to `sha256` was deleted (and its `files_blob` row with it):
    /// removes the blob, unless an upload of the same content has claimed it meanwhile.
    func release(_ sha256: String) async {
        let blobs = self.blobs
        await locks.withLock(sha256) {
            do {
                let claimed = try await context.read { db in try FileRecord.blobKnown(sha256, in: db) }
                if !claimed { try blobs.remove(sha256) }
            } catch {
                context.logger.warning("files: could not remove an unused blob; start-up will", metadata: ["sha256": "\(sha256)", "error": "\(error)"])
            }
        }
    }

    /// The first bytes of a complete `.part`, for sniffing its content type.
    func prefix(of lease: UploadLease) -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: sessions.partPath(lease.session.id)) else { return [] }
        defer { try? handle.close() }
        return [UInt8]((try? handle.read(upToCount: ContentSniffer.prefixLength)) ?? Data())
    }

    /// Removes uploads that can no longer be resumed.
    @discardableResult
    func sweepUploads() -> Int {
        sessions.sweep(now: context.clock.nowMilliseconds).count
    }

    /// What start-up cleans: expired uploads and stray files among the uploads, leftovers of
    /// interrupted writes in the blob store, and blobs no row points to (a crash between placing a
    /// blob and committing its row, or between deleting the last row and removing the blob).
    /// Blobs that rows point to but that are missing are logged: downloads of them answer DATA_LOSS.
    func cleanUpAtStart() async throws {
        try sessions.ensureDirectory()
        let expired = sweepUploads()
        let (stored, temporaries) = blobs.inventory()
        for path in temporaries { unlink(path) }
        let known = Set(try await context.read { db in try String.fetchAll(db, sql: "SELECT sha256 FROM files_blob") })
        var orphans = 0
        for sha in stored where !known.contains(sha) {
            try? blobs.remove(sha)
            orphans += 1
        }
        let missing = known.subtracting(stored)
        for sha in missing.sorted() {
            context.logger.error("files: a stored file's content is missing from the blob store", metadata: ["sha256": "\(sha)"])
        }
        if expired + orphans + temporaries.count > 0 {
            context.logger.info("files: start-up cleaning", metadata: [
                "expired_uploads": "\(expired)", "unreferenced_blobs": "\(orphans)", "temporary_files": "\(temporaries.count)",
            ])
        }
    }
}
