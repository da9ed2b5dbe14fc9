/// Immutable heap storage for a singular message field, so that a message type can contain
/// itself (directly or through others) without becoming infinitely large.
///
/// Generated code keeps `_field: ProtoBox<T>?`; setting the field replaces the box.
public struct ProtoBox<Value: Sendable & Hashable>: Sendable, Hashable {
    private final class Storage: Sendable {
        let value: Value
        init(_ value: Value) { self.value = value }
    }

    private let storage: Storage

    /// Boxes a value.
    public init(_ value: Value) { storage = Storage(value) }

    /// The boxed value.
    public var value: Value { storage.value }

    public static func == (a: Self, b: Self) -> Bool { a.storage === b.storage || a.value == b.value }
    public func hash(into hasher: inout Hasher) { hasher.combine(value) }
}
