import GRPCCore

/// Latency percentiles of the successful calls of a run, in microseconds.
public struct LatencySummary: Sendable, Codable, Equatable {
    public var p50: Double
    public var p90: Double
    public var p99: Double
    public var p999: Double
    public var max: Double
    public var min: Double
    public var mean: Double

    enum CodingKeys: String, CodingKey {
        case p50 = "p50_us", p90 = "p90_us", p99 = "p99_us", p999 = "p99_9_us", max = "max_us", min = "min_us", mean = "mean_us"
    }

    public init(p50: Double, p90: Double, p99: Double, p999: Double, max: Double, min: Double, mean: Double) {
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.p999 = p999
        self.max = max
        self.min = min
        self.mean = mean
    }

    /// All zero: a run with no successful call.
    public static let empty = LatencySummary(p50: 0, p90: 0, p99: 0, p999: 0, max: 0, min: 0, mean: 0)
}

/// Failed calls of one status code.
public struct StatusCount: Sendable, Codable, Equatable {
    /// The gRPC status code number (2 UNKNOWN for errors that were not `RPCError`s).
    public var code: Int
    /// Its name, e.g. `UNIMPLEMENTED`.
    public var name: String
    public var count: Int
    /// The message of the first such failure.
    public var firstMessage: String

    enum CodingKeys: String, CodingKey {
        case code, name, count, firstMessage = "first_message"
    }

    public init(code: Int, count: Int, firstMessage: String) {
        self.code = code
        self.name = StatusCodeName.of(code)
        self.count = count
        self.firstMessage = firstMessage
    }
}

/// The outcome of one run of the ``LoadGenerator``.
public struct LoadResult: Sendable, Codable {
    /// Which transport carried the calls, e.g. `conton`, `inprocess`, `grpc-h2`.
    public var transport: String
    public var options: LoadOptions
    /// Calls that ended OK within the measured window.
    public var calls: Int
    /// Response messages those calls received (K per call in server-streaming mode).
    public var messages: Int
    /// Calls that failed within the window, by status code (sorted by code).
    public var errors: [StatusCount]
    /// The measured window, in seconds.
    public var elapsedSeconds: Double
    public var latency: LatencySummary
    /// Payload bytes sent in requests and received in responses by the successful calls.
    public var bytesSent: Int
    public var bytesReceived: Int
    /// CPU time seen by each meter during the window.
    public var cpu: [CPUReading]
    /// Free-form notes: load average, where the server ran, …
    public var notes: [String: String]

    enum CodingKeys: String, CodingKey {
        case transport, options, calls, messages, errors, elapsedSeconds = "elapsed_s", latency
        case bytesSent = "bytes_sent", bytesReceived = "bytes_received", cpu, notes
        case callsPerSecond = "calls_per_s", messagesPerSecond = "messages_per_s"
    }

    public init(transport: String, options: LoadOptions, calls: Int, messages: Int, errors: [StatusCount], elapsedSeconds: Double,
                latency: LatencySummary, bytesSent: Int, bytesReceived: Int, cpu: [CPUReading] = [], notes: [String: String] = [:]) {
        self.transport = transport
        self.options = options
        self.calls = calls
        self.messages = messages
        self.errors = errors
        self.elapsedSeconds = elapsedSeconds
        self.latency = latency
        self.bytesSent = bytesSent
        self.bytesReceived = bytesReceived
        self.cpu = cpu
        self.notes = notes
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.transport = try c.decode(String.self, forKey: .transport)
        self.options = try c.decode(LoadOptions.self, forKey: .options)
        self.calls = try c.decode(Int.self, forKey: .calls)
        self.messages = try c.decode(Int.self, forKey: .messages)
        self.errors = try c.decode([StatusCount].self, forKey: .errors)
        self.elapsedSeconds = try c.decode(Double.self, forKey: .elapsedSeconds)
        self.latency = try c.decode(LatencySummary.self, forKey: .latency)
        self.bytesSent = try c.decode(Int.self, forKey: .bytesSent)
        self.bytesReceived = try c.decode(Int.self, forKey: .bytesReceived)
        self.cpu = try c.decode([CPUReading].self, forKey: .cpu)
        self.notes = try c.decodeIfPresent([String: String].self, forKey: .notes) ?? [:]
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(transport, forKey: .transport)
        try c.encode(options, forKey: .options)
        try c.encode(calls, forKey: .calls)
        try c.encode(messages, forKey: .messages)
        try c.encode(errors, forKey: .errors)
        try c.encode(elapsedSeconds, forKey: .elapsedSeconds)
        try c.encode(callsPerSecond, forKey: .callsPerSecond)
        try c.encode(messagesPerSecond, forKey: .messagesPerSecond)
        try c.encode(latency, forKey: .latency)
        try c.encode(bytesSent, forKey: .bytesSent)
        try c.encode(bytesReceived, forKey: .bytesReceived)
        try c.encode(cpu, forKey: .cpu)
        try c.encode(notes, forKey: .notes)
    }

    /// Successful calls per second of the measured window.
    public var callsPerSecond: Double { elapsedSeconds > 0 ? Double(calls) / elapsedSeconds : 0 }
    /// Response messages per second of the measured window.
    public var messagesPerSecond: Double { elapsedSeconds > 0 ? Double(messages) / elapsedSeconds : 0 }
    /// Failed calls, all codes together.
    public var errorCount: Int { errors.reduce(0) { $0 + $1.count } }
    /// Failed calls with `code`.
    public func errors(_ code: RPCError.Code) -> Int {
        errors.first { $0.code == code.rawValue }?.count ?? 0
    }
    /// The reading of the meter with `scope`, if there was one.
    public func cpu(_ scope: CPUMeter.Scope) -> CPUReading? { cpu.first { $0.scope == scope } }
}

/// gRPC's status code names.
public enum StatusCodeName {
    static let names = ["OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
                        "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
                        "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"]

    /// `UNIMPLEMENTED` for 12; `UNKNOWN` for a number gRPC does not define.
    public static func of(_ code: Int) -> String { code >= 0 && code < names.count ? names[code] : "UNKNOWN" }
}
