import ContonAPI
import ContonProto
import GRPCCore
import Testing

/// GRPCCore's serializer and deserializer over libprotobuf-c.
@Suite struct SerializerTests {
    @Test func roundTripThroughGRPCCoreCoding() throws {
        var request = Conton_Health_V1_HealthCheckRequest()
        request.service = "conton.clients.v1.Clients"
        let bytes: [UInt8] = try ProtoSerializer<Conton_Health_V1_HealthCheckRequest>().serialize(request)
        #expect(bytes == [0x0A, 0x19] + Array("conton.clients.v1.Clients".utf8))
        let back = try ProtoDeserializer<Conton_Health_V1_HealthCheckRequest>().deserialize(bytes)
        #expect(back == request)
    }

    @Test func decodeFailureIsInvalidArgument() {
        do {
            _ = try ProtoDeserializer<Conton_Health_V1_HealthCheckRequest>().deserialize([UInt8]([0x0A, 0x09, 0x41]))
            Issue.record("expected an error")
        } catch let error as RPCError {
            #expect(error.code == .invalidArgument)
            #expect(error.message.hasPrefix("cannot decode conton.health.v1.HealthCheckRequest: "))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func generatedServiceMetadata() {
        #expect(Conton_Health_V1_Health.descriptor.fullyQualifiedService == "conton.health.v1.Health")
        #expect(Conton_Health_V1_Health.Method.Watch.descriptor.type == .serverStreaming)
        #expect(Conton_Testing_V1_TestService.Method.descriptors.count == 6)
        #expect(Conton_Health_V1_HealthCheckRequest.protoMessageName == "conton.health.v1.HealthCheckRequest")
    }
}
