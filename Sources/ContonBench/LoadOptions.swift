import ContonAPI
import GRPCCore

/// What kind of call the load generator makes.
public enum LoadMode: String, Sendable, Codable, CaseIterable {
    /// `TestService/UnaryCall`: one `SimpleRequest` with an S-byte payload, answered with S bytes.
    case unary
    /// `TestService/StreamingOutputCall`: one request with an S-byte payload, answered with K
    /// messages of S bytes each.
    case serverStreaming = "server-streaming"
}

/// The shape of one closed-loop run: `connections` × `concurrency` calls in flight, each worker
/// starting its next call as soon as its previous one ends, for `warmup` + `duration`.
public struct LoadOptions: Sendable, Codable {
    public var mode: LoadMode
    /// Connections (one `GRPCClient` each). The generator is handed the clients; this is how many.
    public var connections: Int
    /// Calls in flight per connection.
    public var concurrency: Int
    /// Payload bytes of every request message and of every response message.
    public var payloadSize: Int
    /// Responses per call in server-streaming mode (K); 1 in unary mode.
    public var streamMessages: Int
    /// Calls made before the measured window opens (not recorded).
    public var warmup: Duration
    /// The measured window (ignored when ``calls`` is set).
    public var duration: Duration
    /// When set, the run measures exactly this many calls after the warmup, however long they
    /// take, instead of a window of ``duration``: a run bounded by a number of calls gives every
    /// test the same work on an idle machine and on a busy one.
    public var calls: Int?
    /// The unary method to call (default `conton.testing.v1.TestService/UnaryCall`). Any method
    /// taking a `SimpleRequest` and answering a `SimpleResponse` will do; a method the server does
    /// not serve shows up as UNIMPLEMENTED errors.
    public var unaryMethod: MethodDescriptor
    /// Request metadata sent with every call (e.g. `authorization`).
    public var metadata: Metadata
    /// A deadline per call; nil for none.
    public var callTimeout: Duration?
    /// Server-streaming mode: how long the server waits before each response
    /// (`ResponseParameters.interval_us`), to emulate handlers that take time. Zero by default.
    public var responseInterval: Duration

    public init(
        mode: LoadMode = .unary,
        connections: Int = 1,
        concurrency: Int = 1,
        payloadSize: Int = 64,
        streamMessages: Int = 100,
        warmup: Duration = .seconds(2),
        duration: Duration = .seconds(10),
        unaryMethod: MethodDescriptor = Conton_Testing_V1_TestService.Method.UnaryCall.descriptor,
        metadata: Metadata = [:],
        callTimeout: Duration? = nil,
        responseInterval: Duration = .zero,
        calls: Int? = nil
    ) {
        self.calls = calls
        self.mode = mode
        self.connections = connections
        self.concurrency = concurrency
        self.payloadSize = payloadSize
        self.streamMessages = streamMessages
        self.warmup = warmup
        self.duration = duration
        self.unaryMethod = unaryMethod
        self.metadata = metadata
        self.callTimeout = callTimeout
        self.responseInterval = responseInterval
    }

    /// Calls in flight in total: `connections × concurrency`.
    public var inFlight: Int { connections * concurrency }

    /// Response messages each successful call brings: 1 for unary, K for server streaming.
    public var messagesPerCall: Int { mode == .unary ? 1 : streamMessages }

    /// Checks the numbers; throws ``BenchError/invalidOptions(_:)``.
    public func validate() throws(BenchError) {
        if connections < 1 { throw .invalidOptions("connections must be at least 1") }
        if concurrency < 1 { throw .invalidOptions("concurrency must be at least 1") }
        if payloadSize < 0 { throw .invalidOptions("payload must not be negative") }
        if payloadSize > Int(Int32.max) { throw .invalidOptions("payload must fit in an int32") }
        if mode == .serverStreaming && streamMessages < 1 { throw .invalidOptions("stream-messages must be at least 1") }
        if duration <= .zero { throw .invalidOptions("duration must be positive") }
        if let calls, calls < 1 { throw .invalidOptions("calls must be at least 1") }
        if warmup < .zero { throw .invalidOptions("warmup must not be negative") }
        if responseInterval < .zero || responseInterval > .seconds(2000) {
            throw .invalidOptions("response interval must be between 0 and 2000 s")
        }
    }

    // Codable: the shape only (method by name, no metadata: tokens stay out of reports).
    enum CodingKeys: String, CodingKey {
        case mode, connections, concurrency, payloadSize = "payload_bytes", streamMessages = "stream_messages"
        case warmupSeconds = "warmup_s", durationSeconds = "duration_s", method, responseIntervalMicros = "response_interval_us"
        case calls
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let method = try c.decode(String.self, forKey: .method)
        let slash = method.lastIndex(of: "/") ?? method.endIndex
        self.init(
            mode: try c.decode(LoadMode.self, forKey: .mode),
            connections: try c.decode(Int.self, forKey: .connections),
            concurrency: try c.decode(Int.self, forKey: .concurrency),
            payloadSize: try c.decode(Int.self, forKey: .payloadSize),
            streamMessages: try c.decode(Int.self, forKey: .streamMessages),
            warmup: .seconds(try c.decode(Double.self, forKey: .warmupSeconds)),
            duration: .seconds(try c.decode(Double.self, forKey: .durationSeconds)),
            unaryMethod: MethodDescriptor(fullyQualifiedService: String(method[..<slash]),
                                          method: slash < method.endIndex ? String(method[method.index(after: slash)...]) : ""),
            responseInterval: .microseconds(try c.decodeIfPresent(Int64.self, forKey: .responseIntervalMicros) ?? 0),
            calls: try c.decodeIfPresent(Int.self, forKey: .calls)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(mode, forKey: .mode)
        try c.encode(connections, forKey: .connections)
        try c.encode(concurrency, forKey: .concurrency)
        try c.encode(payloadSize, forKey: .payloadSize)
        try c.encode(messagesPerCall, forKey: .streamMessages)
        try c.encode(warmup.inSeconds, forKey: .warmupSeconds)
        try c.encode(duration.inSeconds, forKey: .durationSeconds)
        let method = mode == .unary ? unaryMethod : Conton_Testing_V1_TestService.Method.StreamingOutputCall.descriptor
        try c.encode(method.fullyQualifiedMethod, forKey: .method)
        if responseInterval > .zero {
            try c.encode(responseInterval / .microseconds(1), forKey: .responseIntervalMicros)
        }
        try c.encodeIfPresent(calls, forKey: .calls)
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var inSeconds: Double {
        let c = self.components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}
