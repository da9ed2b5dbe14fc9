/// Finds the CPFs and CNPJs written in a text, a file name above all: `"DAS 12.345.678/0001-95
/// 11-2026.pdf"`, `"das_12345678000195_202611.pdf"`, `"holerite-529.982.247-25.pdf"`,
/// `"12.ABC.345/01DE-35 balancete.pdf"`.
///
/// The text is cut into *tokens*: runs of digits, or runs of letters and digits (for the
/// alphanumeric CNPJ). Tokens separated by exactly one of `.` `-` `/` `_` or a blank form a
/// chain; a number is a run of whole consecutive tokens of one chain that has 11 digits and
/// valid check digits (a CPF) or 14 characters and valid check digits (a CNPJ), read from left
/// to right, the tokens of a number found not reused for another. A number never
/// starts or ends inside a token, so a CPF is not found inside a longer run of digits and a date
/// next to a CNPJ (`…0001-95_202611`) is not read into it.
public enum TaxIDFinder {
    /// Every valid CPF and CNPJ in `text`, each once, in the order found: the numbers of digits
    /// first, then the alphanumeric CNPJs that share no character with them (so "DAS" before a
    /// CPF is never read into a CNPJ).
    public static func find(in text: String) -> [TaxID] {
        var found: [TaxID] = []
        var taken: [Range<Int>] = []
        for alphanumeric in [false, true] {
            for chain in chains(text, alphanumeric: alphanumeric) {
                var start = 0
                scan: while start < chain.count {
                    var length = 0
                    for end in start..<chain.count {
                        length += chain[end].text.count
                        if length > 14 { break }
                        let span = chain[start].offset..<chain[end].offset + chain[end].text.count
                        guard length == 11 || length == 14, !taken.contains(where: { $0.overlaps(span) }),
                              let id = try? TaxID(chain[start...end].map(\.text).joined()) else { continue }
                        if !found.contains(id) { found.append(id) }
                        taken.append(span)
                        start = end + 1
                        continue scan
                    }
                    start += 1
                }
            }
        }
        return found
    }

    private static func isSeparator(_ c: Unicode.Scalar) -> Bool {
        c == "." || c == "-" || c == "/" || c == "_" || c == " "
    }

    private static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }

    private static func isLetter(_ c: Unicode.Scalar) -> Bool { (c >= "A" && c <= "Z") || (c >= "a" && c <= "z") }

    /// A run of digits (or letters and digits), upper-cased, and where it starts in the text.
    private struct Token {
        var text: String
        var offset: Int
    }

    /// The chains of tokens: digit runs, or letter-and-digit runs (upper-cased) when
    /// `alphanumeric`.
    private static func chains(_ text: String, alphanumeric: Bool) -> [[Token]] {
        var chains: [[Token]] = []
        var chain: [Token] = []
        var token = Token(text: "", offset: 0)
        var separators = 0
        func endChain() {
            if !chain.isEmpty { chains.append(chain) }
            chain = []
        }
        for (offset, c) in text.unicodeScalars.enumerated() {
            if isDigit(c) || (alphanumeric && isLetter(c)) {
                if token.text.isEmpty {
                    if separators != 1 { endChain() }
                    token.offset = offset
                }
                token.text.unicodeScalars.append(c.properties.uppercaseMapping.unicodeScalars.first ?? c)
                separators = 0
                continue
            }
            if !token.text.isEmpty {
                chain.append(token)
                token.text = ""
            }
            separators = isSeparator(c) ? separators + 1 : 2
        }
        if !token.text.isEmpty { chain.append(token) }
        endChain()
        return chains
    }
}
