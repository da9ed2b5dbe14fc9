import Foundation
import Testing
@testable import ContonBrazil

/// Amounts in words: a hand-checked table, then random amounts read back by an independent
/// parser and checked against the written conventions.
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
        (100_100_100, "um milhão, mil e um reais"),
        (150_000_000, "um milhão e quinhentos mil reais"),
        (123_456_700, "um milhão, duzentos e trinta e quatro mil, quinhentos e sessenta e sete reais"),
        (200_000_000, "dois milhões de reais"),
        (234_567_890, "dois milhões, trezentos e quarenta e cinco mil, seiscentos e setenta e oito reais e noventa centavos"),
        (100_000_000_000, "um bilhão de reais"),
        (100_100_000_000, "um bilhão e um milhão de reais"),
        (150_000_000_000, "um bilhão e quinhentos milhões de reais"),
        (100_000_000_100, "um bilhão e um reais"),
        (100_000_000_000_000, "um trilhão de reais"),
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
        #expect(AmountInWords.cardinal(UInt64.max) == "dezoito quintilhões, quatrocentos e quarenta e seis quatrilhões, setecentos e quarenta e quatro trilhões, setenta e três bilhões, setecentos e nove milhões, quinhentos e cinquenta e um mil, seiscentos e quinze")
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
        // "e" before the last group when it is below 100 or a round hundred; commas otherwise.
        var groups: [Int64] = []
        var rest = reais
        while rest > 0 { groups.append(rest % 1000); rest /= 1000 }
        let nonZero = groups.reversed().filter { $0 > 0 }
        var commas = max(0, nonZero.count - 1)
        if nonZero.count >= 2, let last = nonZero.last, last < 100 || last % 100 == 0 { commas -= 1 }
        #expect(tokens.filter { $0 == "," }.count == commas, "\(words)")
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
