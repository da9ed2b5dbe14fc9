import Testing
@testable import ContonBrazil

/// TaxIDFinder: the CPF/CNPJ in a guide's file name, as offices name them.
@Suite struct TaxIDFinderTests {
    static func found(_ name: String) -> [String] { TaxIDFinder.find(in: name).map(\.value) }

    @Test func findsFormattedAndBareNumbersInFileNames() {
        #expect(Self.found("DAS 11.444.777/0001-61 11-2026.pdf") == ["11444777000161"])
        #expect(Self.found("das_11444777000161_202611.pdf") == ["11444777000161"])
        #expect(Self.found("PGDASD-DAS-11444777000161-20261120.pdf") == ["11444777000161"])
        #expect(Self.found("DAS11444777000161.pdf") == ["11444777000161"])
        #expect(Self.found("holerite 529.982.247-25 novembro.pdf") == ["52998224725"])
        #expect(Self.found("CPF52998224725.pdf") == ["52998224725"])
        #expect(Self.found("12.ABC.345/01DE-35 balancete.pdf") == ["12ABC34501DE35"])
        #expect(Self.found("balancete 12abc34501de35.pdf") == ["12ABC34501DE35"])
        #expect(Self.found("DAS 11444777000161 e 52998224725.pdf") == ["11444777000161", "52998224725"])
    }

    @Test func aNumberNeverStartsOrEndsInsideARunOfDigits() {
        // A CPF inside a longer run, a date glued to a CNPJ, two separators in a row, bad check digits.
        #expect(Self.found("protocolo 952998224725.pdf").isEmpty)
        #expect(Self.found("11444777000161202611.pdf").isEmpty)
        #expect(Self.found("11.444.777/0001--61.pdf").isEmpty)
        #expect(Self.found("DAS 11.444.777/0001-62.pdf").isEmpty)
        #expect(Self.found("guia sem documento 2026-11.pdf").isEmpty)
        // A date next to the CNPJ through one separator is not read into it.
        #expect(Self.found("11444777000161_202611.pdf") == ["11444777000161"])
    }

    /// Every number validate-docbr generates, formatted or bare, is found in the usual names.
    @Test(arguments: ["cpf", "cpf-masked", "cnpj", "cnpj-masked", "cnpj-alnum", "cnpj-alnum-masked"])
    func findsWhatTheOracleGenerates(kind: String) async throws {
        let inputs = try await Oracle.call(["generate", kind, "300", "21"], as: [String].self)
        #expect(inputs.count == 300)
        for raw in inputs {
            let expected = try TaxID(raw).value
            let shown = raw.replacingOccurrences(of: "/", with: ".")
            for name in ["DAS \(shown) 11-2026.pdf", "guia_\(shown)_202611.pdf", "\(shown).pdf", "2026-11 - \(shown) - folha.pdf"] {
                #expect(Self.found(name) == [expected], "\(name)")
            }
        }
    }
}
