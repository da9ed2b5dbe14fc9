/// The bytes given to a decoder are not a valid protobuf encoding of the expected message.
public struct ProtoDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The full name of the message type being decoded.
    public var messageName: String
    /// What went wrong.
    public var reason: String
    /// The request field at fault when one field is (a `string` with a NUL or invalid UTF-8):
    /// its dotted path in proto names, list elements as `items[2]`; nil otherwise.
    public var field: String?

    /// Creates the error.
    public init(messageName: String, reason: String) {
        self.messageName = messageName
        self.reason = reason
        self.field = nil
    }

    /// An error about one field: `reason` becomes "`field`: `fieldProblem`".
    public init(messageName: String, field: String, fieldProblem: String) {
        self.messageName = messageName
        self.reason = "\(field): \(fieldProblem)"
        self.field = field
        self.fieldProblem = fieldProblem
    }

    /// What is wrong with ``field``, e.g. "must be valid UTF-8".
    public var fieldProblem: String?

    public var description: String { "cannot decode \(messageName): \(reason)" }
}

/// A JSON document could not be mapped to (or from) a protobuf message.
public struct ProtoJSONError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public enum Kind: Sendable, Hashable {
        /// The text is not JSON.
        case syntax
        /// An object key names no field of the message.
        case unknownField
        /// A value does not fit its field (wrong JSON type, out of range, unknown enum name …).
        case invalidValue
        /// The same field (or two members of one oneof) appears twice.
        case duplicateField
        /// No message with that name is registered.
        case unknownMessage
    }

    /// The kind of failure.
    public var kind: Kind
    /// Dotted path of the field concerned, e.g. `"payload.body"` or `"items[2].name"`; empty for
    /// the document itself.
    public var path: String
    /// A human-readable explanation.
    public var reason: String

    /// Creates the error.
    public init(_ kind: Kind, path: String, _ reason: String) {
        self.kind = kind
        self.path = path
        self.reason = reason
    }

    public var description: String {
        path.isEmpty ? reason : "\(path): \(reason)"
    }
}
