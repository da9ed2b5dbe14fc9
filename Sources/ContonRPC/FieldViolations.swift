import ContonAPI
import ContonProto

/// Field violations travel in `Status.field_violations` on the wire; inside GRPCCore they ride in
/// the error's metadata under ``metadataKey`` as an encoded `conton.rpc.v1.Status` holding only
/// the violations.
public enum FieldViolations {
    /// Metadata key carrying encoded violations between handlers and the transport.
    public static let metadataKey = FieldViolationMetadata.key

    public static func encode(_ violations: [Conton_Rpc_V1_FieldViolation]) -> [UInt8] {
        var status = Conton_Rpc_V1_Status()
        status.fieldViolations = violations
        return status.serializedBytes()
    }

    public static func decode(_ bytes: [UInt8]) -> [Conton_Rpc_V1_FieldViolation] {
        (try? Conton_Rpc_V1_Status(serializedBytes: bytes))?.fieldViolations ?? []
    }
}
