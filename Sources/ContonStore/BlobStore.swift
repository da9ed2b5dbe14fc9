import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Files on disk, content-addressed by SHA-256 under `<data-dir>/blobs/sha256/ab/abcdef…`.
///
/// ``put(_:)`` writes to a temporary file in the same directory, fsyncs it, renames it into place
/// and fsyncs the directory — all before it returns, so the database row that points to the blob
/// commits only after the blob is durable. Identical content is stored once.
public struct BlobStore: Sendable {
    public let root: String

    /// Why a blob could not be stored or read.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public init(dataDirectory: String) {
        self.root = dataDirectory + "/blobs/sha256"
    }

    /// Where the blob with this SHA-256 (lower-case hex) lives.
    public func path(for sha256: String) -> String {
        "\(root)/\(sha256.prefix(2))/\(sha256)"
    }

    /// Stores `bytes` durably; returns their SHA-256 (lower-case hex).
    @discardableResult
    public func put(_ bytes: [UInt8]) throws(Failure) -> String {
        let sha = SHA256.hex(bytes)
        let final = path(for: sha)
        if FileManager.default.fileExists(atPath: final) { return sha }
        let directory = "\(root)/\(sha.prefix(2))"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw Failure(description: "cannot create \(directory): \(error)")
        }
        let temporary = "\(directory)/.tmp-\(sha)-\(UUID().uuidString)"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw Failure(description: "cannot create \(temporary): errno \(errno)") }
        var written = 0
        let ok = bytes.withUnsafeBytes { raw -> Bool in
            while written < raw.count {
                let n = write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 { if errno == EINTR { continue }; return false }
                written += n
            }
            return true
        }
        guard ok, fsync(fd) == 0 else {
            close(fd)
            unlink(temporary)
            throw Failure(description: "cannot write \(temporary): errno \(errno)")
        }
        close(fd)
        guard rename(temporary, final) == 0 else {
            unlink(temporary)
            throw Failure(description: "cannot rename into \(final): errno \(errno)")
        }
        let dfd = open(directory, O_RDONLY | O_DIRECTORY)
        if dfd >= 0 { fsync(dfd); close(dfd) }
        return sha
    }

    /// The blob's bytes, verified against its address.
    public func get(_ sha256: String) throws(Failure) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path(for: sha256)) else {
            throw Failure(description: "blob \(sha256) is missing")
        }
        let bytes = [UInt8](data)
        guard SHA256.hex(bytes) == sha256 else { throw Failure(description: "blob \(sha256) is corrupt") }
        return bytes
    }
}
