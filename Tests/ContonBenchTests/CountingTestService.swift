import ContonAPI
import ContonServer
import GRPCCore
import Synchronization

/// What the counting service saw: calls in its handler at once, and which servers answered.
final class InFlightCounter: Sendable {
    struct State {
        var current = 0
        var max = 0
        var servers: Set<Int> = []
        var calls = 0
    }

    private let state = Mutex(State())

    func enter(server: Int) {
        state.withLock {
            $0.current += 1
            $0.calls += 1
            $0.max = Swift.max($0.max, $0.current)
            $0.servers.insert(server)
        }
    }

    func leave() { state.withLock { $0.current -= 1 } }

    var snapshot: State { state.withLock { $0 } }
}

/// `TestService` whose `UnaryCall` counts the calls in its handler at once and holds each one
/// until `gather` calls are in the handler together (at most `hold`; with `gather` nil, for
/// `hold`); `shortPayload` answers one byte less than asked. Everything else is `TestService`'s.
struct CountingTestService: Conton_Testing_V1_TestService.StreamingServiceProtocol {
    let counter: InFlightCounter
    /// Which server this instance belongs to (one per in-process "connection").
    let server: Int
    var hold: Duration = .milliseconds(10)
    var gather: Int?
    var shortPayload = false
    let inner = TestService()

    func unaryCall(request: StreamingServerRequest<Conton_Testing_V1_SimpleRequest>, context: ServerContext) async throws -> StreamingServerResponse<Conton_Testing_V1_SimpleResponse> {
        var message: Conton_Testing_V1_SimpleRequest?
        for try await m in request.messages { message = m }
        counter.enter(server: server)
        if let gather {
            // Waits on the condition (all of them in at once, once), bounded by `hold`, never on a timer.
            let deadline = ContinuousClock.now + hold
            while counter.snapshot.max < gather && ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(1))
            }
        } else {
            try? await Task.sleep(for: hold)
        }
        counter.leave()
        var response = Conton_Testing_V1_SimpleResponse()
        response.payload.body = [UInt8](repeating: 0, count: max(0, Int(message?.responseSize ?? 0) - (shortPayload ? 1 : 0)))
        let answer = response
        return StreamingServerResponse(metadata: [:]) { writer in
            try await writer.write(answer)
            return [:]
        }
    }

    func emptyCall(request: StreamingServerRequest<Conton_Testing_V1_Empty>, context: ServerContext) async throws -> StreamingServerResponse<Conton_Testing_V1_Empty> {
        try await inner.emptyCall(request: request, context: context)
    }

    func streamingOutputCall(request: StreamingServerRequest<Conton_Testing_V1_StreamingOutputCallRequest>, context: ServerContext) async throws -> StreamingServerResponse<Conton_Testing_V1_StreamingOutputCallResponse> {
        try await inner.streamingOutputCall(request: request, context: context)
    }

    func streamingInputCall(request: StreamingServerRequest<Conton_Testing_V1_StreamingInputCallRequest>, context: ServerContext) async throws -> StreamingServerResponse<Conton_Testing_V1_StreamingInputCallResponse> {
        try await inner.streamingInputCall(request: request, context: context)
    }

    func fullDuplexCall(request: StreamingServerRequest<Conton_Testing_V1_StreamingOutputCallRequest>, context: ServerContext) async throws -> StreamingServerResponse<Conton_Testing_V1_StreamingOutputCallResponse> {
        try await inner.fullDuplexCall(request: request, context: context)
    }

    func unimplementedCall(request: StreamingServerRequest<Conton_Testing_V1_Empty>, context: ServerContext) async throws -> StreamingServerResponse<Conton_Testing_V1_Empty> {
        try await inner.unimplementedCall(request: request, context: context)
    }
}
