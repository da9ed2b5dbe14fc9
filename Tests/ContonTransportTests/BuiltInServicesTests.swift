import ContonAPI
import ContonServer
import ContonTesting
import ContonTLS
import ContonTransport
import Foundation
import GRPCCore
import Testing

/// Health and Reflection through a real `ContonServer` (TLS, transport, plugin host, database).
@Suite(.serialized) struct BuiltInServicesTests {
    func withServer(_ body: @escaping (ContonServer, GRPCClient<ContonClientTransport>) async throws -> Void) async throws {
        try await withTestServer(plugins: [], configure: { $0.enableTestService = true }) { test in
            try await body(test.server, test.client)
        }
    }

    @Test func reflectionListsEveryServiceWithMessageTypes() async throws {
        try await withServer { _, client in
            let reflection = Conton_Reflection_V1_Reflection.Client(wrapping: client)
            let services = try await reflection.listServices(Conton_Reflection_V1_ListServicesRequest()).services
            #expect(services.map(\.name) == [
                "conton.audit.v1.Audit", "conton.health.v1.Health", "conton.identity.v1.Identity", "conton.identity.v1.ServiceAccounts",
                "conton.identity.v1.Users", "conton.reflection.v1.Reflection", "conton.testing.v1.TestService",
            ])
            let watch = services.first { $0.name == "conton.health.v1.Health" }?.methods.first { $0.name == "Watch" }
            #expect(watch?.fullName == "conton.health.v1.Health/Watch")
            #expect(watch?.inputType == "conton.health.v1.HealthCheckRequest")
            #expect(watch?.serverStreaming == true && watch?.clientStreaming == false)
            let set = try await reflection.getFileDescriptorSet(Conton_Reflection_V1_GetFileDescriptorSetRequest())
            let files = try Google_Protobuf_FileDescriptorSet(serializedBytes: set.fileDescriptorSet).file.map(\.name)
            #expect(files.contains("conton/health/v1/health.proto"))
            #expect(files.contains("google/protobuf/descriptor.proto"))
        }
    }

    @Test func healthWatchSeesChanges() async throws {
        try await withServer { server, client in
            let health = Conton_Health_V1_Health.Client(wrapping: client)
            var request = Conton_Health_V1_HealthCheckRequest()
            request.service = "conton.testing.v1.TestService"
            #expect(try await health.check(request).status == .serving)
            let service = request.service
            let seen = try await health.watch(request) { response in
                var statuses: [Conton_Health_V1_HealthCheckResponse.ServingStatus] = []
                for try await message in response.messages {
                    statuses.append(message.status)
                    if statuses.count == 1 { server.health.setStatus(.notServing, forService: service) }
                    if statuses.count == 2 { break }
                }
                return statuses
            }
            #expect(seen == [.serving, .notServing])
            var unknown = Conton_Health_V1_HealthCheckRequest()
            unknown.service = "no.such.Service"
            let error = await #expect(throws: RPCError.self) { try await health.check(unknown) }
            #expect(error?.code == .notFound)
        }
    }
}
