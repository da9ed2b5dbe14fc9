/// Character helpers shared by the parsers: everything here works on Unicode scalars and accepts
/// only ASCII digits and letters as content, so "١٢٣" (Arabic-Indic digits) or a full-width "１"
/// are refused as characters instead of being read as numbers.
enum Characters {
    /// Separators that may appear anywhere in a CPF, CNPJ or CEP: '.', '-', '/' and any Unicode
    /// white space (copy-pasted numbers often carry spaces or no-break spaces).
    static func isSeparator(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "." || scalar == "-" || scalar == "/" || scalar.properties.isWhitespace
    }

    static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }

    static func isUpper(_ scalar: Unicode.Scalar) -> Bool { ("A"..."Z").contains(scalar) }

    static func isLower(_ scalar: Unicode.Scalar) -> Bool { ("a"..."z").contains(scalar) }

    /// The input without separators.
    static func compact(_ input: String) -> [Unicode.Scalar] {
        input.unicodeScalars.filter { !isSeparator($0) }
    }

    /// How a character is quoted in a description: `'x'`, or `U+00A0` for invisible ones.
    static func quoted(_ scalar: Unicode.Scalar) -> String {
        let p = scalar.properties
        if p.isWhitespace || p.generalCategory == .control || p.generalCategory == .format
            || p.generalCategory == .nonspacingMark || p.generalCategory == .unassigned {
            let hex = String(scalar.value, radix: 16, uppercase: true)
            return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }
        return "'\(Character(scalar))'"
    }

    /// The ASCII string of scalars already known to be ASCII.
    static func string(_ scalars: some Sequence<Unicode.Scalar>) -> String {
        var s = String.UnicodeScalarView()
        s.append(contentsOf: scalars)
        return String(s)
    }
}
