/// A message of any registered type as a tree of values keyed by field number.
///
/// It is the common currency of this module: protobuf-c structs are converted to and from it
/// (``ProtoCodec``), generated messages convert to and from it, and ``ProtoJSON`` maps it to JSON.
///
/// A field absent from ``fields`` has its default value. Fields without presence (proto3
/// scalars, repeated fields) are kept only when not default, so two messages that encode the
/// same compare equal.
public struct DynamicMessage: Sendable, Hashable, CustomStringConvertible {
    /// The message type.
    public let descriptor: ProtoMessageDescriptor
    /// Field values by field number.
    public var fields: [Int32: ProtoValue]
    /// Fields read from the wire that the descriptor does not know.
    public var unknownFields: ProtoUnknownFields

    /// An empty message of the given type.
    public init(_ descriptor: ProtoMessageDescriptor) {
        self.descriptor = descriptor
        self.fields = [:]
        self.unknownFields = ProtoUnknownFields()
    }

    /// The value of a field, `nil` when absent.
    public subscript(number: Int32) -> ProtoValue? {
        get { fields[number] }
        set { fields[number] = newValue }
    }

    public var description: String {
        let body = fields.keys.sorted().map { "\($0): \(fields[$0].map { "\($0)" } ?? "")" }
        return "\(descriptor.fullName) { \(body.joined(separator: ", ")) }"
    }
}

// MARK: typed access, used by generated code

extension DynamicMessage {
    /// A singular field's value, or the type's default when absent.
    public func singular<T: ProtoFieldValue>(_ number: Int32) -> T {
        fields[number].flatMap(T.init(protoValue:)) ?? T.protoDefault
    }

    /// A field's value when present (for fields with presence: messages, oneof members, proto2).
    public func optional<T: ProtoFieldValue>(_ number: Int32) -> T? {
        fields[number].flatMap(T.init(protoValue:))
    }

    /// A repeated field's values.
    public func repeated<T: ProtoFieldValue>(_ number: Int32) -> [T] {
        guard case .list(let values)? = fields[number] else { return [] }
        return values.compactMap(T.init(protoValue:))
    }

    /// A map field's entries (a later duplicate key wins, as on the wire).
    public func map<K: ProtoMapKey, V: ProtoFieldValue>(_ number: Int32) -> [K: V] {
        guard case .list(let entries)? = fields[number] else { return [:] }
        var result: [K: V] = [:]
        result.reserveCapacity(entries.count)
        for case .message(let entry) in entries {
            let key: K = entry.singular(1)
            let value: V = entry.singular(2)
            result[key] = value
        }
        return result
    }

    /// Sets a field without presence: stored only when not the default value.
    public mutating func setSingular<T: ProtoFieldValue>(_ number: Int32, _ value: T) {
        let v = value.protoValue
        fields[number] = v.isDefault ? nil : v
    }

    /// Sets a field with presence (message, oneof member, proto2 optional), default or not.
    public mutating func set<T: ProtoFieldValue>(_ number: Int32, _ value: T) {
        fields[number] = value.protoValue
    }

    /// Sets a repeated field (removed when empty).
    public mutating func setRepeated<T: ProtoFieldValue>(_ number: Int32, _ values: [T]) {
        fields[number] = values.isEmpty ? nil : .list(values.map(\.protoValue))
    }

    /// Sets a map field. Entries are written in key order (as `protoc --deterministic_output`).
    public mutating func setMap<K: ProtoMapKey, V: ProtoFieldValue>(_ number: Int32, _ map: [K: V]) {
        guard !map.isEmpty, let entryType = descriptor.field(number: number)?.messageType else {
            fields[number] = nil
            return
        }
        let entries = map.sorted { K.protoKeyLess($0.key, $1.key) }.map { key, value -> ProtoValue in
            var entry = DynamicMessage(entryType)
            entry.fields[1] = key.protoValue
            entry.fields[2] = value.protoValue
            return .message(entry)
        }
        fields[number] = .list(entries)
    }
}
