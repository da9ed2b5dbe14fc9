import GRPCCore
import Logging

/// Logs one line per call: method, status, duration, peer.
public struct CallLogInterceptor: ServerInterceptor {
    let logger: Logger

    public init(logger: Logger) { self.logger = logger }

    public func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        let start = ContinuousClock.now
        let logger = self.logger
        let method = context.descriptor.fullyQualifiedMethod, peer = context.remotePeer
        @Sendable func log(_ code: String, _ message: String) {
            let elapsed = ContinuousClock.now - start
            let micros = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
            logger.info("call", metadata: ["method": "\(method)", "status": "\(code)", "duration_us": "\(micros)", "peer": "\(peer)",
                                           "message": "\(message)"])
        }
        var response: StreamingServerResponse<Output>
        do {
            response = try await next(request, context)
        } catch let error as RPCError {
            log("\(error.code)", error.message)
            throw error
        } catch {
            log("unknown", "\(error)")
            throw error
        }
        switch response.accepted {
        case .failure(let error):
            log("\(error.code)", error.message)
        case .success(var contents):
            let producer = contents.producer
            contents.producer = { writer in
                do {
                    let trailers = try await producer(writer)
                    log("ok", "")
                    return trailers
                } catch let error as RPCError {
                    log("\(error.code)", error.message)
                    throw error
                } catch {
                    log("unknown", "\(error)")
                    throw error
                }
            }
            response.accepted = .success(contents)
        }
        return response
    }
}
