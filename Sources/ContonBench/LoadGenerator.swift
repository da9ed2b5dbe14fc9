import ContonAPI
import ContonProto
import GRPCCore
import Histogram

/// A closed-loop load generator over any GRPCCore client transport.
///
/// Each of the clients it is handed is one connection; on each it keeps
/// ``LoadOptions/concurrency`` workers busy, every worker starting its next call as soon as its
/// previous one has ended (closed loop: the offered load adapts to the server, and latency is
/// never hidden by a queue in the generator). Calls are `conton.testing.v1.TestService`'s
/// `UnaryCall` (an S-byte payload each way) or `StreamingOutputCall` (K responses of S bytes).
///
/// Every worker first makes one uncounted call (so connections and TLS handshakes are done); once
/// all have, the clock starts: ``LoadOptions/warmup``, then the measured window of
/// ``LoadOptions/duration``. Only calls that *end* inside the window count, and CPU meters are
/// read when it opens and closes. With ``LoadOptions/calls`` set, the window instead holds
/// exactly that many calls started after the warmup, however long they take (what tests use: a
/// busy machine makes them slower, never empty). A failed
/// call is counted under its status code and never recorded as a latency; a response of the wrong
/// size or a stream with the wrong number of messages counts as `INTERNAL`.
///
/// ```swift
/// let result = try await LoadGenerator(options: LoadOptions(connections: 1, concurrency: 64))
///     .run(clients: [client], transport: "conton", meters: [.process(serverPID)])
/// print(BenchReport.table([result]))
/// ```
public struct LoadGenerator: Sendable {
    public var options: LoadOptions

    public init(options: LoadOptions) {
        self.options = options
    }

    /// Runs the load over `clients` (each already running its connections, one per connection)
    /// and returns what it measured.
    ///
    /// - Parameters:
    ///   - clients: one client per connection; `options.connections` is ignored in favour of
    ///     `clients.count`.
    ///   - transport: the label the result carries.
    ///   - meters: CPU meters read at the window's edges.
    /// - Throws: ``BenchError/invalidOptions(_:)`` for options that make no sense.
    public func run<Transport: ClientTransport>(
        clients: [GRPCClient<Transport>],
        transport: String,
        meters: [CPUMeter] = []
    ) async throws(BenchError) -> LoadResult {
        var options = self.options
        options.connections = clients.count
        try options.validate()

        let clock = ContinuousClock()
        let plan = CallPlan(options: options)
        let gate = StartGate(workers: options.connections * options.concurrency, warmup: options.warmup,
                             duration: options.duration, clock: clock)
        let budget = options.calls.map { CallBudget(calls: $0) }

        let (tallies, cpu) = await withTaskGroup(of: Outcome.self) { group in
            group.addTask {
                .cpu(await Self.meterWindow(meters, window: await gate.window(), budget: budget, clock: clock))
            }
            group.addTask {
                // Opens the gate even if some worker's first call never ends.
                try? await Task.sleep(for: Self.primingTimeout)
                gate.open()
                return .none
            }
            for client in clients {
                for _ in 0..<options.concurrency {
                    group.addTask { .tally(await Self.worker(client: client, plan: plan, gate: gate, budget: budget, clock: clock)) }
                }
            }
            var tallies: [Tally] = []
            var cpu: [(CPUMeter.Scope, Duration)] = []
            var pending = options.connections * options.concurrency + 1
            while pending > 0, let outcome = await group.next() {
                switch outcome {
                case .tally(let tally):
                    tallies.append(tally)
                    pending -= 1
                case .cpu(let readings):
                    cpu = readings
                    pending -= 1
                case .none:
                    break
                }
            }
            group.cancelAll()
            return (tallies, cpu)
        }

        var total = Tally()
        for tally in tallies { total.merge(tally) }
        var elapsed = options.duration.inSeconds
        if let budget, let end = await budget.done() {
            elapsed = max(1e-9, (end - (await gate.window()).opens).inSeconds)
        }
        let readings = cpu.map { scope, time in
            CPUReading(scope: scope, seconds: time.inSeconds,
                       microsPerCall: total.calls > 0 ? time.inSeconds * 1e6 / Double(total.calls) : nil,
                       cores: time.inSeconds / elapsed)
        }
        return LoadResult(
            transport: transport, options: options, calls: total.calls, messages: total.messages,
            errors: total.errors.keys.sorted().map { StatusCount(code: $0, count: total.errors[$0]!, firstMessage: total.firstMessages[$0] ?? "") },
            elapsedSeconds: elapsed, latency: total.summary(), bytesSent: total.bytesSent, bytesReceived: total.bytesReceived,
            cpu: readings)
    }

    // MARK: - The parts of a run

    /// When the measured window opens and closes.
    struct Window: Sendable {
        let opens: ContinuousClock.Instant
        let closes: ContinuousClock.Instant

        func contains(_ instant: ContinuousClock.Instant) -> Bool { instant >= opens && instant <= closes }
    }

    /// The requests every worker sends, built once.
    struct CallPlan: Sendable {
        let mode: LoadMode
        let unary: Conton_Testing_V1_SimpleRequest
        let streaming: Conton_Testing_V1_StreamingOutputCallRequest
        let method: MethodDescriptor
        let metadata: Metadata
        let callOptions: CallOptions
        let payloadSize: Int
        let streamMessages: Int

        init(options: LoadOptions) {
            var payload = Conton_Testing_V1_Payload()
            payload.body = [UInt8](repeating: 0x2a, count: options.payloadSize)
            var unary = Conton_Testing_V1_SimpleRequest()
            unary.responseSize = Int32(options.payloadSize)
            unary.payload = payload
            var streaming = Conton_Testing_V1_StreamingOutputCallRequest()
            streaming.payload = payload
            var parameters = Conton_Testing_V1_ResponseParameters()
            parameters.size = Int32(options.payloadSize)
            parameters.intervalUs = Int32(options.responseInterval / .microseconds(1))
            streaming.responseParameters = Array(repeating: parameters, count: options.mode == .serverStreaming ? options.streamMessages : 0)
            var callOptions = CallOptions.defaults
            callOptions.timeout = options.callTimeout
            self.mode = options.mode
            self.unary = unary
            self.streaming = streaming
            self.method = options.unaryMethod
            self.metadata = options.metadata
            self.callOptions = callOptions
            self.payloadSize = options.payloadSize
            self.streamMessages = options.streamMessages
        }
    }

    enum Outcome: Sendable {
        case tally(Tally)
        case cpu([(CPUMeter.Scope, Duration)])
        case none
    }

    /// How long the generator waits for every worker's first call before it starts the clock anyway.
    static let primingTimeout: Duration = .seconds(10)

    /// What one worker saw; merged into the run's result.
    struct Tally: Sendable {
        var calls = 0
        var messages = 0
        var bytesSent = 0
        var bytesReceived = 0
        var errors: [Int: Int] = [:]
        var firstMessages: [Int: String] = [:]
        /// Latencies in nanoseconds, 3 significant digits, growing to the largest value seen.
        var histogram: Histogram<UInt32> = {
            var histogram = Histogram<UInt32>(lowestDiscernibleValue: 64, highestTrackableValue: 1_000_000, numberOfSignificantValueDigits: .three)
            histogram.autoResize = true
            return histogram
        }()

        mutating func fail(_ code: Int, _ message: String) {
            errors[code, default: 0] += 1
            if firstMessages[code] == nil { firstMessages[code] = message }
        }

        mutating func merge(_ other: Tally) {
            calls += other.calls
            messages += other.messages
            bytesSent += other.bytesSent
            bytesReceived += other.bytesReceived
            errors.merge(other.errors, uniquingKeysWith: +)
            firstMessages.merge(other.firstMessages) { mine, _ in mine }
            histogram.add(other.histogram)
        }

        func summary() -> LatencySummary {
            guard histogram.totalCount > 0 else { return .empty }
            func micros(_ nanos: UInt64) -> Double { Double(nanos) / 1000 }
            return LatencySummary(
                p50: micros(histogram.valueAtPercentile(50)), p90: micros(histogram.valueAtPercentile(90)),
                p99: micros(histogram.valueAtPercentile(99)), p999: micros(histogram.valueAtPercentile(99.9)),
                max: micros(histogram.max), min: micros(histogram.min), mean: histogram.mean / 1000)
        }
    }

    /// A response that does not match what was asked for.
    struct UnexpectedResponse: Error, CustomStringConvertible {
        let description: String
    }

    /// One closed loop: a first call that opens the connection (not counted), then call, record,
    /// repeat until the window closes.
    static func worker<Transport: ClientTransport>(
        client: GRPCClient<Transport>, plan: CallPlan, gate: StartGate, budget: CallBudget?, clock: ContinuousClock
    ) async -> Tally {
        var tally = Tally()
        _ = try? await Self.call(client: client, plan: plan)
        let window = await gate.arrive()
        while !Task.isCancelled {
            let started = clock.now
            // Bounded by calls: warm up until the window opens, then one taken call at a time.
            let counted = budget != nil && started >= window.opens
            if let budget {
                if counted && !budget.take() { break }
            } else if started >= window.closes {
                break
            }
            let outcome: Result<(messages: Int, bytes: Int), any Error>
            do {
                outcome = .success(try await Self.call(client: client, plan: plan))
            } catch {
                outcome = .failure(error)
            }
            let ended = clock.now
            if counted { budget?.finish(at: ended) }
            guard budget == nil ? window.contains(ended) : counted else { continue }
            switch outcome {
            case .success(let received):
                tally.calls += 1
                tally.messages += received.messages
                tally.bytesSent += plan.payloadSize
                tally.bytesReceived += received.bytes
                let nanos = (ended - started) / .nanoseconds(1)
                _ = tally.histogram.record(UInt64(max(1, nanos)))
            case .failure(let error as RPCError):
                tally.fail(error.code.rawValue, error.message)
            case .failure(let error as UnexpectedResponse):
                tally.fail(RPCError.Code.internalError.rawValue, error.description)
            case .failure(let error):
                tally.fail(RPCError.Code.unknown.rawValue, "\(error)")
            }
        }
        return tally
    }

    /// One call; returns the response messages and payload bytes it received.
    static func call<Transport: ClientTransport>(client: GRPCClient<Transport>, plan: CallPlan) async throws -> (messages: Int, bytes: Int) {
        switch plan.mode {
        case .unary:
            // What the generated `Conton_Testing_V1_TestService.Client.unaryCall` does, with the
            // method descriptor taken from the options.
            let response = try await client.unary(
                request: ClientRequest(message: plan.unary, metadata: plan.metadata),
                descriptor: plan.method,
                serializer: ProtoSerializer<Conton_Testing_V1_SimpleRequest>(),
                deserializer: ProtoDeserializer<Conton_Testing_V1_SimpleResponse>(),
                options: plan.callOptions
            ) { try $0.message }
            let size = response.payload.body.count
            guard size == plan.payloadSize else {
                throw UnexpectedResponse(description: "expected a \(plan.payloadSize)-byte payload, got \(size) bytes")
            }
            return (1, size)
        case .serverStreaming:
            let stub = Conton_Testing_V1_TestService.Client(wrapping: client)
            let expected = plan.streamMessages, size = plan.payloadSize
            return try await stub.streamingOutputCall(
                request: ClientRequest(message: plan.streaming, metadata: plan.metadata),
                options: plan.callOptions
            ) { response in
                var messages = 0, bytes = 0
                for try await message in response.messages {
                    messages += 1
                    bytes += message.payload.body.count
                }
                guard messages == expected, bytes == expected * size else {
                    throw UnexpectedResponse(description: "expected \(expected) messages of \(size) bytes, got \(messages) messages, \(bytes) bytes")
                }
                return (messages, bytes)
            }
        }
    }

    /// Reads every meter when the window opens and when it closes (or, bounded by calls, when
    /// the last call has ended); returns the differences.
    static func meterWindow(_ meters: [CPUMeter], window: Window, budget: CallBudget?, clock: ContinuousClock) async -> [(CPUMeter.Scope, Duration)] {
        guard !meters.isEmpty else {
            _ = await budget?.done()
            return []
        }
        try? await Task.sleep(until: window.opens, clock: clock)
        let before = meters.map { $0.read() }
        if let budget {
            _ = await budget.done()
        } else {
            try? await Task.sleep(until: window.closes, clock: clock)
        }
        let after = meters.map { $0.read() }
        return zip(meters, zip(before, after)).compactMap { meter, reading in
            guard let start = reading.0, let end = reading.1 else { return nil }
            return (meter.scope, end - start)
        }
    }
}
