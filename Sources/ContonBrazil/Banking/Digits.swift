/// Small text helpers for fixed-width digit fields.
enum Digits {
    /// Whether `s` is non-empty and made only of ASCII digits.
    static func isDigits(_ s: String) -> Bool {
        !s.isEmpty && s.unicodeScalars.allSatisfy { ("0"..."9").contains($0) }
    }

    /// `value` right-aligned in `width` zeros; nil when it does not fit or is negative.
    static func padded(_ value: Int64, width: Int) -> String? {
        guard value >= 0 else { return nil }
        let s = String(value)
        guard s.count <= width else { return nil }
        return String(repeating: "0", count: width - s.count) + s
    }

    /// The digit string `s` left-padded with zeros to `width` (the caller checked `s.count <= width`).
    static func leftPadded(_ s: String, width: Int) -> String {
        String(repeating: "0", count: max(0, width - s.count)) + s
    }

    /// The largest value with `width` digits.
    static func maxValue(width: Int) -> Int64 {
        var v: Int64 = 1
        for _ in 0..<width { v *= 10 }
        return v - 1
    }
}
