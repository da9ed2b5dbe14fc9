/// Folding free text (names, addresses, cities) to the upper-case ASCII that CNAB files and
/// Pix BR Codes carry.
///
/// Reuses ContonBrazil's ``SearchKey/fold(_:)`` (NFKD, combining marks removed, white space
/// collapsed, trimmed), then upper-cases and drops whatever is still outside printable ASCII:
/// `"João  da Conceição"` → `"JOAO DA CONCEICAO"`, `"Straße"` → `"STRASSE"`, `"Nº 5"` → `"NO 5"`.
public enum ASCIIText {
    /// `text` folded to upper-case printable ASCII (U+0020…U+007E).
    public static func folded(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in SearchKey.fold(text).uppercased().unicodeScalars where (0x20...0x7E).contains(scalar.value) {
            out.append(scalar)
        }
        return String(out)
    }

    /// ``folded(_:)`` cut to at most `maxLength` characters (trailing blanks removed after the cut).
    public static func folded(_ text: String, maxLength: Int) -> String {
        var s = String(folded(text).prefix(maxLength))
        while s.hasSuffix(" ") { s.removeLast() }
        return s
    }
}
