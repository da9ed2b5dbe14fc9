import ContonBrazil

/// File-name search: case- and accent-insensitive substring matching over a folded column.
enum FilesSearch {
    /// The stored key of a name (`"Balanço 2025.PDF"` → `"balanco 2025.pdf"`).
    static func key(_ name: String) -> String {
        SearchKey.fold(name)
    }

    /// A `LIKE … ESCAPE '\'` pattern matching names that contain `text`.
    static func containsPattern(_ text: String) -> String {
        var pattern = "%"
        for c in key(text) {
            if c == "%" || c == "_" || c == "\\" { pattern.append("\\") }
            pattern.append(c)
        }
        return pattern + "%"
    }
}
