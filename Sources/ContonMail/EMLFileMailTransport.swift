import ContonStore
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The embedded default when no SMTP server is configured: each message becomes
/// `<directory>/<yyyyMMdd-HHmmss-SSS>-<id>.eml` (UTC time of the message's `Date`, `id` from its
/// `Message-ID`), written atomically — a temporary file, `fsync`, `rename`, `fsync` of the
/// directory — and logged with its path and subject.
///
/// The directory is created with mode 0700 and files with 0600: they hold activation codes.
/// A message delivered again (at-least-once after a crash) has the same name and replaces itself.
public struct EMLFileMailTransport: MailTransport {
    /// Where the files go (`<data-dir>/outbox` in the server).
    public let directory: String
    private let logger: Logger

    /// A transport writing into `directory` (created on first use).
    public init(directory: String, logger: Logger = Logger(label: "conton.mail")) {
        self.directory = directory
        self.logger = logger
    }

    /// Writes the rendered message; throws a transient ``MailDeliveryError`` when the disk refuses.
    public func send(_ message: MailMessage, from: MailAddress) async throws {
        let date = message.date ?? Date()
        var message = message
        message.date = date
        let name = Self.fileName(date: date, messageID: message.messageID)
        let bytes = message.rendered(from: from)
        let directory = self.directory
        let path = directory + "/" + name
        try await BlockingWork.run(name: "conton-eml") { try Self.writeAtomically(bytes, directory: directory, name: name) }
        logger.info("mail written to an .eml file (no SMTP server configured)", metadata: [
            "path": .string(path), "subject": .string(message.subject),
            "to": .string(message.to.map(\.address).joined(separator: ", ")),
        ])
    }

    /// `yyyyMMdd-HHmmss-SSS-<id>.eml`, the id reduced to `[A-Za-z0-9._-]`.
    static func fileName(date: Date, messageID: String?) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond], from: date)
        func pad(_ v: Int?, _ width: Int) -> String { let s = String(v ?? 0); return String(repeating: "0", count: max(0, width - s.count)) + s }
        let stamp = pad(c.year, 4) + pad(c.month, 2) + pad(c.day, 2) + "-" + pad(c.hour, 2) + pad(c.minute, 2) + pad(c.second, 2)
            + "-" + pad((c.nanosecond ?? 0) / 1_000_000, 3)
        let raw = messageID.map { String($0.split(separator: "@").first ?? "") } ?? UUID().uuidString.lowercased()
        var id = String(raw.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "._-".unicodeScalars.contains($0) }.prefix(64))
        if id.isEmpty || id.hasPrefix(".") { id = "m" + id }
        return "\(stamp)-\(id).eml"
    }

    private static func writeAtomically(_ bytes: [UInt8], directory: String, name: String) throws(MailDeliveryError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw .transient("cannot create \(directory): \(error)", scope: .server)
        }
        let temporary = directory + "/.\(name).\(UUID().uuidString.prefix(8)).tmp"
        let final = directory + "/" + name
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .transient("cannot create \(temporary): \(errnoText())", scope: .server) }
        var failure: String?
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = "write \(temporary): \(errnoText())"
                    return
                }
                offset += n
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = "fsync \(temporary): \(errnoText())" }
        if close(fd) != 0, failure == nil { failure = "close \(temporary): \(errnoText())" }
        if failure == nil, rename(temporary, final) != 0 { failure = "rename to \(final): \(errnoText())" }
        if let failure {
            unlink(temporary)
            throw .transient(failure, scope: .server)
        }
        let dirFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            _ = fsync(dirFD)
            close(dirFD)
        }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
