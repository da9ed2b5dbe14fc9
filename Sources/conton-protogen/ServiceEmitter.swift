import GRPCCodeGen

/// Renders a file's services with grpc-swift-2's GRPCCodeGen (as grpc-swift-protobuf's plugin
/// does), using ContonProto's serializers.
struct ServiceEmitter {
    let file: FileModel
    let index: TypeIndex

    /// The rendered source: `leadingTrivia`, the imports, then each service's namespace enum with
    /// method descriptors, server protocols and client.
    func render(leadingTrivia: String) throws -> String {
        let services = try file.services.map { service in
            GRPCCodeGen.ServiceDescriptor(
                documentation: "/// Service `\(service.fullName)` from `\(file.name)`.\n",
                name: ServiceName(
                    identifyingName: service.fullName,
                    typeName: SwiftNaming.typePrefix(package: file.package) + service.name,
                    propertyName: SwiftNaming.propertyPrefix(package: file.package) + service.name),
                methods: try service.methods.map { method in
                    GRPCCodeGen.MethodDescriptor(
                        documentation: "/// `rpc \(method.name)(\(method.clientStreaming ? "stream " : "")\(method.inputType)) returns (\(method.serverStreaming ? "stream " : "")\(method.outputType))`\n",
                        name: MethodName(
                            identifyingName: method.name, typeName: method.name,
                            functionName: SwiftNaming.lowerCamel(method.name)),
                        isInputStreaming: method.clientStreaming,
                        isOutputStreaming: method.serverStreaming,
                        inputType: try index.swiftName(method.inputType),
                        outputType: try index.swiftName(method.outputType))
                })
        }
        let request = CodeGenerationRequest(
            fileName: file.name,
            leadingTrivia: leadingTrivia,
            dependencies: [Dependency(module: "ContonProto", accessLevel: .public)],
            services: services,
            makeSerializerCodeSnippet: { "ContonProto.ProtoSerializer<\($0)>()" },
            makeDeserializerCodeSnippet: { "ContonProto.ProtoDeserializer<\($0)>()" })
        let config = CodeGenerator.Config(accessLevel: .public, accessLevelOnImports: false, client: true, server: true, indentation: 4)
        return try CodeGenerator(config: config).generate(request).contents
    }
}
