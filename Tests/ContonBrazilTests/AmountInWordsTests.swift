import Foundation
import Testing
@testable import ContonBrazil

/// Amounts in words: a hand-checked table, random amounts read back by an independent parser and
/// checked against the written conventions, and random numbers compared with num2words (PyPI).
@Suite struct AmountInWordsTests {
    /// Written out by hand, the way a Brazilian accountant writes a receipt.
    static let table: [(Int64, String)] = [
        (0, "zero reais"),
        (1, "um centavo"),
        (2, "dois centavos"),
        (10, "dez centavos"),
        (15, "quinze centavos"),
        (50, "cinquenta centavos"),
        (99, "noventa e nove centavos"),
        (100, "um real"),
        (101, "um real e um centavo"),
        (150, "um real e cinquenta centavos"),
        (200, "dois reais"),
        (201, "dois reais e um centavo"),
        (1_000, "dez reais"),
        (1_100, "onze reais"),
        (1_200, "doze reais"),
        (1_300, "treze reais"),
        (1_400, "quatorze reais"),
        (1_600, "dezesseis reais"),
        (1_700, "dezessete reais"),
        (1_800, "dezoito reais"),
        (1_900, "dezenove reais"),
        (2_100, "vinte e um reais"),
        (3_300, "trinta e três reais"),
        (6_600, "sessenta e seis reais"),
        (7_700, "setenta e sete reais"),
        (8_800, "oitenta e oito reais"),
        (10_000, "cem reais"),
        (10_100, "cento e um reais"),
        (11_000, "cento e dez reais"),
        (19_999, "cento e noventa e nove reais e noventa e nove centavos"),
        (20_000, "duzentos reais"),
        (30_000, "trezentos reais"),
        (40_000, "quatrocentos reais"),
        (50_000, "quinhentos reais"),
        (60_000, "seiscentos reais"),
        (70_000, "setecentos reais"),
        (80_000, "oitocentos reais"),
        (90_000, "novecentos reais"),
        (99_999, "novecentos e noventa e nove reais e noventa e nove centavos"),
        (100_000, "mil reais"),
        (100_100, "mil e um reais"),
        (101_000, "mil e dez reais"),
        (110_000, "mil e cem reais"),
        (110_100, "mil, cento e um reais"),
        (120_000, "mil e duzentos reais"),
        (120_050, "mil e duzentos reais e cinquenta centavos"),
        (125_000, "mil, duzentos e cinquenta reais"),
        (150_000, "mil e quinhentos reais"),
        (199_999, "mil, novecentos e noventa e nove reais e noventa e nove centavos"),
        (99_990_000, "novecentos e noventa e nove mil e novecentos reais"),
        (200_000, "dois mil reais"),
        (200_500, "dois mil e cinco reais"),
        (2_100_000, "vinte e um mil reais"),
        (10_000_000, "cem mil reais"),
        (10_100_000, "cento e um mil reais"),
        (12_345_678, "cento e vinte e três mil, quatrocentos e cinquenta e seis reais e setenta e oito centavos"),
        (100_000_000, "um milhão de reais"),
        (100_000_001, "um milhão de reais e um centavo"),
        (100_000_050, "um milhão de reais e cinquenta centavos"),
        (100_000_100, "um milhão e um reais"),
        (100_100_000, "um milhão e mil reais"),
        // Every class boundary, not only the last one, takes "e" before a class below 100 or a
        // round hundred and a comma before any other (the first three are the receipts).
        (907_674_041, "nove milhões e setenta e seis mil, setecentos e quarenta reais e quarenta e um centavos"),
        (206_837_400, "dois milhões e sessenta e oito mil, trezentos e setenta e quatro reais"),
        (2_303_849_310, "vinte e três milhões e trinta e oito mil, quatrocentos e noventa e três reais e dez centavos"),
        // Million | thousand, the last boundary.
        (110_000_000, "um milhão e cem mil reais"),
        (230_000_000, "dois milhões e trezentos mil reais"),
        (110_100_000, "um milhão, cento e um mil reais"),
        // Million | thousand, followed by units.
        (100_100_100, "um milhão e mil e um reais"),
        (110_010_000, "um milhão e cem mil e cem reais"),
        (230_000_100, "dois milhões e trezentos mil e um reais"),
        (105_025_000, "um milhão e cinquenta mil, duzentos e cinquenta reais"),
        (470_003_599, "quatro milhões e setecentos mil e trinta e cinco reais e noventa e nove centavos"),
        (110_100_100, "um milhão, cento e um mil e um reais"),
        (234_510_000, "dois milhões, trezentos e quarenta e cinco mil e cem reais"),
        // Million | units, no thousands.
        (100_010_000, "um milhão e cem reais"),
        (100_030_000, "um milhão e trezentos reais"),
        (100_034_500, "um milhão, trezentos e quarenta e cinco reais"),
        (150_000_000, "um milhão e quinhentos mil reais"),
        (123_456_700, "um milhão, duzentos e trinta e quatro mil, quinhentos e sessenta e sete reais"),
        (200_000_000, "dois milhões de reais"),
        (234_567_890, "dois milhões, trezentos e quarenta e cinco mil, seiscentos e setenta e oito reais e noventa centavos"),
        (100_000_000_000, "um bilhão de reais"),
        (100_100_000_000, "um bilhão e um milhão de reais"),
        (150_000_000_000, "um bilhão e quinhentos milhões de reais"),
        (200_000_000_000, "dois bilhões de reais"),
        (100_000_000_100, "um bilhão e um reais"),
        // Billion | million.
        (123_400_000_000, "um bilhão, duzentos e trinta e quatro milhões de reais"),
        (100_100_100_100, "um bilhão e um milhão e mil e um reais"),
        (170_000_000_100, "um bilhão e setecentos milhões e um reais"),
        (760_000_001_005, "sete bilhões e seiscentos milhões e dez reais e cinco centavos"),
        (304_000_050_000, "três bilhões e quarenta milhões e quinhentos reais"),
        (601_525_000_000, "seis bilhões e quinze milhões, duzentos e cinquenta mil reais"),
        (299_900_000_100, "dois bilhões, novecentos e noventa e nove milhões e um reais"),
        // Billion | thousand or units, zero classes in between.
        (100_000_020_000, "um bilhão e duzentos reais"),
        (100_000_100_000, "um bilhão e mil reais"),
        (100_050_000_000, "um bilhão e quinhentos mil reais"),
        (100_050_100_000, "um bilhão, quinhentos e um mil reais"),
        (500_008_012_300, "cinco bilhões e oitenta mil, cento e vinte e três reais"),
        (100_000_000_000_000, "um trilhão de reais"),
        // Trillion | billion, trillion | million, quatrillion | trillion or billion.
        (120_000_000_000_100, "um trilhão e duzentos bilhões e um reais"),
        (812_300_000_000_000, "oito trilhões, cento e vinte e três bilhões de reais"),
        (400_009_000_000_000, "quatro trilhões e noventa milhões de reais"),
        (400_009_000_070_000, "quatro trilhões e noventa milhões e setecentos reais"),
        (1_210_000_000_000_009_901, "doze quatrilhões e cem trilhões e noventa e nove reais e um centavo"),
        (5_000_030_000_000_000_100, "cinquenta quatrilhões e trezentos bilhões e um reais"),
        (99_999_999_999_999_999, "novecentos e noventa e nove trilhões, novecentos e noventa e nove bilhões, novecentos e noventa e nove milhões, novecentos e noventa e nove mil, novecentos e noventa e nove reais e noventa e nove centavos"),
        (100_000_000_000_000_000, "um quatrilhão de reais"),
        (Int64.max, "noventa e dois quatrilhões, duzentos e trinta e três trilhões, setecentos e vinte bilhões, trezentos e sessenta e oito milhões, quinhentos e quarenta e sete mil, setecentos e cinquenta e oito reais e sete centavos"),
    ]

    @Test func handCheckedTable() throws {
        for (centavos, words) in Self.table {
            #expect(try AmountInWords.reais(centavos: centavos) == words, "\(centavos) centavos")
        }
    }

    @Test func cardinals() {
        #expect(AmountInWords.cardinal(0) == "zero")
        #expect(AmountInWords.cardinal(1) == "um")
        #expect(AmountInWords.cardinal(100) == "cem")
        #expect(AmountInWords.cardinal(1_000) == "mil")
        #expect(AmountInWords.cardinal(1_001) == "mil e um")
        #expect(AmountInWords.cardinal(2_005) == "dois mil e cinco")
        #expect(AmountInWords.cardinal(1_000_000) == "um milhão")
        #expect(AmountInWords.cardinal(2_068_374) == "dois milhões e sessenta e oito mil, trezentos e setenta e quatro")
        #expect(AmountInWords.cardinal(1_001_001_001) == "um bilhão e um milhão e mil e um")
        #expect(AmountInWords.cardinal(1_200_000_000_000_000_001) == "um quintilhão e duzentos quatrilhões e um")
        #expect(AmountInWords.cardinal(UInt64.max) == "dezoito quintilhões, quatrocentos e quarenta e seis quatrilhões, setecentos e quarenta e quatro trilhões e setenta e três bilhões, setecentos e nove milhões, quinhentos e cinquenta e um mil, seiscentos e quinze")
    }

    @Test func negativeAmountsAreRefused() throws {
        let error = try #require(throws: BrazilValidationError.self) { try AmountInWords.reais(centavos: -1) }
        #expect(error.subject == .amount && error.reason == .range)
        #expect(throws: BrazilValidationError.self) { try AmountInWords.reais(centavos: Int64.min) }
    }

    /// 20,000 random amounts of every magnitude: the words read back to the amount and follow
    /// the conventions.
    @Test func randomAmountsReadBack() throws {
        var rng = SeededRandom(seed: 7)
        var amounts: [Int64] = []
        for _ in 0..<20_000 {
            let digits = Int.random(in: 1...19, using: &rng)
            let limit = digits == 19 ? UInt64(Int64.max) : (0..<digits).reduce(UInt64(1)) { a, _ in a * 10 } - 1
            amounts.append(Int64(UInt64.random(in: 0...limit, using: &rng)))
        }
        for centavos in amounts {
            let words = try AmountInWords.reais(centavos: centavos)
            let reais = centavos / 100, cents = centavos % 100
            let parsed = try #require(WordsParser.amount(words), "cannot read back \(words.debugDescription)")
            #expect(parsed == centavos, "\(centavos): \(words)")
            try checkConventions(words, reais: reais, cents: cents)
        }
    }

    private func checkConventions(_ words: String, reais: Int64, cents: Int64) throws {
        let tokens = words.replacingOccurrences(of: ",", with: " ,").split(separator: " ").map(String.init)
        #expect(!words.contains("  ") && !words.hasPrefix(" ") && !words.hasSuffix(" ") && !words.contains(", e "))
        #expect(words.contains(" de reais") == (reais >= 1_000_000 && reais % 1_000_000 == 0), "\(words)")
        #expect(tokens.contains("real") == (reais == 1))
        #expect(tokens.contains("reais") == (reais > 1 || (reais == 0 && cents == 0)))
        #expect(tokens.contains("centavo") == (cents == 1))
        #expect(tokens.contains("centavos") == (cents > 1))
        // 1000 is "mil", never "um mil".
        let thousands = (reais / 1000) % 1000
        for (i, t) in tokens.enumerated() where t == "mil" && i > 0 {
            #expect(!(tokens[i - 1] == "um" && thousands == 1), "\(words)")
        }
        // At every boundary between consecutive non-zero groups: "e" before a group below 100 or
        // a round hundred, a comma before any other. Counted: the commas, and every "e" (inside
        // groups, at boundaries, and between reais and centavos).
        var groups: [Int64] = []
        var rest = reais
        while rest > 0 { groups.append(rest % 1000); rest /= 1000 }
        let nonZero = groups.reversed().filter { $0 > 0 }
        let joinedWithE = nonZero.dropFirst().filter { $0 < 100 || $0 % 100 == 0 }.count
        #expect(tokens.filter { $0 == "," }.count == max(0, nonZero.count - 1) - joinedWithE, "\(words)")
        let eCount = nonZero.map(Self.eInside).reduce(0, +) + joinedWithE + Self.eInside(cents)
            + (reais > 0 && cents > 0 ? 1 : 0)
        #expect(tokens.filter { $0 == "e" }.count == eCount, "\(words)")
    }

    /// How many "e" a group 0…999 has inside: one fewer than its non-zero parts (100 is "cem").
    private static func eInside(_ g: Int64) -> Int {
        if g == 0 || g == 100 { return 0 }
        let r = g % 100
        let parts = (g >= 100 ? 1 : 0) + (r >= 20 ? 1 + (r % 10 > 0 ? 1 : 0) : (r > 0 ? 1 : 0))
        return parts - 1
    }

    /// 3 000 reproducible random numbers up to 10^15, built class by class (many zero classes,
    /// round hundreds and classes below 100), against num2words' `num2words(n, lang='pt_BR')`
    /// (PyPI, via brazil_oracle.py `words`) as an independent implementation.
    ///
    /// num2words writes the same commas as our rule, so the comparison keeps them, with two
    /// normalisations:
    /// - it writes 14 "catorze"; we write "quatorze" (a documented convention choice,
    ///   docs/BRAZIL.md rule 1: both are correct), so "catorze" is read as "quatorze";
    /// - on numbers the oracle flags `comparable: false` its comma fix-up misfires (a round
    ///   hundred 200…900 after the first class gets a comma instead of "e" when a letter "e"
    ///   follows it: "dois bilhões, quinhentos milhões", though "dois milhões e quinhentos mil";
    ///   see `num2words_misplaces_comma` in the script). There both sides are compared without
    ///   commas and without the " e " in front of a non-final round hundred; every other word and
    ///   "e" still has to match. The hand-checked table covers those boundaries.
    @Test func cardinalsAgreeWithNum2words() async throws {
        var rng = SeededRandom(seed: 320)
        var numbers: [UInt64] = [0, 1, 14, 100, 1_000, 1_001, 2_068_374, 9_076_740, 23_038_493, 1_000_000_000_000_000]
        while numbers.count < 3_000 {
            var n: UInt64 = 0
            for _ in 0..<Int.random(in: 1...5, using: &rng) {
                let group: UInt64
                switch Int.random(in: 0..<20, using: &rng) {
                case 0..<6: group = 0
                case 6..<9: group = UInt64.random(in: 1...9, using: &rng) * 100
                case 9..<12: group = UInt64.random(in: 1...99, using: &rng)
                default: group = UInt64.random(in: 0...999, using: &rng)
                }
                n = n * 1000 + group
            }
            numbers.append(n)
        }
        struct Words: Decodable {
            var text: String
            var comparable: Bool
        }
        let oracle = try await Oracle.call(["words"], input: numbers, as: [Words].self)
        try #require(oracle.count == numbers.count)
        let roundHundredInside = try Regex(" e (?=(duzentos|trezentos|quatrocentos|quinhentos|seiscentos|setecentos|oitocentos|novecentos) )")
        func withoutQuirk(_ s: String) -> String {
            s.replacingOccurrences(of: ",", with: "").replacing(roundHundredInside, with: " ")
        }
        var comparable = 0, innerE = 0
        for (n, theirs) in zip(numbers, oracle) {
            let ours = AmountInWords.cardinal(n)
            let expected = theirs.text.replacingOccurrences(of: "catorze", with: "quatorze")
            if theirs.comparable {
                comparable += 1
                #expect(ours == expected, "\(n)")
            } else {
                #expect(withoutQuirk(ours) == withoutQuirk(expected), "\(n): \(ours) | \(theirs.text)")
            }
            // Inputs that exercise an "e" at a boundary other than the last one.
            var classes: [UInt64] = []
            var rest = n
            while rest > 0 { if rest % 1000 > 0 { classes.append(rest % 1000) }; rest /= 1000 }
            if classes.count >= 3, classes.dropLast().dropFirst().contains(where: { $0 < 100 || $0 % 100 == 0 }) {
                innerE += 1
            }
        }
        // The flag must not hide most of the comparison, and the inputs must reach the fixed case.
        #expect(comparable >= 2_500, "only \(comparable) of \(numbers.count) compared as they stand")
        #expect(innerE >= 500, "only \(innerE) numbers with an \"e\" before an inner class")
    }
}

/// Reads Portuguese amounts back into centavos; written independently of AmountInWords.
enum WordsParser {
    static let numbers: [String: Int64] = [
        "um": 1, "dois": 2, "três": 3, "quatro": 4, "cinco": 5, "seis": 6, "sete": 7, "oito": 8, "nove": 9,
        "dez": 10, "onze": 11, "doze": 12, "treze": 13, "quatorze": 14, "quinze": 15, "dezesseis": 16,
        "dezessete": 17, "dezoito": 18, "dezenove": 19, "vinte": 20, "trinta": 30, "quarenta": 40,
        "cinquenta": 50, "sessenta": 60, "setenta": 70, "oitenta": 80, "noventa": 90, "cem": 100,
        "cento": 100, "duzentos": 200, "trezentos": 300, "quatrocentos": 400, "quinhentos": 500,
        "seiscentos": 600, "setecentos": 700, "oitocentos": 800, "novecentos": 900,
    ]
    static let scales: [String: Int64] = [
        "milhão": 1_000_000, "milhões": 1_000_000, "bilhão": 1_000_000_000, "bilhões": 1_000_000_000,
        "trilhão": 1_000_000_000_000, "trilhões": 1_000_000_000_000,
        "quatrilhão": 1_000_000_000_000_000, "quatrilhões": 1_000_000_000_000_000,
    ]

    /// A whole number from its words, or nil.
    static func cardinal(_ tokens: ArraySlice<String>) -> Int64? {
        if tokens == ["zero"] { return 0 }
        guard !tokens.isEmpty else { return nil }
        var total: Int64 = 0, current: Int64 = 0
        for t in tokens where t != "e" && t != "," {
            if let n = numbers[t] {
                current += n
            } else if t == "mil" {
                total += max(current, 1) * 1000
                current = 0
            } else if let scale = scales[t] {
                guard current > 0 else { return nil }
                total += current * scale
                current = 0
            } else {
                return nil
            }
        }
        return total + current
    }

    /// "… reais e … centavos" → centavos.
    static func amount(_ words: String) -> Int64? {
        let tokens = words.replacingOccurrences(of: ",", with: " ,").split(separator: " ").map(String.init)
        var reais: Int64 = 0, centavos: Int64 = 0
        var rest = tokens[...]
        if let r = tokens.firstIndex(where: { $0 == "real" || $0 == "reais" }) {
            var end = r
            if end > 0 && tokens[end - 1] == "de" { end -= 1 }
            guard let value = cardinal(tokens[..<end]) else { return nil }
            reais = value
            rest = tokens[(r + 1)...]
            if rest.first == "e" { rest = rest.dropFirst() }
        }
        if let c = rest.firstIndex(where: { $0 == "centavo" || $0 == "centavos" }) {
            guard c == rest.endIndex - 1, let value = cardinal(rest[..<c]) else { return nil }
            centavos = value
        } else if !rest.isEmpty {
            return nil
        }
        return reais * 100 + centavos
    }
}
