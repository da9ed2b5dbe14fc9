import Foundation
import Testing
@testable import ContonBrazil

/// CPFs and CNPJs judged against the oracles of `Tests/support/brazil_oracle.py`:
/// validate-docbr (black box) and an implementation written from the Receita Federal rules.
@Suite struct TaxIDOracleTests {
    @Test func oracleSupportsAlphanumericCNPJ() async throws {
        struct Version: Decodable { var validate_docbr: String; var alphanumeric: Bool }
        let version = try await Oracle.call(["version"], as: Version.self)
        #expect(version.alphanumeric, "validate-docbr \(version.validate_docbr) rejects 12.ABC.345/01DE-35")
    }

    // MARK: Valid numbers from validate-docbr's generator

    @Test(arguments: ["cpf", "cpf-masked"])
    func generatedCPFsAreValid(kind: String) async throws {
        let inputs = try await Oracle.call(["generate", kind, "2000", "11"], as: [String].self)
        #expect(inputs.count == 2000)
        var parsed: [CPF] = []
        for s in inputs {
            do {
                let cpf = try CPF(s)
                #expect(cpf.digits == SearchKey.digits(s))
                #expect(try CPF(cpf.formatted) == cpf)
                #expect(try CPF.checkDigits(for: String(cpf.digits.prefix(9))) == String(cpf.digits.suffix(2)))
                #expect(try TaxID(s) == .cpf(cpf))
                parsed.append(cpf)
            } catch {
                Issue.record("validate-docbr generated \(s) but ContonBrazil refuses it: \(error)")
            }
        }
        let masks = try await Oracle.call(["mask", "cpf"], input: parsed.map(\.digits), as: [String].self)
        #expect(parsed.map(\.formatted) == masks)
    }

    @Test(arguments: ["cnpj", "cnpj-masked", "cnpj-alnum", "cnpj-alnum-masked"])
    func generatedCNPJsAreValid(kind: String) async throws {
        let inputs = try await Oracle.call(["generate", kind, "2000", "12"], as: [String].self)
        #expect(inputs.count == 2000)
        var parsed: [CNPJ] = []
        var alphanumeric = 0
        for s in inputs {
            do {
                let cnpj = try CNPJ(s)
                #expect(cnpj.value == SearchKey.taxID(s))
                #expect(try CNPJ(cnpj.formatted) == cnpj)
                #expect(try CNPJ(cnpj.value.lowercased()) == cnpj)
                #expect(try CNPJ.checkDigits(for: String(cnpj.value.prefix(12))) == String(cnpj.value.suffix(2)))
                #expect(try TaxID(s) == .cnpj(cnpj))
                #expect(cnpj.isAlphanumeric == cnpj.value.contains(where: \.isLetter))
                if cnpj.isAlphanumeric { alphanumeric += 1 }
                parsed.append(cnpj)
            } catch {
                Issue.record("validate-docbr generated \(s) but ContonBrazil refuses it: \(error)")
            }
        }
        if kind.hasPrefix("cnpj-alnum") { #expect(alphanumeric > 1900) } else { #expect(alphanumeric == 0) }
        let masks = try await Oracle.call(["mask", "cnpj"], input: parsed.map(\.value), as: [String].self)
        #expect(parsed.map(\.formatted) == masks)
    }

    // MARK: Check digits

    @Test func cnpjCheckDigitsMatchTheOracle() async throws {
        var rng = SeededRandom(seed: 21)
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        var bases = (0..<1500).map { i in
            String((0..<12).map { _ in i % 3 == 0 ? alphabet[Int.random(in: 0..<10, using: &rng)] : alphabet.randomElement(using: &rng)! })
        }
        bases += ["12ABC34501DE", "000000000000", "AAAAAAAAAAAA", "ZZZZZZZZZZZZ", "123456780001"]
        let expected = try await Oracle.call(["checkdigits", "cnpj"], input: bases, as: [String?].self)
        for (base, dv) in zip(bases, expected) {
            let mine = try CNPJ.checkDigits(for: base)
            if let dv {
                #expect(mine == dv, "base \(base)")
                #expect(try CNPJ(base: base).value == base.uppercased() + dv)
            } else {
                // validate-docbr accepts no check digits only when the whole number is all-equal.
                #expect(Set(base + mine).count == 1, "base \(base)")
                #expect(throws: BrazilValidationError.self) { try CNPJ(base: base) }
            }
        }
    }

    @Test func cpfCheckDigitsMatchTheOracle() async throws {
        var rng = SeededRandom(seed: 22)
        var bases = (0..<1500).map { _ in String((0..<9).map { _ in "0123456789".randomElement(using: &rng)! }) }
        bases += (0...9).map { String(repeating: String($0), count: 9) }
        let expected = try await Oracle.call(["checkdigits", "cpf"], input: bases, as: [String?].self)
        for (base, dv) in zip(bases, expected) {
            let mine = try CPF.checkDigits(for: base)
            if let dv {
                #expect(mine == dv, "base \(base)")
                #expect(try CPF(base: base).digits == base + dv)
            } else {
                #expect(Set(base + mine).count == 1, "base \(base)")
                #expect(throws: BrazilValidationError.self) { try CPF(base: base) }
            }
        }
    }

    // MARK: Mutations judged by both oracles

    @Test func cpfMutationsAgreeWithTheOracles() async throws {
        let valid = try await Oracle.call(["generate", "cpf", "1500", "31"], as: [String].self)
        var rng = SeededRandom(seed: 32)
        var inputs: [String] = []
        for s in valid { for _ in 0..<8 { inputs.append(Mutator.mutate(s, cnpj: false, using: &rng)) } }
        inputs += Mutator.edgeCases(cnpj: false)
        try await judge(inputs, kind: "cpf") { s throws(BrazilValidationError) in _ = try CPF(s) }
    }

    @Test func cnpjMutationsAgreeWithTheOracles() async throws {
        let valid = try await Oracle.call(["generate", "cnpj", "800", "41"], as: [String].self)
            + Oracle.call(["generate", "cnpj-alnum", "800", "42"], as: [String].self)
        var rng = SeededRandom(seed: 43)
        var inputs: [String] = []
        for s in valid { for _ in 0..<8 { inputs.append(Mutator.mutate(s, cnpj: true, using: &rng)) } }
        inputs += Mutator.edgeCases(cnpj: true)
        try await judge(inputs, kind: "cnpj") { s throws(BrazilValidationError) in _ = try CNPJ(s) }
    }

    /// ContonBrazil's verdict must equal the spec oracle's reason on every input and
    /// validate-docbr's verdict on every input where its input rules apply.
    private func judge(_ inputs: [String], kind: String, parse: (String) throws(BrazilValidationError) -> Void) async throws {
        let verdicts = try await Oracle.call(["judge", kind], input: inputs, as: [Oracle.Verdict].self)
        #expect(verdicts.count == inputs.count)
        var counts: [String: Int] = [:], comparable = 0
        for (s, verdict) in zip(inputs, verdicts) {
            var mine = "OK"
            do throws(BrazilValidationError) { try parse(s) } catch { mine = error.reason.rawValue }
            counts[mine, default: 0] += 1
            #expect(mine == verdict.spec, "\(kind) \(s.debugDescription): ContonBrazil \(mine), spec oracle \(verdict.spec)")
            if verdict.comparable {
                comparable += 1
                #expect((mine == "OK") == verdict.docbr, "\(kind) \(s.debugDescription): ContonBrazil \(mine), validate-docbr \(verdict.docbr)")
            }
        }
        // The mutations must exercise every outcome, and most inputs must be comparable.
        for reason in ["OK", "CHECK_DIGITS", "LENGTH", "CHARACTERS", "REPEATED_DIGITS", "EMPTY"] {
            #expect(counts[reason, default: 0] > 0, "no \(kind) input ended \(reason): \(counts)")
        }
        #expect(comparable > inputs.count / 2)
    }
}

/// Random edits of a valid number: the typos, paste accidents and hostile inputs a form sees.
enum Mutator {
    static let digits = Array("0123456789")
    static let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    static let exotic: [Character] = ["é", "Ç", "١", "１", "ß", "#", "_", "*", "+", ",", "\u{200B}", "\u{0301}", "ª", "😀"]
    static let blanks: [Character] = [" ", "\u{00A0}", "\t", "\u{2003}"]

    static func mutate(_ valid: String, cnpj: Bool, using rng: inout SeededRandom) -> String {
        var c = Array(valid)
        let separators: [Character] = cnpj ? [".", "-", "/"] : [".", "-"]
        func randomPosition() -> Int { Int.random(in: 0..<c.count, using: &rng) }
        func randomContent(_ position: Int) -> Character {
            if cnpj && position < 12 && Bool.random(using: &rng) { return letters.randomElement(using: &rng)! }
            return digits.randomElement(using: &rng)!
        }
        switch Int.random(in: 0..<16, using: &rng) {
        case 0, 1, 2:  // one character replaced (often a check digit)
            let p = Bool.random(using: &rng) ? c.count - 1 - Int.random(in: 0..<2, using: &rng) : randomPosition()
            c[p] = randomContent(p)
        case 3, 4:  // two neighbours swapped
            let p = Int.random(in: 0..<(c.count - 1), using: &rng)
            c.swapAt(p, p + 1)
        case 5:  // one character lost
            c.remove(at: randomPosition())
        case 6:  // one character too many
            let p = randomPosition()
            c.insert(randomContent(p), at: p)
        case 7:  // lower case letters (a CNPJ) or a letter in a CPF
            if cnpj { c = Array(String(c).lowercased()) } else { c[randomPosition()] = letters.randomElement(using: &rng)! }
        case 8, 9:  // separators sprinkled anywhere
            for _ in 0..<Int.random(in: 1...4, using: &rng) { c.insert(separators.randomElement(using: &rng)!, at: Int.random(in: 0...c.count, using: &rng)) }
        case 10:  // blanks (validate-docbr refuses them; ContonBrazil ignores them)
            c.insert(blanks.randomElement(using: &rng)!, at: Int.random(in: 0...c.count, using: &rng))
        case 11:  // a character outside 0-9/A-Z
            c[randomPosition()] = exotic.randomElement(using: &rng)!
        case 12:  // a letter in a check digit
            c[c.count - 1 - Int.random(in: 0..<2, using: &rng)] = letters.randomElement(using: &rng)!
        case 13:  // all characters equal
            c = Array(repeating: digits.randomElement(using: &rng)!, count: c.count)
        case 14:  // random content of the right length
            c = (0..<c.count).map { randomContent($0) }
        default:  // left valid, maybe formatted
            if Bool.random(using: &rng) { c = Array(cnpj ? try! CNPJ(valid).formatted : try! CPF(valid).formatted) }
        }
        return String(c)
    }

    static func edgeCases(cnpj: Bool) -> [String] {
        var cases = ["", " ", ".", "-/.", "0", "A", "١٢٣", String(repeating: "9", count: 30)]
        cases += (0...9).map { String(repeating: String($0), count: cnpj ? 14 : 11) }
        if cnpj {
            cases += ["12.ABC.345/01DE-35", "12abc34501de35", "12ABC34501DE36", "12ABC34501DEAB", "AAAAAAAAAAAAAA",
                      "12ABC34501DE3", "12ABC34501DE355", "11.222.333/0001-81", "11222333000181", "11.222.333/0001-82"]
        } else {
            cases += ["123.456.789-09", "12345678909", "123.456.789-10", "1234567890", "123456789012", "529.982.247-25"]
        }
        return cases
    }
}
