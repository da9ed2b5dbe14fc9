import CContonShim
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

    /// A store of its own under `<data-dir>/blobs/<namespace>/sha256/`, for a plugin that counts
    /// its references exactly and removes blobs (``remove(_:)``): no other plugin's blob can share
    /// its files.
    public init(dataDirectory: String, namespace: String) {
        self.root = dataDirectory + "/blobs/\(namespace)/sha256"
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

// MARK: - Streaming

extension BlobStore {
    /// Whether `text` is a blob address: 64 lower-case hex digits.
    public static func isAddress(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// Moves a complete, hashed file (a ``Writer``'s, closed) into the store under `sha256`:
    /// fsyncs it, renames it into place and fsyncs the directory. When the store already holds
    /// the content, the file is left where it is and the answer is false (the caller removes it
    /// once nothing needs it). The blob is durable when this returns.
    @discardableResult
    public func adopt(_ file: String, sha256: String) throws(Failure) -> Bool {
        guard Self.isAddress(sha256) else { throw Failure(description: "not a blob address: \(sha256)") }
        let final = path(for: sha256)
        if FileManager.default.fileExists(atPath: final) { return false }
        let directory = "\(root)/\(sha256.prefix(2))"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw Failure(description: "cannot create \(directory): \(error)")
        }
        let fd = open(file, O_RDONLY)
        guard fd >= 0 else { throw Failure(description: "cannot open \(file): errno \(errno)") }
        let synced = fsync(fd) == 0
        close(fd)
        guard synced else { throw Failure(description: "cannot fsync \(file): errno \(errno)") }
        guard rename(file, final) == 0 else { throw Failure(description: "cannot rename \(file) into \(final): errno \(errno)") }
        Self.syncDirectory(directory)
        return true
    }

    /// Removes the blob (the caller has made sure nothing points to it any more). A missing blob
    /// is not an error.
    public func remove(_ sha256: String) throws(Failure) {
        guard Self.isAddress(sha256) else { throw Failure(description: "not a blob address: \(sha256)") }
        let file = path(for: sha256)
        if unlink(file) != 0 && errno != ENOENT {
            throw Failure(description: "cannot remove \(file): errno \(errno)")
        }
        Self.syncDirectory("\(root)/\(sha256.prefix(2))")
    }

    /// The size of the stored blob, nil when it is missing.
    public func size(of sha256: String) -> Int64? {
        var info = stat()
        guard stat(path(for: sha256), &info) == 0 else { return nil }
        return Int64(info.st_size)
    }

    /// Every blob address in the store, and the leftovers of interrupted ``put(_:)`` calls
    /// (`.tmp-…` files), for start-up cleaning.
    public func inventory() -> (blobs: [String], temporaries: [String]) {
        var blobs: [String] = [], temporaries: [String] = []
        let fm = FileManager.default
        for prefix in (try? fm.contentsOfDirectory(atPath: root)) ?? [] {
            for name in (try? fm.contentsOfDirectory(atPath: "\(root)/\(prefix)")) ?? [] {
                if name.hasPrefix(".tmp-") {
                    temporaries.append("\(root)/\(prefix)/\(name)")
                } else if Self.isAddress(name) && name.hasPrefix(prefix) {
                    blobs.append(name)
                }
            }
        }
        return (blobs, temporaries)
    }

    /// fsyncs a directory so that a rename or unlink in it survives a power cut.
    public static func syncDirectory(_ directory: String) {
        let dfd = open(directory, O_RDONLY | O_DIRECTORY)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }

    /// Streams content into a file while hashing it, without holding it in memory: an upload's
    /// temporary file, later moved into the store by ``BlobStore/adopt(_:sha256:)``. It can
    /// reopen a file written by an earlier call and go on from any position up to its end (the
    /// prefix is re-read to rebuild the hash). One task uses it at a time.
    public final class Writer {
        public let path: String
        /// Bytes in the file so far.
        public private(set) var count: Int64
        private var fd: Int32
        private var hasher: Hasher

        /// Creates `path` (or, with `resumingAt`, opens it and drops every byte after that
        /// position; a position beyond its end throws ``Failure``).
        public init(path: String, resumingAt offset: Int64? = nil) throws(Failure) {
            self.path = path
            self.hasher = Hasher()
            if let offset {
                fd = open(path, O_RDWR)
                guard fd >= 0 else { throw Failure(description: "cannot open \(path): errno \(errno)") }
                count = 0
                var info = stat()
                fstat(fd, &info)
                guard offset >= 0, offset <= Int64(info.st_size) else {
                    close(fd)
                    fd = -1
                    throw Failure(description: "offset \(offset) is beyond the \(info.st_size) bytes received")
                }
                count = offset
                guard ftruncate(fd, off_t(offset)) == 0 else {
                    close(fd)
                    fd = -1
                    throw Failure(description: "cannot truncate \(path): errno \(errno)")
                }
                var buffer = [UInt8](repeating: 0, count: 1 << 20)
                var position: Int64 = 0
                while position < offset {
                    let want = Int(min(Int64(buffer.count), offset - position))
                    let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, want, off_t(position)) }
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else {
                        close(fd)
                        fd = -1
                        throw Failure(description: "cannot re-read \(path): errno \(errno)")
                    }
                    buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                    position += Int64(n)
                }
                guard lseek(fd, off_t(offset), SEEK_SET) == off_t(offset) else {
                    close(fd)
                    fd = -1
                    throw Failure(description: "cannot seek in \(path): errno \(errno)")
                }
            } else {
                fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
                guard fd >= 0 else { throw Failure(description: "cannot create \(path): errno \(errno)") }
                count = 0
            }
        }

        deinit {
            if fd >= 0 { close(fd) }
        }

        /// Appends `bytes` and hashes them.
        public func write(_ bytes: [UInt8]) throws(Failure) {
            guard fd >= 0 else { throw Failure(description: "\(path) is closed") }
            let ok = bytes.withUnsafeBytes { raw -> Bool in
                var written = 0
                while written < raw.count {
                    let n = Glibc.write(fd, raw.baseAddress! + written, raw.count - written)
                    if n < 0 { if errno == EINTR { continue }; return false }
                    written += n
                }
                hasher.update(raw)
                return true
            }
            guard ok else { throw Failure(description: "cannot write \(path): errno \(errno)") }
            count += Int64(bytes.count)
        }

        /// fsyncs what was written: ``count`` bytes are durable when it returns.
        public func sync() throws(Failure) {
            guard fd >= 0 else { return }
            guard fsync(fd) == 0 else { throw Failure(description: "cannot fsync \(path): errno \(errno)") }
        }

        /// Closes the file; the hash of everything written, lower-case hex.
        public func finish() -> String {
            if fd >= 0 { close(fd); fd = -1 }
            return hasher.finalHex()
        }
    }

    /// Reads a stored blob in pieces while re-hashing it: ``verify()`` at the end says whether the
    /// bytes read were the blob's. Never holds the blob in memory.
    public final class Reader {
        public let sha256: String
        /// The blob's size on disk.
        public let size: Int64
        /// The position of the next ``read(upTo:)``.
        public private(set) var position: Int64
        private var fd: Int32
        private var hasher = Hasher()

        /// Opens the blob at `offset`; the bytes before it are read and hashed (not returned) so
        /// that ``verify()`` still covers the whole blob.
        public init(store: BlobStore, sha256: String, offset: Int64 = 0) throws(Failure) {
            self.sha256 = sha256
            let file = store.path(for: sha256)
            fd = open(file, O_RDONLY)
            guard fd >= 0 else { throw Failure(description: "blob \(sha256) is missing") }
            var info = stat()
            fstat(fd, &info)
            size = Int64(info.st_size)
            position = 0
            guard offset >= 0, offset <= size else {
                close(fd)
                fd = -1
                throw Failure(description: "offset \(offset) is beyond the blob's \(size) bytes")
            }
            while position < offset {
                _ = try read(upTo: Int(min(1 << 20, offset - position)))
            }
        }

        deinit {
            if fd >= 0 { close(fd) }
        }

        /// Up to `limit` bytes from ``position``; empty at the end.
        public func read(upTo limit: Int) throws(Failure) -> [UInt8] {
            let want = Int(min(Int64(limit), size - position))
            guard want > 0 else { return [] }
            var out = [UInt8](repeating: 0, count: want)
            var got = 0
            while got < want {
                let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + got, want - got, off_t(position) + off_t(got)) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw Failure(description: "blob \(sha256) is shorter than expected (read error \(errno))") }
                got += n
            }
            out.withUnsafeBytes { hasher.update($0) }
            position += Int64(want)
            return out
        }

        /// Throws when everything was read and the bytes do not hash to the blob's address.
        public func verify() throws(Failure) {
            guard position == size else { throw Failure(description: "blob \(sha256) was not read to its end") }
            let actual = hasher.finalHex()
            guard actual == sha256 else { throw Failure(description: "blob \(sha256) is corrupt: its content hashes to \(actual)") }
        }
    }

    /// Incremental SHA-256 (OpenSSL `EVP_MD_CTX`).
    public struct Hasher: ~Copyable {
        private let context: OpaquePointer

        public init() {
            guard let context = EVP_MD_CTX_new() else { fatalError("OpenSSL EVP_MD_CTX_new failed") }
            precondition(EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1, "OpenSSL EVP_DigestInit_ex(SHA-256) failed")
            self.context = context
        }

        deinit { EVP_MD_CTX_free(context) }

        public mutating func update(_ bytes: UnsafeRawBufferPointer) {
            guard bytes.count > 0 else { return }
            precondition(EVP_DigestUpdate(context, bytes.baseAddress, bytes.count) == 1, "OpenSSL EVP_DigestUpdate failed")
        }

        /// The digest of everything so far, lower-case hex (the hasher starts over afterwards).
        public mutating func finalHex() -> String {
            var out = [UInt8](repeating: 0, count: 32)
            var length: UInt32 = 0
            precondition(out.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &length) } == 1 && length == 32,
                         "OpenSSL EVP_DigestFinal_ex failed")
            precondition(EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1, "OpenSSL EVP_DigestInit_ex(SHA-256) failed")
            return SHA256.hexDigits(out)
        }
    }
}
