import ContonAPI
import ContonProto

/// How many request messages a method takes, from its proto (`stream` on the request or not),
/// read once from the FileDescriptorSet compiled into the server.
///
/// The transport enforces it on the wire (docs/PROTOCOL.md §3): a unary or server-streaming call
/// takes exactly one request `MESSAGE` before its `HALF_CLOSE`.
enum RequestCardinality: Sendable, Hashable {
    /// Unary and server-streaming methods.
    case one
    /// Client-streaming and bidirectional methods.
    case stream

    /// The cardinality of a method by full name (`package.Service/Method`); nil for a method the
    /// compiled-in protos do not declare (the router answers it, usually UNIMPLEMENTED).
    static func of(method: String) -> RequestCardinality? { table[method] }

    private static let table: [String: RequestCardinality] = {
        guard let set = try? Google_Protobuf_FileDescriptorSet(serializedBytes: ProtoRegistry.fileDescriptorSet) else { return [:] }
        var out: [String: RequestCardinality] = [:]
        for file in set.file {
            for service in file.service {
                let serviceName = file.package.isEmpty ? service.name : "\(file.package).\(service.name)"
                for method in service.method {
                    out["\(serviceName)/\(method.name)"] = method.clientStreaming ? .stream : .one
                }
            }
        }
        return out
    }()

    /// Decodes the table now rather than on the first call.
    static func load() { _ = table.count }
}
