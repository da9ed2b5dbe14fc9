import Testing
@testable import ContonBrazil

/// Search keys: a hand-checked table, then random text folded by Swift and by Python's
/// unicodedata (Tests/support/brazil_oracle.py) must agree.
@Suite struct SearchKeyTests {
    @Test(arguments: [
        ("João", "joao"),
        ("JOÃO DA SILVA", "joao da silva"),
        ("  Conceição   Ltda. ", "conceicao ltda."),
        ("Ação\tReação\nPão", "acao reacao pao"),
        ("ÀÁÂÃÄÅ àáâãäå", "aaaaaa aaaaaa"),
        ("ÈÉÊË ÌÍÎÏ ÒÓÔÕÖ ÙÚÛÜ", "eeee iiii ooooo uuuu"),
        ("ÇçÑñÝý", "ccnnyy"),
        ("Müller & Filhos", "muller & filhos"),
        ("1º andar, 2ª via", "1o andar, 2a via"),
        ("ﬁnanças", "financas"),
        ("Ｅｍｐｒｅｓａ", "empresa"),
        ("Jose\u{301}", "jose"),
        ("São\u{00A0}Paulo", "sao paulo"),
        ("İstanbul", "istanbul"),
        ("", ""),
        (" \t\n ", ""),
        ("Øster Æbelø", "øster æbelø"),  // letters without a decomposition stay, lower-cased
    ])
    func fold(input: String, expected: String) {
        #expect(SearchKey.fold(input) == expected)
    }

    @Test func findsWithoutAccents() {
        let stored = SearchKey.fold("Padaria São João Ltda")
        for query in ["joao", "JOÃO", "sao joao", "padaria", "ria sã"] {
            #expect(stored.contains(SearchKey.fold(query)), "\(query)")
        }
    }

    @Test func digitsAndTaxIDs() {
        #expect(SearchKey.digits("(11) 98765-4321") == "11987654321")
        #expect(SearchKey.digits("123.456.789-09") == "12345678909")
        #expect(SearchKey.digits("12.ABC.345/01DE-35") == "1234501" + "35")
        #expect(SearchKey.digits("١٢٣ ４５") == "")
        #expect(SearchKey.taxID("12.abc.345/01de-35") == "12ABC34501DE35")
        #expect(SearchKey.taxID("529.982.247-25") == "52998224725")
        #expect(SearchKey.taxID("çé ") == "")
    }

    @Test func randomTextAgreesWithPython() async throws {
        let text: String = "abcxyzABCXYZ0123456789 .,-/&'ªº"
            + "áàâãäçéèêëíìîïñóòôõöúùûüýÁÀÂÃÄÇÉÈÊËÍÌÎÏÑÓÒÔÕÖÚÙÛÜÝ"
            + "ßæøÆØłŁđĐœŒﬁﬂＡＢｃｄ１２²³¹½"
        let extra: [String] = ["\u{0301}", "\u{0303}", "\u{0327}", "\u{00A0}", "\t", "\n", "\u{2003}", "\u{3000}", "e\u{0301}"]
        let alphabet: [String] = text.map { String($0) } + extra
        var rng = SeededRandom(seed: 99)
        var inputs: [String] = []
        for _ in 0..<5000 {
            inputs.append((0..<Int.random(in: 0...24, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined())
        }
        let expected = try await Oracle.call(["fold"], input: inputs, as: [String].self)
        #expect(expected.count == inputs.count)
        for (input, python) in zip(inputs, expected) {
            let mine = SearchKey.fold(input)
            #expect(mine.unicodeScalars.elementsEqual(python.unicodeScalars), "\(input.debugDescription): \(mine.debugDescription) vs \(python.debugDescription)")
            #expect(SearchKey.fold(mine) == mine)
        }
    }
}
