import ArgumentParser
import ContonAPI

/// `conton describe METHOD|MESSAGE`: a method's signature or a message's fields, from the
/// server's reflection (its FileDescriptorSet).
struct Describe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Describe a method or a message type.")

    @OptionGroup var connection: ClientOptions
    @Argument(help: "A full method name (pkg.Service/Method) or message name (pkg.Message).")
    var name: String

    func run() async throws {
        let (services, set) = try await connection.withClient { client in
            let reflection = Conton_Reflection_V1_Reflection.Client(wrapping: client)
            let services = try await reflection.listServices(Conton_Reflection_V1_ListServicesRequest()).services
            let bytes = try await reflection.getFileDescriptorSet(Conton_Reflection_V1_GetFileDescriptorSetRequest()).fileDescriptorSet
            return (services, try Google_Protobuf_FileDescriptorSet(serializedBytes: bytes))
        }
        if let m = ReflectionLookup.method(name, in: services) {
            let input = (m.clientStreaming ? "stream " : "") + m.inputType
            let output = (m.serverStreaming ? "stream " : "") + m.outputType
            print("rpc \(m.fullName)(\(input)) returns (\(output))")
            return
        }
        for file in set.file {
            if let message = Self.find(name, in: file.messageType, prefix: file.package) {
                print("message \(name) {")
                for field in message.field {
                    let repeated = field.label == .repeated ? "repeated " : ""
                    print("  \(repeated)\(Self.typeName(field)) \(field.name) = \(field.number);")
                }
                print("}")
                return
            }
        }
        var stderr = StandardError()
        print("ERROR NOT_FOUND (5): no method or message named '\(name)'", to: &stderr)
        throw ExitCode(1)
    }

    static func find(_ name: String, in messages: [Google_Protobuf_DescriptorProto], prefix: String) -> Google_Protobuf_DescriptorProto? {
        for message in messages {
            let full = prefix.isEmpty ? message.name : "\(prefix).\(message.name)"
            if full == name { return message }
            if let nested = find(name, in: message.nestedType, prefix: full) { return nested }
        }
        return nil
    }

    static func typeName(_ field: Google_Protobuf_FieldDescriptorProto) -> String {
        switch field.type {
        case .message, .enum: String(field.typeName.drop { $0 == "." })
        default: "\(field.type)".lowercased()
        }
    }
}
