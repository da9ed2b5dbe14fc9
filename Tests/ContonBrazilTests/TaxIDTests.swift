import Foundation
import Testing
@testable import ContonBrazil

/// Hand-checked CPF, CNPJ and TaxID cases: formats, errors and their descriptions, Codable.
@Suite struct TaxIDTests {
    @Test func receitaAlphanumericExample() throws {
        // The Receita Federal's published example of an alphanumeric CNPJ.
        let cnpj = try CNPJ("12.ABC.345/01DE-35")
        #expect(cnpj.value == "12ABC34501DE35")
        #expect(cnpj.formatted == "12.ABC.345/01DE-35")
        #expect(cnpj.isAlphanumeric)
        #expect(cnpj.root == "12ABC345")
        #expect(cnpj.branch == "01DE")
        #expect(!cnpj.isHeadOffice)
        #expect(try CNPJ.checkDigits(for: "12ABC34501DE") == "35")
        #expect(try CNPJ.checkDigits(for: "12.abc.345/01de") == "35")
        #expect(try CNPJ("12abc34501de35") == cnpj)
        #expect(try CNPJ(" 12 ABC 345 01DE 35 ") == cnpj)
        #expect(try CNPJ(base: "12ABC34501DE") == cnpj)
    }

    @Test func numericCNPJ() throws {
        let cnpj = try CNPJ("11.222.333/0001-81")
        #expect(cnpj.value == "11222333000181")
        #expect(!cnpj.isAlphanumeric)
        #expect(cnpj.isHeadOffice)
        #expect(cnpj.description == "11.222.333/0001-81")
    }

    @Test func cpfFormats() throws {
        let cpf = try CPF("529.982.247-25")
        #expect(cpf.digits == "52998224725")
        #expect(cpf.formatted == "529.982.247-25")
        #expect(cpf.masked == "***.982.247-**")
        #expect(try CPF("52998224725") == cpf)
        #expect(try CPF(" 529 982 247 25\u{00A0}") == cpf)
        #expect(try CPF.checkDigits(for: "529982247") == "25")
        #expect(try CPF(base: "529.982.247") == cpf)
        #expect(try CPF("123.456.789-09").digits == "12345678909")
    }

    @Test func cpfErrors() throws {
        #expect(failureReason(try CPF("")) == "EMPTY")
        #expect(failureReason(try CPF(" .- ")) == "EMPTY")
        #expect(failureReason(try CPF("529.982.247-2")) == "LENGTH")
        #expect(failureReason(try CPF("52998224725 1")) == "LENGTH")
        #expect(failureReason(try CPF("529.982.247-2x")) == "CHARACTERS")
        #expect(failureReason(try CPF("５２９９８２２４７２５")) == "CHARACTERS")  // full-width digits
        #expect(failureReason(try CPF("111.111.111-11")) == "REPEATED_DIGITS")
        #expect(failureReason(try CPF("000.000.000-00")) == "REPEATED_DIGITS")
        #expect(failureReason(try CPF("529.982.247-26")) == "CHECK_DIGITS")
        #expect(failureReason(try CPF("259.982.247-25")) == "CHECK_DIGITS")  // transposition
        #expect(failureReason(try CPF("1234567890")) == "LENGTH")  // no zero padding

        let error = try #require(throws: BrazilValidationError.self) { try CPF("529.982.247-2") }
        #expect(error.subject == .cpf)
        #expect(error.description == "CPF must have 11 digits, not 10")
        let chars = try #require(throws: BrazilValidationError.self) { try CPF("529.982.247-2x") }
        #expect(chars.description.contains("'x'"))
        let nbspInside = try #require(throws: BrazilValidationError.self) { try CPF("529\u{200B}98224725") }
        #expect(nbspInside.description.contains("U+200B"))
    }

    @Test func cnpjErrors() throws {
        #expect(failureReason(try CNPJ("")) == "EMPTY")
        #expect(failureReason(try CNPJ("12.ABC.345/01DE-3")) == "LENGTH")
        #expect(failureReason(try CNPJ("12.ABC.345/01DE-3X")) == "CHARACTERS")
        #expect(failureReason(try CNPJ("12.ABÇ.345/01DE-35")) == "CHARACTERS")
        #expect(failureReason(try CNPJ("12_ABC_345_01DE_35")) == "CHARACTERS")
        #expect(failureReason(try CNPJ("00.000.000/0000-00")) == "REPEATED_DIGITS")
        #expect(failureReason(try CNPJ("12.ABC.345/01DE-36")) == "CHECK_DIGITS")
        #expect(failureReason(try CNPJ("12.ABC.345/01ED-35")) == "CHECK_DIGITS")

        let error = try #require(throws: BrazilValidationError.self) { try CNPJ("12.ABC.345/01DE-3X") }
        #expect(error.subject == .cnpj)
        #expect(error.description == "CNPJ check digits must be digits (the last two characters); found 'X'")
    }

    /// The byte-level fast path of `TaxID.formatted` answers exactly what the full parse does:
    /// every valid document, each one-character change of it (a wrong check digit, a letter, a
    /// lower-case letter, a separator), repeated digits, other lengths.
    @Test func quickFormattingAgreesWithTheFullParse() throws {
        var inputs = ["00000000000", "11111111111", "00000000000000", "AAAAAAAAAAAA00", "", "123", "529.982.247-25",
                      "12ABC34501DE35", "12abc34501de35", "12ABC34501DE3A", "1234567890123", "123456789012345"]
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        for _ in 0..<400 {
            // (A base of one repeated digit has no valid document: skipped.)
            let cpf = try? CPF(base: String((0..<9).map { _ in alphabet[Int.random(in: 0..<10, using: &generator)] })).digits
            let cnpj = try? CNPJ(base: String((0..<12).map { _ in alphabet.randomElement(using: &generator)! })).value
            for valid in [cpf, cnpj].compactMap({ $0 }) {
                inputs.append(valid)
                var changed = Array(valid)
                let i = Int.random(in: 0..<changed.count, using: &generator)
                changed[i] = ["0", "9", "A", "z", ".", "/"].randomElement(using: &generator)!
                inputs.append(String(changed))
            }
        }
        for input in inputs {
            #expect(TaxID.formatted(input) == ((try? TaxID(input))?.formatted ?? input), "\(input)")
        }
        #expect(TaxID.formatted("52998224725") == "529.982.247-25")
        #expect(TaxID.formatted("12ABC34501DE35") == "12.ABC.345/01DE-35")
        #expect(TaxID.formatted("52998224726") == "52998224726")
    }

    @Test func taxIDByLength() throws {
        #expect(try TaxID("529.982.247-25") == .cpf(CPF("52998224725")))
        #expect(try TaxID("12.ABC.345/01DE-35") == .cnpj(CNPJ("12ABC34501DE35")))
        #expect(try TaxID("11222333000181").formatted == "11.222.333/0001-81")
        #expect(try TaxID("52998224725").isCPF)
        #expect(failureReason(try TaxID("")) == "EMPTY")
        #expect(failureReason(try TaxID("1234567890123")) == "LENGTH")
        #expect(failureReason(try TaxID("5299822472A")) == "CHARACTERS")  // 11 → CPF rules
        #expect(failureReason(try TaxID("11.222.333/0001-82")) == "CHECK_DIGITS")
        let error = try #require(throws: BrazilValidationError.self) { try TaxID("123") }
        #expect(error.subject == .taxID)
        #expect(error.description == "CPF/CNPJ must have 11 digits (CPF) or 14 characters (CNPJ), not 3")
    }

    @Test func codableRoundTrips() throws {
        struct Record: Codable, Equatable { var cpf: CPF; var cnpj: CNPJ; var owner: TaxID }
        let record = try Record(cpf: CPF("529.982.247-25"), cnpj: CNPJ("12.ABC.345/01DE-35"), owner: TaxID("11.222.333/0001-81"))
        let json = try JSONEncoder().encode(record)
        #expect(String(decoding: json, as: UTF8.self).contains("\"12ABC34501DE35\""))
        #expect(try JSONDecoder().decode(Record.self, from: json) == record)
        let bad = Data(#"{"cpf":"52998224726","cnpj":"12ABC34501DE35","owner":"52998224725"}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Record.self, from: bad) }
    }

    @Test func reasonsAreStable() {
        #expect(BrazilValidationError.Reason.allCases.map(\.rawValue) == [
            "EMPTY", "LENGTH", "CHARACTERS", "REPEATED_DIGITS", "CHECK_DIGITS", "RANGE", "UNKNOWN",
            "AREA_CODE", "COUNTRY_CODE", "FIRST_DIGIT", "NOT_MOBILE", "FORMAT",
        ])
    }
}
