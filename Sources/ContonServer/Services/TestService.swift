import ContonAPI
import GRPCCore

/// `conton.testing.v1.TestService`: gRPC's interop methods, for the interop suite and `conton
/// bench`. Served only with `--enable-test-service`.
///
/// Knobs as in `grpc.testing`: `response_size`/`response_parameters` size the answers;
/// `response_status` makes the call fail with that code and message; request metadata
/// `x-grpc-test-echo-initial` is echoed as initial metadata and `x-grpc-test-echo-trailing-bin`
/// as trailing metadata.
public struct TestService: Conton_Testing_V1_TestService.StreamingServiceProtocol {
    public init() {}

    static let echoInitial = "x-grpc-test-echo-initial"
    static let echoTrailing = "x-grpc-test-echo-trailing-bin"

    static func initialMetadata(_ request: Metadata) -> Metadata {
        var out = Metadata()
        for value in request[stringValues: echoInitial] { out.addString(value, forKey: echoInitial) }
        return out
    }

    static func trailingMetadata(_ request: Metadata) -> Metadata {
        var out = Metadata()
        for value in request[binaryValues: echoTrailing] { out.addBinary(value, forKey: echoTrailing) }
        return out
    }

    static func check(_ status: Conton_Testing_V1_EchoStatus, trailing: Metadata) throws {
        guard status.code != 0 else { return }
        throw RPCError(code: RPCError.Code(Status.Code(rawValue: Int(status.code)) ?? .unknown) ?? .unknown, message: status.message, metadata: trailing)
    }

    static func payload(size: Int32) -> Conton_Testing_V1_Payload {
        var payload = Conton_Testing_V1_Payload()
        payload.body = [UInt8](repeating: 0, count: Int(max(0, size)))
        return payload
    }

    public func emptyCall(request: StreamingServerRequest<Conton_Testing_V1_Empty>, context: ServerContext) async throws -> StreamingServerResponse<Conton_Testing_V1_Empty> {
        for try await _ in request.messages {}
        let trailing = Self.trailingMetadata(request.metadata)
        return StreamingServerResponse(metadata: Self.initialMetadata(request.metadata)) { writer in
            try await writer.write(Conton_Testing_V1_Empty())
            return trailing
        }
    }

    public func unaryCall(request: StreamingServerRequest<Conton_Testing_V1_SimpleRequest>, context: ServerContext) async throws -> StreamingServerResponse<Conton_Testing_V1_SimpleResponse> {
        var message: Conton_Testing_V1_SimpleRequest?
        for try await m in request.messages { message = m }
        guard let message else { throw RPCError(code: .invalidArgument, message: "UnaryCall needs one request message") }
        let trailing = Self.trailingMetadata(request.metadata)
        try Self.check(message.responseStatus, trailing: trailing)
        return StreamingServerResponse(metadata: Self.initialMetadata(request.metadata)) { writer in
            var response = Conton_Testing_V1_SimpleResponse()
            response.payload = Self.payload(size: message.responseSize)
            try await writer.write(response)
            return trailing
        }
    }

    public func streamingOutputCall(request: StreamingServerRequest<Conton_Testing_V1_StreamingOutputCallRequest>, context: ServerContext) async throws -> StreamingServerResponse<Conton_Testing_V1_StreamingOutputCallResponse> {
        var message: Conton_Testing_V1_StreamingOutputCallRequest?
        for try await m in request.messages { message = m }
        guard let message else { throw RPCError(code: .invalidArgument, message: "StreamingOutputCall needs one request message") }
        let trailing = Self.trailingMetadata(request.metadata)
        return StreamingServerResponse(metadata: Self.initialMetadata(request.metadata)) { writer in
            try await Self.respond(to: message, writer: writer)
            try Self.check(message.responseStatus, trailing: trailing)
            return trailing
        }
    }

    public func streamingInputCall(request: StreamingServerRequest<Conton_Testing_V1_StreamingInputCallRequest>, context: ServerContext) async throws -> StreamingServerResponse<Conton_Testing_V1_StreamingInputCallResponse> {
        var total = 0
        for try await m in request.messages { total += m.payload.body.count }
        var response = Conton_Testing_V1_StreamingInputCallResponse()
        response.aggregatedPayloadSize = Int32(clamping: total)
        let answer = response
        let trailing = Self.trailingMetadata(request.metadata)
        return StreamingServerResponse(metadata: Self.initialMetadata(request.metadata)) { writer in
            try await writer.write(answer)
            return trailing
        }
    }

    public func fullDuplexCall(request: StreamingServerRequest<Conton_Testing_V1_StreamingOutputCallRequest>, context: ServerContext) async throws -> StreamingServerResponse<Conton_Testing_V1_StreamingOutputCallResponse> {
        let trailing = Self.trailingMetadata(request.metadata)
        return StreamingServerResponse(metadata: Self.initialMetadata(request.metadata)) { writer in
            for try await message in request.messages {
                try await Self.respond(to: message, writer: writer)
                try Self.check(message.responseStatus, trailing: trailing)
            }
            return trailing
        }
    }

    static func respond(to message: Conton_Testing_V1_StreamingOutputCallRequest, writer: RPCWriter<Conton_Testing_V1_StreamingOutputCallResponse>) async throws {
        for parameters in message.responseParameters {
            if parameters.intervalUs > 0 {
                try await Task.sleep(for: .microseconds(Int64(parameters.intervalUs)))
            }
            var response = Conton_Testing_V1_StreamingOutputCallResponse()
            response.payload = Self.payload(size: parameters.size)
            try await writer.write(response)
        }
    }

    public func unimplementedCall(request: StreamingServerRequest<Conton_Testing_V1_Empty>, context: ServerContext) async throws -> StreamingServerResponse<Conton_Testing_V1_Empty> {
        throw RPCError(code: .unimplemented, message: "conton.testing.v1.TestService/UnimplementedCall is not implemented")
    }
}
