import ContonProtosC

/// A protobuf-c enum descriptor: the names and numbers of one enum type.
public struct ProtoEnumDescriptor: @unchecked Sendable, Hashable, CustomStringConvertible {
    /// The protobuf-c descriptor; valid for the life of the process.
    public let pointer: UnsafePointer<ProtobufCEnumDescriptor>

    /// Wraps a descriptor pointer obtained from `ContonProtosC`.
    public init(_ pointer: UnsafePointer<ProtobufCEnumDescriptor>) {
        self.pointer = pointer
    }

    /// The registered enum with this full name, e.g.
    /// `"conton.health.v1.HealthCheckResponse.ServingStatus"`.
    public static func named(_ fullName: String) -> ProtoEnumDescriptor? {
        conton_enum_descriptor(fullName).map(ProtoEnumDescriptor.init)
    }

    /// Full name of the enum.
    public var fullName: String { String(cString: pointer.pointee.name) }

    /// The proto name of a value (`"SERVING"`), or `nil` for a number the enum does not declare.
    public func name(of value: Int32) -> String? {
        protobuf_c_enum_descriptor_get_value(pointer, value).map { String(cString: $0.pointee.name) }
    }

    /// The number of the value with this proto name.
    public func value(named name: String) -> Int32? {
        protobuf_c_enum_descriptor_get_value_by_name(pointer, name).map { $0.pointee.value }
    }

    /// Every declared (name, number) pair, in declaration-number order.
    public var values: [(name: String, number: Int32)] {
        let d = pointer.pointee
        guard let base = d.values else { return [] }
        return (0..<Int(d.n_values)).map { (String(cString: base[$0].name), base[$0].value) }
    }

    public var description: String { fullName }

    public static func == (a: Self, b: Self) -> Bool { a.pointer == b.pointer }
    public func hash(into hasher: inout Hasher) { hasher.combine(pointer) }
}
