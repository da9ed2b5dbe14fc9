import ContonMail
import ContonStore
import Foundation
import GRDB
import Synchronization
import Testing

/// `Tests/support`, next to this test target.
let supportDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("support").path

/// A temporary directory, removed at deinit.
final class TemporaryDirectory: Sendable {
    let path: String

    init(_ label: String = "mail") throws {
        path = NSTemporaryDirectory() + "conton-\(label)-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A clock the test moves by hand, in UTC milliseconds.
final class ManualClock: Sendable {
    private let value: Mutex<Int64>

    init(_ start: Int64 = 1_780_000_000_000) { value = Mutex(start) }

    var milliseconds: Int64 { value.withLock { $0 } }
    var now: @Sendable () -> Int64 { { self.value.withLock { $0 } } }
    func advance(by milliseconds: Int64) { value.withLock { $0 += milliseconds } }
}

/// Opens (or reopens) the database in `directory` with the mail migration applied.
func openDatabase(_ directory: String) throws -> ContonDatabase {
    let database = try ContonDatabase(dataDirectory: directory)
    var migrator = DatabaseMigrator()
    MailOutbox.registerMigrations(&migrator)
    try migrator.migrate(database.pool)
    return database
}

/// Enqueues `message` in a transaction of its own and returns the row id.
func enqueue(_ message: MailMessage, in database: ContonDatabase, at now: Int64) async throws -> Int64 {
    try await database.pool.write { db in try MailOutbox.enqueue(message, nowMilliseconds: now, in: db) }
}

func fetch(_ id: Int64, in database: ContonDatabase) async throws -> MailOutbox.Entry {
    let entry = try await database.pool.read { db in try MailOutbox.fetch(id: id, in: db) }
    return try #require(entry)
}

let sender = try! MailAddress("escritorio@contabil.example", name: "Escritório Contábil")

/// Runs a command to completion (at most `timeout` seconds); returns status and stdout+stderr.
@discardableResult
///
/// It waits for the child on a thread of its own (``BlockingWork``): on the cooperative pool (two
/// threads on a two-core machine) the wait would stall every other test of the run.
func runCommand(_ arguments: [String], timeout: Int = 30) async throws -> (status: Int32, output: String) {
    try await BlockingWork.run(name: "mail-test-command") { try runCommandBlocking(arguments, timeout: timeout) }
}

private func runCommandBlocking(_ arguments: [String], timeout: Int) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
    process.arguments = ["-k", "2", String(timeout)] + arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// A message as Python's `email` package sees it (`Tests/support/mail_decode.py`).
struct DecodedMessage: Decodable {
    var subject: String?
    var from: String?
    var to: [String]
    var to_names: [String]
    var reply_to: String?
    var message_id: String?
    var date: String?
    var content_type: String
    var text: String?
    var html: String?
    var attachments: [DecodedAttachment]
    var defects: [String]
    var bare_lf: Bool
    var max_line_length: Int
    var eight_bit: Bool
}

struct DecodedAttachment: Decodable, Equatable {
    var filename: String?
    var content_type: String
    var size: Int
    var sha256: String
}

/// Decodes an RFC 5322 file with Python's parser.
func decodeWithPython(file: String) async throws -> DecodedMessage {
    let result = try await runCommand(["python3", supportDirectory + "/mail_decode.py", file])
    guard result.status == 0 else { throw TestFailure("mail_decode.py failed: \(result.output)") }
    return try JSONDecoder().decode(DecodedMessage.self, from: Data(result.output.utf8))
}

/// Decodes rendered bytes with Python's parser.
func decodeWithPython(_ bytes: [UInt8]) async throws -> DecodedMessage {
    let directory = try TemporaryDirectory("decode")
    let file = directory.path + "/message.eml"
    try Data(bytes).write(to: URL(fileURLWithPath: file))
    return try await decodeWithPython(file: file)
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A CA and a server certificate for 127.0.0.1/localhost, made with the `openssl` command.
final class TestCertificates: Sendable {
    let directory: TemporaryDirectory
    var caPath: String { directory.path + "/ca.pem" }
    var certificatePath: String { directory.path + "/server.pem" }
    var keyPath: String { directory.path + "/server-key.pem" }

    init() async throws {
        directory = try TemporaryDirectory("pki")
        let d = directory.path
        try Data("subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n".utf8)
            .write(to: URL(fileURLWithPath: d + "/ext.cnf"))
        for command in [
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", d + "/ca-key.pem", "-out", d + "/ca.pem", "-days", "2", "-subj", "/CN=ContOn Mail Test CA"],
            ["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", d + "/server-key.pem", "-out", d + "/server.csr", "-subj", "/CN=localhost"],
            ["openssl", "x509", "-req", "-in", d + "/server.csr", "-CA", d + "/ca.pem", "-CAkey", d + "/ca-key.pem",
             "-CAcreateserial", "-out", d + "/server.pem", "-days", "2", "-extfile", d + "/ext.cnf"],
        ] {
            let result = try await runCommand(command)
            guard result.status == 0 else { throw TestFailure("\(command[0...1]) failed: \(result.output)") }
        }
    }
}

/// What the test SMTP server recorded for one accepted message.
struct ReceivedMessage: Decodable {
    var mail_from: String
    var rcpt_tos: [String]
    var tls: Bool
    var authenticated_as: String?
    var message: DecodedMessage
}

/// One AUTH attempt the test server saw.
struct AuthAttempt: Decodable {
    var mechanism: String
    var login: String?
    var success: Bool
    var tls: Bool
}

/// `Tests/support/smtp_test_server.py` (aiosmtpd) on 127.0.0.1, in a process of its own.
final class SMTPTestServer: @unchecked Sendable {
    enum Security: String { case none, starttls, implicit }

    let directory: TemporaryDirectory
    let port: Int
    private let process: Process

    init(security: Security = .none, certificates: TestCertificates? = nil, auth: String? = nil, allowPlainAuth: Bool = false,
         greylist: Int = 1, port requestedPort: Int = 0) async throws {
        directory = try TemporaryDirectory("smtp")
        var arguments = [supportDirectory + "/smtp_test_server.py", "--dir", directory.path, "--port", String(requestedPort),
                         "--tls", security.rawValue, "--greylist", String(greylist)]
        if let certificates {
            arguments += ["--cert", certificates.certificatePath, "--key", certificates.keyPath]
        }
        if let auth { arguments += ["--auth", auth] }
        if allowPlainAuth { arguments.append("--allow-plain-auth") }
        process = Process()
        // `python3` from PATH: the one `make deps` installed aiosmtpd for.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let log = directory.path + "/server.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: log)
        try process.run()
        let portFile = directory.path + "/port"
        let deadline = Date().addingTimeInterval(20)
        while true {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let port = Int(text) {
                self.port = port
                break
            }
            guard process.isRunning, Date() < deadline else {
                process.terminate()
                let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                throw TestFailure("the test SMTP server did not start: \(output)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// `smtp://127.0.0.1:<port>` plus `suffix` (a query or credentials are added by the caller).
    func url(scheme: String = "smtp", credentials: String? = nil, query: String = "") -> String {
        "\(scheme)://\(credentials.map { $0 + "@" } ?? "")127.0.0.1:\(port)\(query.isEmpty ? "" : "?" + query)"
    }

    /// Accepted messages, in order.
    func messages() throws -> [ReceivedMessage] {
        let folder = directory.path + "/messages"
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        return try names.map { try JSONDecoder().decode(ReceivedMessage.self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/" + $0))) }
    }

    /// The raw bytes of accepted message `index` (0-based).
    func rawMessage(_ index: Int) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: directory.path + String(format: "/messages/%04d.eml", index + 1)))
    }

    /// Every AUTH attempt, in order.
    func authAttempts() throws -> [AuthAttempt] {
        guard let text = try? String(contentsOfFile: directory.path + "/auth.jsonl", encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { try JSONDecoder().decode(AuthAttempt.self, from: Data($0.utf8)) }
    }

    /// SIGTERM, then SIGKILL if it has not exited within 3 s.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(3)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }
}
