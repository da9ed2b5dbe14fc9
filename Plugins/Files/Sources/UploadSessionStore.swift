import ContonStore
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The uploads in progress: their `.json` descriptions and `.part` files on disk, and which of
/// them a call is writing right now (at most one call per upload).
final class UploadSessionStore: Sendable {
    let directory: String
    private let active = Mutex<Set<String>>([])

    /// Why a session could not be read or written.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init(directory: String) {
        self.directory = directory
    }

    func partPath(_ id: String) -> String { "\(directory)/\(id).part" }
    func descriptionPath(_ id: String) -> String { "\(directory)/\(id).json" }

    func ensureDirectory() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
    }

    /// Whether `id` has the shape of an upload id (so it can never name another file).
    static func isValidID(_ id: String) -> Bool {
        id.utf8.count == 36 && id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) || $0 == 0x2D }
    }

    /// Writes the description durably (temporary file, fsync, rename, directory fsync).
    func save(_ session: UploadSession) throws {
        let data = try JSONEncoder().encode(session)
        let final = descriptionPath(session.id)
        let temporary = final + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw Failure(description: "cannot create \(temporary): errno \(errno)") }
        let ok = data.withUnsafeBytes { raw in Glibc.write(fd, raw.baseAddress!, raw.count) == raw.count } && fsync(fd) == 0
        close(fd)
        guard ok, rename(temporary, final) == 0 else {
            unlink(temporary)
            throw Failure(description: "cannot write \(final): errno \(errno)")
        }
        BlobStore.syncDirectory(directory)
    }

    /// The session `id`, nil when there is none (or its description is unreadable).
    func load(_ id: String) -> UploadSession? {
        guard Self.isValidID(id), let data = FileManager.default.contents(atPath: descriptionPath(id)) else { return nil }
        return try? JSONDecoder().decode(UploadSession.self, from: data)
    }

    /// Bytes in the session's `.part` file (nil when it is missing).
    func received(_ id: String) -> Int64? {
        var info = stat()
        guard stat(partPath(id), &info) == 0 else { return nil }
        return Int64(info.st_size)
    }

    /// fsyncs the `.part` file, so that ``received(_:)`` bytes survive a power cut.
    func syncPart(_ id: String) {
        let fd = open(partPath(id), O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
    }

    /// Marks `id` as being written by a call; false when another call already is.
    func acquire(_ id: String) -> Bool {
        active.withLock { $0.insert(id).inserted }
    }

    func release(_ id: String) {
        _ = active.withLock { $0.remove(id) }
    }

    func isActive(_ id: String) -> Bool {
        active.withLock { $0.contains(id) }
    }

    /// Removes the session's files (its `.part` may already have become a blob).
    func remove(_ id: String) {
        unlink(partPath(id))
        unlink(descriptionPath(id))
        unlink(descriptionPath(id) + ".tmp")
        BlobStore.syncDirectory(directory)
    }

    /// Removes every session that is expired at `now` and not being written, and every file that
    /// belongs to no session; returns the ids of the sessions removed.
    @discardableResult
    func sweep(now: Int64) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var removed: [String] = []
        var ids = Set<String>()
        for name in names {
            let id = String(name.prefix(while: { $0 != "." }))
            ids.insert(id)
        }
        for id in ids where !isActive(id) {
            let session = load(id)
            let hasPart = received(id) != nil
            if let session, hasPart, session.expiresAtMs > now { continue }
            remove(id)
            if session != nil { removed.append(id) }
        }
        // Stray files whose name is no upload id at all.
        for name in names where !Self.isValidID(String(name.prefix(while: { $0 != "." }))) {
            unlink("\(directory)/\(name)")
        }
        return removed
    }
}
