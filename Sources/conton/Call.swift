import ArgumentParser
import ContonProto
import ContonTransport
import Foundation
import GRPCCore

/// `conton call`: one RPC with JSON in and JSON lines out.
struct Call: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Call a method: requests as JSON, each response printed as one JSON line.",
        discussion: """
        The request is a JSON object, @FILE, or - for stdin. For client- and bidirectional-streaming \
        methods, stdin (or the file) holds a JSON array or JSON lines, one request each. A failed call \
        prints `ERROR <CODE_NAME> (<number>): <message>` and its field violations on stderr and exits 1.
        """)

    @OptionGroup var connection: ClientOptions
    @Argument(help: "Full method name, e.g. conton.health.v1.Health/Check.")
    var method: String
    @Argument(help: "Request JSON, @FILE or - (default {}).")
    var request: String = "{}"

    func run() async throws {
        let metadata = try connection.metadata()
        let input = try readInput()
        let failure: RPCError? = try await connection.withClient { client in
            let services = try await ReflectionLookup.services(client)
            guard let info = ReflectionLookup.method(method, in: services) else {
                return RPCError(code: .unimplemented, message: "the server has no method '\(method)' (see `conton list`)")
            }
            let requests: [[UInt8]]
            do {
                requests = try Self.requests(from: input, streaming: info.clientStreaming).map {
                    try ProtoJSON.decode(json: $0, messageName: info.inputType)
                }
            } catch {
                return RPCError(code: .invalidArgument, message: "request is not a valid \(info.inputType): \(error)")
            }
            let slash = info.fullName.lastIndex(of: "/")!
            let descriptor = MethodDescriptor(fullyQualifiedService: String(info.fullName[..<slash]),
                                              method: String(info.fullName[info.fullName.index(after: slash)...]))
            let outputType = info.outputType
            do {
                try await client.bidirectionalStreaming(
                    request: StreamingClientRequest(of: [UInt8].self, metadata: metadata) { writer in
                        for r in requests { try await writer.write(r) }
                    },
                    descriptor: descriptor, serializer: RawBytesCodec(), deserializer: RawBytesCodec(),
                    options: connection.callOptions
                ) { response in
                    for try await message in response.messages {
                        print(try ProtoJSON.encode(bytes: message, messageName: outputType))
                    }
                }
                return nil
            } catch let error as RPCError {
                return error
            }
        }
        if let failure {
            Self.report(failure)
            throw ExitCode(1)
        }
    }

    /// Prints a failed call on stderr: `ERROR <CODE_NAME> (<n>): <message>`, then the rich
    /// error details (grpc-status-details-bin), one indented line each.
    static func report(_ failure: RPCError) {
        var stderr = StandardError()
        print("ERROR \(StatusName.of(failure.code.rawValue)) (\(failure.code.rawValue)): \(failure.message)", to: &stderr)
        if let details = ErrorDetails(metadata: failure.metadata) {
            for v in details.fieldViolations { print("  \(v.field): \(v.description)", to: &stderr) }
            if let reason = details.reason { print("  reason: \(reason.reason) (\(reason.domain))", to: &stderr) }
            if let resource = details.resource { print("  resource: \(resource.type) \(resource.name)", to: &stderr) }
            if let delay = details.retryDelayMilliseconds { print("  retry after: \(delay) ms", to: &stderr) }
        }
    }

    func readInput() throws -> String {
        if request == "-" {
            return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        }
        if request.hasPrefix("@") {
            return try String(contentsOfFile: String(request.dropFirst()), encoding: .utf8)
        }
        return request
    }

    /// One JSON text per request: a JSON array or JSON lines for streaming methods.
    static func requests(from input: String, streaming: Bool) throws -> [String] {
        let trimmed = input.trimmingCharacters(in: .whitespacesAndNewlines)
        guard streaming else { return [trimmed.isEmpty ? "{}" : trimmed] }
        if trimmed.hasPrefix("[") {
            guard let array = try JSONSerialization.jsonObject(with: Data(trimmed.utf8), options: [.fragmentsAllowed]) as? [Any] else {
                throw ValidationError("expected a JSON array of requests")
            }
            return try array.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
        }
        return trimmed.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }
}

/// stderr as a `TextOutputStream`.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) { FileHandle.standardError.write(Data(string.utf8)) }
}
