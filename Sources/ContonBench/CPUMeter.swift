#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a process's cumulative CPU time (user + system, all threads), so a run can report CPU
/// time per call.
///
/// - ``process(_:scope:)`` reads `/proc/<pid>/stat` (`utime` + `stime`, in clock ticks: 10 ms
///   resolution on Linux): a server in a child process, or an external one given by pid.
/// - ``currentProcess(scope:)`` uses `getrusage(RUSAGE_SELF)` (µs resolution): the load
///   generator itself, or client and server together when both run in this process.
public struct CPUMeter: Sendable {
    /// Whose CPU time a meter reads.
    public enum Scope: String, Sendable, Codable, CaseIterable {
        case server
        case client
        /// Client and server in one process (the in-process transport).
        case clientAndServer = "client+server"
    }

    public let scope: Scope
    private let reader: @Sendable () -> Duration?

    /// A meter with a custom reader (returns the cumulative CPU time, or nil when unreadable).
    public init(scope: Scope, read: @escaping @Sendable () -> Duration?) {
        self.scope = scope
        self.reader = read
    }

    /// The cumulative CPU time now, or nil when it cannot be read (the process is gone).
    public func read() -> Duration? { reader() }

    /// CPU time of process `pid` from `/proc/<pid>/stat`.
    public static func process(_ pid: Int32, scope: Scope = .server) -> CPUMeter {
        CPUMeter(scope: scope) { Self.procStatCPUTime(pid: pid) }
    }

    /// CPU time of this process from `getrusage(RUSAGE_SELF)`.
    public static func currentProcess(scope: Scope) -> CPUMeter {
        CPUMeter(scope: scope) { Self.selfCPUTime() }
    }

    /// `utime + stime` of `pid`, or nil when `/proc/<pid>/stat` cannot be read or parsed.
    public static func procStatCPUTime(pid: Int32) -> Duration? {
        guard let text = readSmallFile("/proc/\(pid)/stat") else { return nil }
        return parseProcStat(text, ticksPerSecond: Int(sysconf(Int32(_SC_CLK_TCK))))
    }

    /// Parses a `/proc/<pid>/stat` line: fields 14 (`utime`) and 15 (`stime`), counted after the
    /// `)` that closes the command name (which may itself hold spaces and parentheses).
    public static func parseProcStat(_ text: String, ticksPerSecond: Int) -> Duration? {
        guard ticksPerSecond > 0, let close = text.lastIndex(of: ")") else { return nil }
        // After ")": field 3 (state) is the first; utime is field 14, stime field 15.
        let fields = text[text.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 13, let utime = Int64(fields[11]), let stime = Int64(fields[12]) else { return nil }
        let ticks = utime + stime
        return .nanoseconds(ticks * 1_000_000_000 / Int64(ticksPerSecond))
    }

    /// User + system CPU time of this process.
    public static func selfCPUTime() -> Duration? {
        var usage = rusage()
        guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return nil }
        func micros(_ t: timeval) -> Int64 { Int64(t.tv_sec) * 1_000_000 + Int64(t.tv_usec) }
        return .microseconds(micros(usage.ru_utime) + micros(usage.ru_stime))
    }

    static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 { return nil }
            if n == 0 { break }
            bytes += buffer[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// CPU time one meter saw during a run's measured window.
public struct CPUReading: Sendable, Codable, Equatable {
    public var scope: CPUMeter.Scope
    /// CPU seconds spent in the window.
    public var seconds: Double
    /// CPU microseconds per successful call.
    public var microsPerCall: Double?
    /// Cores kept busy on average: CPU seconds / window seconds.
    public var cores: Double

    enum CodingKeys: String, CodingKey {
        case scope, seconds = "cpu_s", microsPerCall = "cpu_us_per_call", cores
    }

    public init(scope: CPUMeter.Scope, seconds: Double, microsPerCall: Double?, cores: Double) {
        self.scope = scope
        self.seconds = seconds
        self.microsPerCall = microsPerCall
        self.cores = cores
    }
}
