import ContonDocuments
import Testing

/// The ITF symbol a boleto prints, decoded back by a reader written here from the standard's
/// rules (start NNNN, pairs of five bars and five spaces with two wide each, stop WNN), and its
/// size at FEBRABAN's module (0.254 mm narrow, 3 × wide: 44 digits are 405 units, 102.9 mm).
@Suite struct InterleavedTwoOfFiveTests {
    /// Reads elements back to digits; nil when any pattern is not a digit's.
    static func decode(_ elements: [InterleavedTwoOfFive.Element]) -> String? {
        let table: [String: Character] = ["nnwwn": "0", "wnnnw": "1", "nwnnw": "2", "wwnnn": "3", "nnwnw": "4",
                                          "wnwnn": "5", "nwwnn": "6", "nnnww": "7", "wnnwn": "8", "nwnwn": "9"]
        func w(_ e: InterleavedTwoOfFive.Element) -> Character { e.isWide ? "w" : "n" }
        guard elements.count >= 7, elements.prefix(4).allSatisfy({ !$0.isWide }), elements.first?.isBar == true else { return nil }
        let stop = elements.suffix(3)
        guard stop.map(w) == ["w", "n", "n"], stop.map(\.isBar) == [true, false, true] else { return nil }
        let body = Array(elements.dropFirst(4).dropLast(3))
        guard body.count % 10 == 0 else { return nil }
        var out = ""
        for start in stride(from: 0, to: body.count, by: 10) {
            let pair = body[start..<start + 10]
            guard pair.enumerated().allSatisfy({ $0.element.isBar == ($0.offset % 2 == 0) }) else { return nil }
            let bars = String(pair.enumerated().filter { $0.offset % 2 == 0 }.map { w($0.element) })
            let spaces = String(pair.enumerated().filter { $0.offset % 2 == 1 }.map { w($0.element) })
            guard let a = table[bars], let b = table[spaces] else { return nil }
            out.append(a)
            out.append(b)
        }
        return out
    }

    @Test(arguments: ["00190500954014481606906809350314337370000000100", "0019", "12", "9876543210"])
    func encodesWhatAReaderDecodes(_ digits: String) throws {
        let even = digits.count % 2 == 0 ? digits : String(digits.dropLast())
        #expect(Self.decode(try InterleavedTwoOfFive.elements(even)) == even)
    }

    @Test func aBoletoBarCodeIsFEBRABANsSize() throws {
        let barcode = "00193373700000001000500940144816060680935031"
        let narrow = 0.254 / 25.4 * 72
        let (bars, width) = try InterleavedTwoOfFive.bars(barcode, narrow: narrow)
        #expect(abs(width / narrow - 405) < 1e-9)
        #expect(abs(width / 72 * 25.4 - 102.87) < 0.01)
        // 2 start bars, 5 per digit pair × 22… each pair has 5 bars, then 2 stop bars.
        #expect(bars.count == 2 + 22 * 5 + 2)
        #expect(bars.allSatisfy { abs($0.width - narrow) < 1e-9 || abs($0.width - 3 * narrow) < 1e-9 })
    }

    @Test func oddCountsAndNonDigitsAreRefused() {
        #expect(throws: InterleavedTwoOfFive.EncodingError.self) { try InterleavedTwoOfFive.elements("123") }
        #expect(throws: InterleavedTwoOfFive.EncodingError.self) { try InterleavedTwoOfFive.elements("12a4") }
    }
}
