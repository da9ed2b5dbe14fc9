import ContonProtosC

/// What the protobuf-c runtime descriptors do not say, read once from the FileDescriptorSet that
/// `ContonProtosC` embeds (`conton_file_descriptor_set`): which messages are map entries.
public struct ProtoRegistry: Sendable {
    /// The registry of the protos compiled into `ContonProtosC`.
    public static let shared = ProtoRegistry()

    /// Full names of the synthetic `map<K, V>` entry messages.
    public let mapEntryNames: Set<String>

    /// The serialized `google.protobuf.FileDescriptorSet` of every compiled proto.
    public static var fileDescriptorSet: [UInt8] {
        var length = 0
        guard let bytes = conton_file_descriptor_set(&length) else { return [] }
        return [UInt8](UnsafeBufferPointer(start: bytes, count: length))
    }

    init() {
        var names = Set<String>()
        if let set = try? ProtoCodec.decode(Self.fileDescriptorSet, messageName: "google.protobuf.FileDescriptorSet") {
            for file in set.repeated(1) as [DynamicMessage] {
                let package: String = file.singular(2)
                for message in file.repeated(4) as [DynamicMessage] {
                    Self.collectMapEntries(message, prefix: package, into: &names)
                }
            }
        }
        mapEntryNames = names
    }

    /// Whether the message with this full name is a map entry.
    public func isMapEntry(_ fullName: String) -> Bool { mapEntryNames.contains(fullName) }

    private static func collectMapEntries(_ message: DynamicMessage, prefix: String, into names: inout Set<String>) {
        let name: String = message.singular(1)
        let fullName = prefix.isEmpty ? name : "\(prefix).\(name)"
        if let options: DynamicMessage = message.optional(7), options.optional(7) == true {
            names.insert(fullName)
        }
        for nested in message.repeated(3) as [DynamicMessage] {
            collectMapEntries(nested, prefix: fullName, into: &names)
        }
    }
}

extension DynamicMessage: ProtoFieldValue {
    /// Not meaningful for dynamic messages (there is no single type); an empty
    /// `google.protobuf.Empty`. Use ``DynamicMessage/init(_:)`` with a descriptor instead.
    public static var protoDefault: DynamicMessage {
        DynamicMessage(.registered("google.protobuf.Empty"))
    }
    public init?(protoValue: ProtoValue) {
        guard case .message(let m) = protoValue else { return nil }
        self = m
    }
    public var protoValue: ProtoValue { .message(self) }
}
