/// One field value in a ``DynamicMessage``.
///
/// Which case a field holds follows from its ``ProtoFieldType``: `int32`/`sint32`/`sfixed32` →
/// ``int32(_:)``, `int64`/`sint64`/`sfixed64` → ``int64(_:)``, `uint32`/`fixed32` →
/// ``uint32(_:)``, `uint64`/`fixed64` → ``uint64(_:)``, enums → ``enumValue(_:)`` (any number,
/// declared or not), repeated fields (and maps, as entry messages) → ``list(_:)``.
public indirect enum ProtoValue: Sendable, Hashable {
    case int32(Int32)
    case int64(Int64)
    case uint32(UInt32)
    case uint64(UInt64)
    case float(Float)
    case double(Double)
    case bool(Bool)
    case string(String)
    case bytes([UInt8])
    case enumValue(Int32)
    case message(DynamicMessage)
    case list([ProtoValue])

    /// Whether this is the proto3 default of its type (zero, false, empty), which proto3 does not
    /// write for fields without presence.
    public var isDefault: Bool {
        switch self {
        case .int32(let v): v == 0
        case .int64(let v): v == 0
        case .uint32(let v): v == 0
        case .uint64(let v): v == 0
        case .float(let v): v == 0
        case .double(let v): v == 0
        case .bool(let v): !v
        case .string(let v): v.isEmpty
        case .bytes(let v): v.isEmpty
        case .enumValue(let v): v == 0
        case .message: false
        case .list(let v): v.isEmpty
        }
    }
}
