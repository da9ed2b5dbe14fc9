import ArgumentParser
import ContonAPI
import ContonProto
import ContonTransport
import DocumentsCapability
import Foundation
import GRPCCore

/// `conton download`: a document method's stream (conton.documents.v1.DocumentChunk) into a file.
struct Download: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Save a document (PDF, CSV) from a server-streaming document method to a file.",
        discussion: """
        METHOD is any method returning `stream conton.documents.v1.DocumentChunk`, e.g. \
        conton.clients.v1.Clients/PrintClientRecord or conton.fees.v1.Receivables/PrintReceipt. The file \
        is written only when the bytes match the size and SHA-256 the stream announced; the file name the \
        server suggests is used when -o is a directory. Prints the file, its size, type, SHA-256 and \
        verification code. A failed call prints `ERROR …` as `conton call` does and exits 1.
        """)

    @OptionGroup var connection: ClientOptions
    @Argument(help: "Full method name.")
    var method: String
    @Argument(help: "Request JSON or @FILE (default {}).")
    var request: String = "{}"
    @Option(name: .shortAndLong, help: "File (or directory) to write.")
    var output: String

    static let chunkType = "conton.documents.v1.DocumentChunk"

    func run() async throws {
        let metadata = try connection.metadata()
        let json = request.hasPrefix("@") ? try String(contentsOfFile: String(request.dropFirst()), encoding: .utf8) : request
        let outcome: Result<(Conton_Documents_V1_DocumentHeader, [UInt8]), RPCError> = try await connection.withClient { client in
            let services = try await ReflectionLookup.services(client)
            guard let info = ReflectionLookup.method(method, in: services) else {
                return .failure(RPCError(code: .unimplemented, message: "the server has no method '\(method)' (see `conton list`)"))
            }
            guard info.outputType == Self.chunkType, info.serverStreaming, !info.clientStreaming else {
                return .failure(RPCError(code: .invalidArgument,
                                         message: "\(method) does not stream a document (\(Self.chunkType)); use `conton call`"))
            }
            let body: [UInt8]
            do {
                body = try ProtoJSON.decode(json: json.isEmpty ? "{}" : json, messageName: info.inputType)
            } catch {
                return .failure(RPCError(code: .invalidArgument, message: "request is not a valid \(info.inputType): \(error)"))
            }
            let slash = info.fullName.lastIndex(of: "/")!
            let descriptor = MethodDescriptor(fullyQualifiedService: String(info.fullName[..<slash]),
                                              method: String(info.fullName[info.fullName.index(after: slash)...]))
            do {
                return .success(try await client.serverStreaming(
                    request: ClientRequest(message: body, metadata: metadata), descriptor: descriptor,
                    serializer: RawBytesCodec(), deserializer: RawBytesCodec(), options: connection.callOptions
                ) { response in
                    var receiver = DocumentReceiver()
                    for try await message in response.messages {
                        try receiver.receive(try Conton_Documents_V1_DocumentChunk(serializedBytes: message))
                    }
                    return try receiver.finish()
                })
            } catch let error as RPCError {
                return .failure(error)
            } catch let problem as DocumentReceiver.Problem {
                return .failure(RPCError(code: .dataLoss, message: "the document stream is damaged: \(problem); nothing was written"))
            }
        }
        switch outcome {
        case .failure(let failure):
            Call.report(failure)
            throw ExitCode(1)
        case .success(let (header, bytes)):
            var isDirectory: ObjCBool = false
            var path = output
            if FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory), isDirectory.boolValue {
                let name = (header.fileName as NSString).lastPathComponent
                path = (output as NSString).appendingPathComponent(name.isEmpty || name.hasPrefix(".") ? "document" : name)
            }
            // Written beside the target, then renamed: a reader never sees half a file.
            let partial = path + ".part"
            try Data(bytes).write(to: URL(fileURLWithPath: partial))
            _ = try? FileManager.default.removeItem(atPath: path)
            try FileManager.default.moveItem(atPath: partial, toPath: path)
            var line = "wrote \(path) (\(bytes.count) bytes, \(header.contentType), sha256 \(header.sha256)"
            if !header.verificationCode.isEmpty { line += ", code \(header.verificationCode)" }
            if header.pages > 0 { line += ", \(header.pages) page\(header.pages == 1 ? "" : "s")" }
            print(line + ")")
        }
    }
}
