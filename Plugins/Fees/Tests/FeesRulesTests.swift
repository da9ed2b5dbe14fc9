import ContonBrazil
import ContonKit
import Foundation
@testable import FeesPlugin
import Testing

/// Pure rules: amounts in words for receipts, money formatting, late-charge rounding, due dates.
@Suite struct FeesRulesTests {
    @Test(arguments: [
        (1, "um centavo"),
        (100, "um real"),
        (200, "dois reais"),
        (2_150, "vinte e um reais e cinquenta centavos"),
        (10_000, "cem reais"),
        (10_100, "cento e um reais"),
        (100_000, "mil reais"),
        (100_100, "mil e um reais"),
        (100_000_000, "um milhão de reais"),
        (250_000_010, "dois milhões e quinhentos mil reais e dez centavos"),
        (123_456_789, "um milhão duzentos e trinta e quatro mil quinhentos e sessenta e sete reais e oitenta e nove centavos"),
        (123_456, "mil duzentos e trinta e quatro reais e cinquenta e seis centavos"),
    ] as [(Int64, String)])
    func amountInWordsOnReceipts(centavos: Int64, words: String) throws {
        #expect(Receipts.amountInWords(centavos) == words)
        // The same words as ContonBrazil's, but for the commas between groups.
        #expect(try AmountInWords.reais(centavos: centavos).replacingOccurrences(of: ",", with: "") == words)
    }

    @Test func moneyFormatting() {
        #expect(Money.formatted(1) == "R$ 0,01")
        #expect(Money.formatted(100) == "R$ 1,00")
        #expect(Money.formatted(123_456) == "R$ 1.234,56")
        #expect(Money.formatted(100_000_000) == "R$ 1.000.000,00")
        #expect(Money.formatted(-250) == "-R$ 2,50")
    }

    @Test func lateChargesRoundHalfUpToTheCentavo() {
        // 333 × 1 % × 15 / 30 = 1.665 → 2; 333 × 2 % = 6.66 → 7; exactly half rounds up.
        #expect(Money.interest(balance: 333, monthlyBasisPoints: 100, daysLate: 15) == 2)
        #expect(Money.fine(balance: 333, fineBasisPoints: 200) == 7)
        #expect(Money.fine(balance: 25, fineBasisPoints: 200) == 1)  // 0.5 → 1
        #expect(Money.fine(balance: 24, fineBasisPoints: 200) == 0)  // 0.48 → 0
        #expect(Money.interest(balance: 150_000, monthlyBasisPoints: 100, daysLate: 1) == 50)
        // No overflow for huge amounts and long delays.
        #expect(Money.interest(balance: Int64.max / 2, monthlyBasisPoints: 1_000, daysLate: 36_500) == Int64.max)
    }

    @Test func dueDatesAndCompetences() throws {
        let feb24 = try #require(Competence("2024-02"))
        #expect(feb24.dueDate(day: 31, followingMonth: false).description == "2024-02-29")
        #expect(try #require(Competence("2023-02")).dueDate(day: 31, followingMonth: false).description == "2023-02-28")
        #expect(try #require(Competence("2100-02")).dueDate(day: 29, followingMonth: false).description == "2100-02-28")
        #expect(try #require(Competence("2023-12")).dueDate(day: 31, followingMonth: true).description == "2024-01-31")
        #expect(try #require(Competence("2024-01")).dueDate(day: 30, followingMonth: true).description == "2024-02-29")
        #expect(Competence("2018-13") == nil && Competence("2018-1") == nil && Competence("18-01") == nil && Competence("2018-0a") == nil)
        #expect(try #require(Competence("2018-12")).adding(months: 1)?.description == "2019-01")
        #expect(feb24.text == "02/2024" && feb24.monthName == "fevereiro")
        #expect(try #require(CivilDate("2023-02-09")).dayNumber - (try #require(CivilDate("2023-01-10"))).dayNumber == 30)
        #expect(try #require(CivilDate("1970-01-01")).dayNumber == 0)
        #expect(DescriptionTemplate.render("Honorários {competencia}", competence: feb24, clientName: "X") == "Honorários 02/2024")
        #expect(DescriptionTemplate.problem("Honorários {competência}") != nil)
    }
}
