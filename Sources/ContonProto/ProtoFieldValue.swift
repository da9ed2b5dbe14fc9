/// A Swift type that can be the value of a protobuf field: the scalars, `String`, `[UInt8]`
/// (bytes), generated enums and generated messages.
public protocol ProtoFieldValue: Sendable, Hashable {
    /// The value of an unset field of this type (zero, false, empty, first enum case, empty
    /// message).
    static var protoDefault: Self { get }
    /// Converts from a ``ProtoValue``; `nil` when the case does not fit this type.
    init?(protoValue: ProtoValue)
    /// This value as a ``ProtoValue``.
    var protoValue: ProtoValue { get }
}

/// A type that can be the key of a protobuf `map` (integers, `Bool`, `String`).
public protocol ProtoMapKey: ProtoFieldValue {
    /// The order entries are written in (bytewise for strings, numeric for integers).
    static func protoKeyLess(_ a: Self, _ b: Self) -> Bool
}

extension Int32: ProtoMapKey {
    public static var protoDefault: Int32 { 0 }
    public init?(protoValue: ProtoValue) {
        guard case .int32(let v) = protoValue else { return nil }
        self = v
    }
    public var protoValue: ProtoValue { .int32(self) }
    public static func protoKeyLess(_ a: Int32, _ b: Int32) -> Bool { a < b }
}

extension Int64: ProtoMapKey {
    public static var protoDefault: Int64 { 0 }
    public init?(protoValue: ProtoValue) {
        guard case .int64(let v) = protoValue else { return nil }
        self = v
    }
    public var protoValue: ProtoValue { .int64(self) }
    public static func protoKeyLess(_ a: Int64, _ b: Int64) -> Bool { a < b }
}

extension UInt32: ProtoMapKey {
    public static var protoDefault: UInt32 { 0 }
    public init?(protoValue: ProtoValue) {
        guard case .uint32(let v) = protoValue else { return nil }
        self = v
    }
    public var protoValue: ProtoValue { .uint32(self) }
    public static func protoKeyLess(_ a: UInt32, _ b: UInt32) -> Bool { a < b }
}

extension UInt64: ProtoMapKey {
    public static var protoDefault: UInt64 { 0 }
    public init?(protoValue: ProtoValue) {
        guard case .uint64(let v) = protoValue else { return nil }
        self = v
    }
    public var protoValue: ProtoValue { .uint64(self) }
    public static func protoKeyLess(_ a: UInt64, _ b: UInt64) -> Bool { a < b }
}

extension Bool: ProtoMapKey {
    public static var protoDefault: Bool { false }
    public init?(protoValue: ProtoValue) {
        guard case .bool(let v) = protoValue else { return nil }
        self = v
    }
    public var protoValue: ProtoValue { .bool(self) }
    public static func protoKeyLess(_ a: Bool, _ b: Bool) -> Bool { !a && b }
}

extension String: ProtoMapKey {
    public static var protoDefault: String { "" }
    public init?(protoValue: ProtoValue) {
        guard case .string(let v) = protoValue else { return nil }
        self = v
    }
    public var protoValue: ProtoValue { .string(self) }
    public static func protoKeyLess(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
}

extension Float: ProtoFieldValue {
    public static var protoDefault: Float { 0 }
    public init?(protoValue: ProtoValue) {
        guard case .float(let v) = protoValue else { return nil }
        self = v
    }
    public var protoValue: ProtoValue { .float(self) }
}

extension Double: ProtoFieldValue {
    public static var protoDefault: Double { 0 }
    public init?(protoValue: ProtoValue) {
        guard case .double(let v) = protoValue else { return nil }
        self = v
    }
    public var protoValue: ProtoValue { .double(self) }
}

extension Array: ProtoFieldValue where Element == UInt8 {
    public static var protoDefault: [UInt8] { [] }
    public init?(protoValue: ProtoValue) {
        guard case .bytes(let v) = protoValue else { return nil }
        self = v
    }
    public var protoValue: ProtoValue { .bytes(self) }
}
