import ContonAPI
import ContonKit
import GRPCCore
import Synchronization

/// `conton.health.v1.Health` with the semantics of `grpc.health.v1`: the empty name is the
/// server as a whole; an unknown service is NOT_FOUND for `Check` and SERVICE_UNKNOWN for `Watch`.
public final class HealthService: Conton_Health_V1_Health.SimpleServiceProtocol {
    public typealias ServingStatus = Conton_Health_V1_HealthCheckResponse.ServingStatus

    private struct State {
        var statuses: [String: ServingStatus]
        var watchers: [UInt64: (String, AsyncStream<ServingStatus>.Continuation)] = [:]
        var nextWatcher: UInt64 = 0
    }
    private let state: Mutex<State>

    /// - Parameter services: the full names of the services this server serves.
    public init(services: [String]) {
        var statuses: [String: ServingStatus] = ["": .serving]
        for name in services { statuses[name] = .serving }
        self.state = Mutex(State(statuses: statuses))
    }

    /// Sets a service's status (the empty name: the whole server) and tells its watchers.
    public func setStatus(_ status: ServingStatus, forService service: String) {
        let watchers = self.state.withLock { s in
            s.statuses[service] = status
            return s.watchers.values.filter { $0.0 == service }.map(\.1)
        }
        for w in watchers { w.yield(status) }
    }

    /// Marks every service NOT_SERVING (at the start of a graceful shutdown).
    public func markAllNotServing() {
        let names = self.state.withLock { Array($0.statuses.keys) }
        for name in names { self.setStatus(.notServing, forService: name) }
    }

    public func check(request: Conton_Health_V1_HealthCheckRequest, context: ServerContext) async throws -> Conton_Health_V1_HealthCheckResponse {
        guard let status = self.state.withLock({ $0.statuses[request.service] }) else {
            throw ServiceError(.notFound, "unknown service '\(request.service)'", resource: ErrorDetails.Resource(type: "service", name: request.service))
        }
        var response = Conton_Health_V1_HealthCheckResponse()
        response.status = status
        return response
    }

    public func watch(request: Conton_Health_V1_HealthCheckRequest, response: RPCWriter<Conton_Health_V1_HealthCheckResponse>, context: ServerContext) async throws {
        let (stream, continuation) = AsyncStream.makeStream(of: ServingStatus.self)
        let (id, current) = self.state.withLock { s in
            let id = s.nextWatcher
            s.nextWatcher += 1
            s.watchers[id] = (request.service, continuation)
            return (id, s.statuses[request.service] ?? .serviceUnknown)
        }
        defer { _ = self.state.withLock { $0.watchers.removeValue(forKey: id) } }
        continuation.yield(current)
        var last: ServingStatus?
        try await withRPCCancellationHandler {
            for await status in stream where status != last {
                last = status
                var message = Conton_Health_V1_HealthCheckResponse()
                message.status = status
                try await response.write(message)
            }
        } onCancelRPC: {
            continuation.finish()
        }
    }
}
