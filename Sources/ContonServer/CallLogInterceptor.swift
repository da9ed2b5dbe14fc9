import GRPCCore
import Logging

/// Logs one line per call: method, status, duration, peer. It is also the last line of defence
/// for status codes: an error that is not an `RPCError` (a bug: a handler let a library error
/// escape) would reach the client as UNKNOWN with an empty message; it answers INTERNAL instead,
/// and the log says what the error was.
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
        /// Logs a failure of `body` (and rethrows it).
        @Sendable func loggingFailure<T>(_ body: () async throws -> T) async throws -> T {
            do {
                return try await body()
            } catch let error as any RPCErrorConvertible {
                // RPCError itself, and the typed errors handlers throw (GRPCCore converts them).
                let rpc = RPCError(error)
                log("\(rpc.code)", rpc.message)
                throw rpc
            } catch is CancellationError {
                log("\(RPCError.Code.cancelled)", "cancelled")
                throw RPCError(code: .cancelled, message: "the call was cancelled")
            } catch {
                logger.error("a handler threw an error that is not an RPCError", metadata: ["method": "\(method)", "error": "\(error)"])
                log("\(RPCError.Code.internalError)", "\(error)")
                throw RPCError(code: .internalError, message: "internal error (\(type(of: error))); the server log has the details", cause: error)
            }
        }
        var response = try await loggingFailure { try await next(request, context) }
        switch response.accepted {
        case .failure(let error):
            log("\(error.code)", error.message)
        case .success(var contents):
            let producer = contents.producer
            contents.producer = { writer in
                let trailers = try await loggingFailure { try await producer(writer) }
                log("ok", "")
                return trailers
            }
            response.accepted = .success(contents)
        }
        return response
    }
}
