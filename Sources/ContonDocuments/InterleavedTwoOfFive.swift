/// Interleaved 2 of 5 (ITF), the bar code of every boleto (FEBRABAN): an even number of digits,
/// each pair written as five bars (the first digit) interleaved with five spaces (the second),
/// two of each five wide; a start pattern of four narrow elements and a stop of wide bar, narrow
/// space, narrow bar.
///
/// FEBRABAN's boleto uses a narrow element of 0.254 mm and wide elements 3 × as wide, 13 mm
/// high: 44 digits are 405 narrow units, 102.9 mm.
public enum InterleavedTwoOfFive {
    /// One element of the symbol: a bar or a space, 1 (narrow) or `wideRatio` (wide) units wide.
    public struct Element: Sendable, Hashable {
        public var isBar: Bool
        public var isWide: Bool
    }

    /// Why digits cannot be encoded.
    public enum EncodingError: Error, Sendable, Hashable, CustomStringConvertible {
        /// Not only ASCII digits, or an odd count.
        case notAnEvenNumberOfDigits(count: Int)

        public var description: String {
            switch self {
            case .notAnEvenNumberOfDigits(let count): "ITF encodes an even number of digits, not \(count) characters"
            }
        }
    }

    /// The narrow/wide pattern of each digit (true: wide).
    static let patterns: [[Bool]] = [
        [false, false, true, true, false],  // 0
        [true, false, false, false, true],  // 1
        [false, true, false, false, true],  // 2
        [true, true, false, false, false],  // 3
        [false, false, true, false, true],  // 4
        [true, false, true, false, false],  // 5
        [false, true, true, false, false],  // 6
        [false, false, false, true, true],  // 7
        [true, false, false, true, false],  // 8
        [false, true, false, true, false],  // 9
    ]

    /// The elements of `digits`, start and stop included, left to right (a bar first).
    public static func elements(_ digits: String) throws(EncodingError) -> [Element] {
        let values = digits.unicodeScalars.compactMap { ("0"..."9").contains($0) ? Int($0.value) - 48 : nil }
        guard values.count == digits.unicodeScalars.count, values.count % 2 == 0 else {
            throw .notAnEvenNumberOfDigits(count: digits.count)
        }
        var out: [Element] = (0..<4).map { Element(isBar: $0 % 2 == 0, isWide: false) }
        for pair in stride(from: 0, to: values.count, by: 2) {
            let bars = patterns[values[pair]], spaces = patterns[values[pair + 1]]
            for i in 0..<5 {
                out.append(Element(isBar: true, isWide: bars[i]))
                out.append(Element(isBar: false, isWide: spaces[i]))
            }
        }
        out += [Element(isBar: true, isWide: true), Element(isBar: false, isWide: false), Element(isBar: true, isWide: false)]
        return out
    }

    /// The bars of `digits` as (x, width) in points from the symbol's left edge, with a narrow
    /// element `narrow` points wide and wide ones `wideRatio` × as wide; and the symbol's width.
    public static func bars(_ digits: String, narrow: Double, wideRatio: Double = 3) throws(EncodingError)
        -> (bars: [(x: Double, width: Double)], width: Double) {
        var x = 0.0
        var bars: [(x: Double, width: Double)] = []
        for element in try elements(digits) {
            let w = element.isWide ? narrow * wideRatio : narrow
            if element.isBar { bars.append((x, w)) }
            x += w
        }
        return (bars, x)
    }
}
