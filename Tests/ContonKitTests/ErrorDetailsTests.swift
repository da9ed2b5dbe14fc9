import ContonAPI
import ContonKit
import ContonProto
import GRPCCore
import Testing

/// The rich error model: what handlers throw becomes a `google.rpc.Status` in
/// `grpc-status-details-bin` that the generated `google.rpc` messages (compiled from the protos
/// pip's googleapis-common-protos ships) read back field by field.
@Suite struct ErrorDetailsTests {
    /// The encoded status in an error's metadata, decoded with the generated messages.
    static func status(_ error: RPCError) throws -> Google_Rpc_Status {
        let values = Array(error.metadata[binaryValues: ErrorDetails.metadataKey])
        try #require(values.count == 1)
        return try Google_Rpc_Status(serializedBytes: values[0])
    }

    @Test func fieldErrorsBecomeOneBadRequestWithTheCallsCodeAndMessage() throws {
        var errors = FieldErrors()
        errors.add("client.name", "is required")
        errors.add("client.other_emails[1]", "is not an e-mail address")
        let error = RPCError(errors)
        #expect(error.code == .invalidArgument)
        #expect(error.message == "client.name: is required; client.other_emails[1]: is not an e-mail address")
        let status = try Self.status(error)
        #expect(status.code == 3 && status.message == error.message)
        try #require(status.details.count == 1)
        #expect(status.details[0].typeUrl == "type.googleapis.com/google.rpc.BadRequest")
        let badRequest = try Google_Rpc_BadRequest(serializedBytes: status.details[0].value)
        #expect(badRequest.fieldViolations.map(\.field) == ["client.name", "client.other_emails[1]"])
        #expect(badRequest.fieldViolations.map(\.description) == ["is required", "is not an e-mail address"])
        #expect(error.details?.fieldViolations == [
            .init(field: "client.name", description: "is required"),
            .init(field: "client.other_emails[1]", description: "is not an e-mail address"),
        ])
    }

    @Test func aServiceErrorCarriesItsReasonResourceAndRetryDelay() throws {
        let thrown = ServiceError(.failedPrecondition, "client 7 is archived; restore it first", reason: "CLIENT_ARCHIVED",
                                  resource: .init(type: "conton.clients.v1.Client", name: "7", description: "Padaria"),
                                  retryDelayMilliseconds: 1_500)
        let error = RPCError(thrown)
        #expect(error.code == .failedPrecondition && error.message == "client 7 is archived; restore it first")
        let status = try Self.status(error)
        #expect(status.code == 9 && status.message == error.message)
        #expect(status.details.map(\.typeUrl) == [
            "type.googleapis.com/google.rpc.ErrorInfo", "type.googleapis.com/google.rpc.ResourceInfo",
            "type.googleapis.com/google.rpc.RetryInfo",
        ])
        let info = try Google_Rpc_ErrorInfo(serializedBytes: status.details[0].value)
        #expect(info.reason == "CLIENT_ARCHIVED" && info.domain == "conton")
        let resource = try Google_Rpc_ResourceInfo(serializedBytes: status.details[1].value)
        #expect(resource.resourceType == "conton.clients.v1.Client" && resource.resourceName == "7" && resource.description == "Padaria")
        let retry = try Google_Rpc_RetryInfo(serializedBytes: status.details[2].value)
        #expect(retry.retryDelay.seconds == 1 && retry.retryDelay.nanos == 500_000_000)
        // And back through the decoder the CLI uses.
        #expect(error.details == thrown.details)
    }

    @Test func anErrorWithoutDetailsSendsNoStatusDetails() {
        let error = RPCError(ServiceError(.unavailable, "try again"))
        #expect(error.metadata[binaryValues: ErrorDetails.metadataKey].first(where: { _ in true }) == nil)
        #expect(error.details == nil)
    }

    @Test func notFoundNamesTheResourceAskedFor() {
        let error = RPCError(ServiceError.notFound("fee", "12", type: "conton.fees.v1.Fee"))
        #expect(error.code == .notFound && error.message == "fee 12 not found")
        #expect(error.details?.resource == .init(type: "conton.fees.v1.Fee", name: "12"))
    }

    @Test func detailsOfUnknownTypesAreSkippedAndGarbageIsNoDetails() throws {
        var status = Google_Rpc_Status()
        status.code = 5
        var unknown = Google_Protobuf_Any()
        unknown.typeUrl = "type.googleapis.com/example.Unknown"
        unknown.value = [1, 2, 3]
        var info = Google_Protobuf_Any()
        info.typeUrl = "type.googleapis.com/google.rpc.ResourceInfo"
        var resource = Google_Rpc_ResourceInfo()
        resource.resourceName = "x"
        info.value = resource.serializedBytes()
        status.details = [unknown, info]
        let decoded = try #require(ErrorDetails.decode(status.serializedBytes()))
        #expect(decoded.code == 5 && decoded.details.resource?.name == "x" && decoded.details.reason == nil)
        let garbage = ErrorDetails.decode([0xff, 0xff, 0xff])
        #expect(garbage == nil)
    }
}
