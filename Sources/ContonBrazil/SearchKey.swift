import Foundation

/// Normalised search keys: what a search column stores and what a query is turned into, so
/// that "joao" finds "João" and "12345678909" finds "123.456.789-09".
public enum SearchKey {
    /// Case- and accent-insensitive key for names and free text:
    /// compatibility decomposition (NFKD), combining marks (Unicode category Mn) removed, lower
    /// case, runs of white space collapsed to one space, ends trimmed. Punctuation is kept.
    ///
    /// `"  João  da Conceição "` → `"joao da conceicao"`; `"AÇÃO"` → `"acao"`; `"1º"` → `"1o"`;
    /// `"ﬁ"` (ligature) → `"fi"`. Idempotent: `fold(fold(s)) == fold(s)`.
    public static func fold(_ s: String) -> String {
        let folded = stripMarks(stripMarks(s).lowercased())
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in folded.unicodeScalars {
            if scalar.properties.isWhitespace {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" ") }
                pendingSpace = false
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// Only the ASCII digits of `s`, for searching CPFs, numeric CNPJs and phones by digits:
    /// `"(11) 98765-4321"` → `"11987654321"`.
    public static func digits(_ s: String) -> String {
        Characters.string(s.unicodeScalars.filter(Characters.isDigit))
    }

    /// Only the ASCII digits and letters of `s`, letters upper-cased: the key for CPF/CNPJ
    /// search now that CNPJs may hold letters (`"12.abc.345/01de-35"` → `"12ABC34501DE35"`).
    /// ``digits(_:)`` would drop the letters of an alphanumeric CNPJ.
    public static func taxID(_ s: String) -> String {
        Characters.string(s.unicodeScalars.compactMap { c -> Unicode.Scalar? in
            if Characters.isDigit(c) || Characters.isUpper(c) { return c }
            if Characters.isLower(c) { return Unicode.Scalar(UInt8(c.value) - 32) }
            return nil
        })
    }

    static func stripMarks(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in s.decomposedStringWithCompatibilityMapping.unicodeScalars
        where scalar.properties.generalCategory != .nonspacingMark {
            out.append(scalar)
        }
        return String(out)
    }
}
