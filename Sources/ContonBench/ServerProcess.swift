import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A server run as a child process for a benchmark: started with its arguments, ready once it
/// prints a line starting with `listening on HOST:PORT` on stdout, stopped with SIGTERM.
///
/// Client and server in separate processes keep their CPU time apart: the server's is read from
/// `/proc/<pid>/stat` (``CPUMeter/process(_:scope:)``), the client's with `getrusage`.
public final class ServerProcess: Sendable {
    /// The child's process id.
    public let pid: Int32
    /// Host and port from its ready line.
    public let host: String
    public let port: Int
    /// Every stdout line so far (for diagnostics).
    public var output: [String] { lines.all }

    private let process: ProcessBox
    private let lines: LineBuffer

    private init(process: ProcessBox, lines: LineBuffer, host: String, port: Int) {
        self.process = process
        self.pid = process.process.processIdentifier
        self.lines = lines
        self.host = host
        self.port = port
    }

    /// The prefix of the line a server prints once it accepts connections.
    public static let readyPrefix = "listening on "

    /// Starts `executable` with `arguments` and waits until it prints its ready line.
    ///
    /// - Parameters:
    ///   - stderrPath: where the child's stderr goes (its log); nil for /dev/null.
    ///   - timeout: how long to wait for the ready line.
    /// - Throws: ``BenchError/serverStart(_:)`` when it cannot be started, exits, or stays silent.
    public static func launch(
        executable: String,
        arguments: [String],
        stderrPath: String? = nil,
        timeout: Duration = .seconds(60)
    ) async throws(BenchError) -> ServerProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardInput = FileHandle.nullDevice
        if let stderrPath {
            _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
            process.standardError = FileHandle(forWritingAtPath: stderrPath) ?? FileHandle.nullDevice
        } else {
            process.standardError = FileHandle.nullDevice
        }
        do {
            try process.run()
        } catch {
            throw .serverStart("cannot run \(executable): \(error)")
        }
        let box = ProcessBox(process)
        let lines = LineBuffer()
        let reader = stdout.fileHandleForReading
        // Drain stdout on a thread of its own until EOF, so the child never blocks on a full pipe.
        Thread.detachNewThread {
            var pending: [UInt8] = []
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                pending += chunk
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[..<newline], as: UTF8.self)
                    pending.removeSubrange(...newline)
                    lines.append(line)
                }
            }
        }
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let ready = lines.all.first { $0.hasPrefix(readyPrefix) }
            if let ready, let (host, port) = parseAddress(String(ready.dropFirst(readyPrefix.count))) {
                return ServerProcess(process: box, lines: lines, host: host, port: port)
            }
            if !process.isRunning {
                throw .serverStart("\(executable) exited with status \(process.terminationStatus) before printing '\(readyPrefix)…'")
            }
            if clock.now >= deadline {
                process.terminate()
                throw .serverStart("\(executable) printed no '\(readyPrefix)…' line within \(timeout)")
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// `HOST:PORT` (IPv6 hosts in brackets) from the text after the ready prefix.
    public static func parseAddress(_ text: String) -> (host: String, port: Int)? {
        let word = text.split(separator: " ").first.map(String.init) ?? ""
        guard let colon = word.lastIndex(of: ":"), let port = Int(word[word.index(after: colon)...]) else { return nil }
        let host = word[..<colon].trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return (host, port)
    }

    /// Sends SIGTERM and waits for the child to exit (SIGKILL after `grace`). Returns its exit
    /// status.
    @discardableResult
    public func stop(grace: Duration = .seconds(15)) async -> Int32 {
        let process = self.process.process
        if process.isRunning { kill(pid, SIGTERM) }
        let clock = ContinuousClock()
        let deadline = clock.now + grace
        while process.isRunning {
            if clock.now >= deadline {
                kill(pid, SIGKILL)
                break
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Whether the child is still running.
    public var isRunning: Bool { process.process.isRunning }
}

/// Foundation's `Process` is thread-safe for what is used here (pid, isRunning, status) but not
/// marked `Sendable`.
private final class ProcessBox: @unchecked Sendable {
    let process: Process
    init(_ process: Process) { self.process = process }
}

/// Lines read from the child's stdout.
private final class LineBuffer: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}
