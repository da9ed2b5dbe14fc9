/// Fields read from the wire that the message's descriptor does not know (a newer peer's fields).
/// They are kept and written back after the known fields, so a message passes through unchanged.
public struct ProtoUnknownFields: Sendable, Hashable {
    /// One unknown field: its number, wire type and encoded value (without the tag).
    public struct Field: Sendable, Hashable {
        /// The field number.
        public var number: UInt32
        /// The wire type (0 varint, 1 64-bit, 2 length-delimited, 5 32-bit).
        public var wireType: UInt8
        /// The encoded value as it appeared after the tag (a length-delimited value keeps its
        /// length prefix).
        public var data: [UInt8]

        /// Creates an unknown field.
        public init(number: UInt32, wireType: UInt8, data: [UInt8]) {
            self.number = number
            self.wireType = wireType
            self.data = data
        }
    }

    /// The fields, in the order they were read.
    public var fields: [Field]

    /// No unknown fields.
    public init() { fields = [] }

    /// The given fields.
    public init(_ fields: [Field]) { self.fields = fields }

    /// Whether there are none.
    public var isEmpty: Bool { fields.isEmpty }
}
