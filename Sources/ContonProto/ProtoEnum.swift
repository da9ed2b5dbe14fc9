/// A generated protobuf enum. Numbers the enum does not declare are kept as
/// `unrecognized(Int32)`, so they survive a decode/encode round trip. Generated enums implement
/// `init(rawValue:)` as non-failable.
public protocol ProtoEnum: ProtoFieldValue, RawRepresentable, CaseIterable where RawValue == Int32 {
    /// The enum's full protobuf name, e.g. `"conton.health.v1.HealthCheckResponse.ServingStatus"`.
    static var protoEnumName: String { get }
    /// The default value: the one numbered 0 in proto3, the first declared in proto2.
    init()
}

extension ProtoEnum {
    public static var protoDefault: Self { Self() }
    public init?(protoValue: ProtoValue) {
        guard case .enumValue(let v) = protoValue, let value = Self(rawValue: v) else { return nil }
        self = value
    }
    public var protoValue: ProtoValue { .enumValue(rawValue) }
}
