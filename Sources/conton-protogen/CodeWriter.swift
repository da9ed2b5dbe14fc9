/// Accumulates indented Swift source lines.
struct CodeWriter {
    private(set) var text = ""
    private var level = 0

    /// Appends one line at the current indentation (an empty string gives an empty line).
    mutating func line(_ s: String = "") {
        text += s.isEmpty ? "\n" : String(repeating: "    ", count: level) + s + "\n"
    }

    /// Appends `open`, the body one level deeper, then `close`.
    mutating func block(_ open: String, close: String = "}", _ body: (inout CodeWriter) throws -> Void) rethrows {
        line(open)
        level += 1
        try body(&self)
        level -= 1
        line(close)
    }

    /// A `switch`: its `case` lines at the level of the `switch` (Swift's usual style).
    mutating func switchBlock(_ open: String, _ body: (inout CodeWriter) throws -> Void) rethrows {
        line(open)
        try body(&self)
        line("}")
    }
}
