/// A value parsed and validated from text (a CPF, a CEP, an e-mail address, …) that is `Codable`
/// as its normalised string: decoding validates as `init(_:)` does, a bad value is a
/// `DecodingError.dataCorrupted` with the validation's description.
public protocol ValidatedString: Codable {
    /// Parses and validates `input`.
    init(_ input: String) throws(BrazilValidationError)
    /// The normalised string this value encodes as.
    var encodedString: String { get }
}

extension ValidatedString {
    /// Decodes a string and validates it as ``init(_:)`` does.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        do { try self.init(container.decode(String.self)) } catch let error as BrazilValidationError {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    /// Encodes the normalised string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(encodedString)
    }
}
