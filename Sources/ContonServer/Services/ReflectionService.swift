import ContonAPI
import ContonKit
import ContonProtosC
import GRPCCore

/// `conton.reflection.v1.Reflection`: the services and methods this server serves, and the
/// FileDescriptorSet of every proto it was built with.
public struct ReflectionService: Conton_Reflection_V1_Reflection.SimpleServiceProtocol {
    private let services: [Conton_Reflection_V1_ServiceInfo]

    /// - Parameters:
    ///   - methods: every method the server's router has.
    ///   - policies: who may call each (reported with it).
    public init(methods: [MethodDescriptor], policies: [MethodDescriptor: AccessPolicy] = [:]) {
        let byService = Dictionary(grouping: methods, by: { $0.service.fullyQualifiedService })
        self.services = byService.keys.sorted().map { name in
            var info = Conton_Reflection_V1_ServiceInfo()
            info.name = name
            info.methods = byService[name, default: []].sorted { $0.method < $1.method }.map { m in
                var method = Conton_Reflection_V1_MethodInfo()
                method.name = m.method
                method.fullName = m.fullyQualifiedMethod
                if let shape = Self.shapes[m.fullyQualifiedMethod] {
                    method.inputType = shape.input
                    method.outputType = shape.output
                    method.clientStreaming = shape.clientStreaming
                    method.serverStreaming = shape.serverStreaming
                }
                if let rule = ContonAccessRules.byMethod[m.fullyQualifiedMethod] { method.access = rule }
                if let policy = policies[m] { method.accessSummary = policy.description }
                return method
            }
            return info
        }
    }

    /// Message types and streaming of every method in the compiled-in descriptor set.
    static let shapes: [String: (input: String, output: String, clientStreaming: Bool, serverStreaming: Bool)] = {
        var length = 0
        guard let pointer = conton_file_descriptor_set(&length),
              let set = try? Google_Protobuf_FileDescriptorSet(serializedBytes: UnsafeBufferPointer(start: pointer, count: length))
        else { return [:] }
        var out: [String: (String, String, Bool, Bool)] = [:]
        for file in set.file {
            for service in file.service {
                let serviceName = file.package.isEmpty ? service.name : "\(file.package).\(service.name)"
                for method in service.method {
                    out["\(serviceName)/\(method.name)"] = (String(method.inputType.drop { $0 == "." }), String(method.outputType.drop { $0 == "." }),
                                                           method.clientStreaming, method.serverStreaming)
                }
            }
        }
        return out
    }()

    public func listServices(request: Conton_Reflection_V1_ListServicesRequest, context: ServerContext) async throws -> Conton_Reflection_V1_ListServicesResponse {
        var response = Conton_Reflection_V1_ListServicesResponse()
        response.services = self.services
        return response
    }

    public func getFileDescriptorSet(request: Conton_Reflection_V1_GetFileDescriptorSetRequest, context: ServerContext) async throws -> Conton_Reflection_V1_GetFileDescriptorSetResponse {
        var length = 0
        var response = Conton_Reflection_V1_GetFileDescriptorSetResponse()
        if let pointer = conton_file_descriptor_set(&length) {
            response.fileDescriptorSet = Array(UnsafeBufferPointer(start: pointer, count: length))
        }
        return response
    }
}
