import ContonAPI
import GRPCCore

/// Conversions between GRPCCore's `Metadata` and the wire's `MetadataEntry` list.
enum WireMetadata {
    /// GRPCCore's keys are case-insensitive; the wire's are lower-case (docs/PROTOCOL.md §4), so
    /// keys are lower-cased on the way out, as gRPC's HTTP/2 transports do.
    static func entries(_ metadata: Metadata) -> [Conton_Rpc_V1_MetadataEntry] {
        metadata.map { key, value in
            var entry = Conton_Rpc_V1_MetadataEntry()
            entry.key = key.lowercased()
            switch value {
            case .string(let s): entry.value = Array(s.utf8)
            case .binary(let b): entry.value = b
            }
            return entry
        }
    }

    static func metadata(_ entries: [Conton_Rpc_V1_MetadataEntry]) -> Metadata {
        var metadata = Metadata()
        for entry in entries {
            if entry.key.hasSuffix("-bin") {
                metadata.addBinary(entry.value, forKey: entry.key)
            } else {
                metadata.addString(String(decoding: entry.value, as: UTF8.self), forKey: entry.key)
            }
        }
        return metadata
    }
}
