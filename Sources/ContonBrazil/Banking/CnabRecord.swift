/// One 240-character CNAB line being written: fields are placed by their manual positions
/// (1-based, inclusive), alphanumeric ones left-aligned, space-padded, folded to upper-case ASCII;
/// numeric ones right-aligned, zero-padded.
struct CnabRecord {
    private var chars: [Unicode.Scalar] = Array(repeating: " ", count: 240)

    /// Alphanumeric field `from`…`to`: ``ASCIIText`` folded, cut to the width, padded with blanks.
    mutating func alpha(_ from: Int, _ to: Int, _ text: String) {
        put(from, to, Array(ASCIIText.folded(text).unicodeScalars.prefix(to - from + 1)), rightAligned: false, pad: " ")
    }

    /// Raw text (already ASCII, already the field's shape), left-aligned, blank-padded.
    mutating func raw(_ from: Int, _ to: Int, _ text: String) {
        put(from, to, Array(text.unicodeScalars.prefix(to - from + 1)), rightAligned: false, pad: " ")
    }

    /// Numeric field from a digit (or CNPJ letter) string, right-aligned, zero-padded.
    mutating func digits(_ from: Int, _ to: Int, _ text: String, name: String) throws(RemessaError) {
        guard text.count <= to - from + 1 else {
            throw .fieldOverflow(field: name, value: text, width: to - from + 1)
        }
        put(from, to, Array(text.unicodeScalars), rightAligned: true, pad: "0")
    }

    /// Numeric field from a number, right-aligned, zero-padded.
    mutating func number(_ from: Int, _ to: Int, _ value: Int64, name: String) throws(RemessaError) {
        guard let s = Digits.padded(value, width: to - from + 1) else {
            throw .fieldOverflow(field: name, value: String(value), width: to - from + 1)
        }
        put(from, to, Array(s.unicodeScalars), rightAligned: true, pad: "0")
    }

    /// Zeros from `from` to `to`.
    mutating func zeros(_ from: Int, _ to: Int) {
        put(from, to, [], rightAligned: true, pad: "0")
    }

    var line: String { String(String.UnicodeScalarView(chars)) }

    private mutating func put(_ from: Int, _ to: Int, _ value: [Unicode.Scalar], rightAligned: Bool, pad: Unicode.Scalar) {
        let width = to - from + 1
        let padding = Array(repeating: pad, count: width - value.count)
        let field = rightAligned ? padding + value : value + padding
        chars.replaceSubrange((from - 1)...(to - 1), with: field)
    }
}
