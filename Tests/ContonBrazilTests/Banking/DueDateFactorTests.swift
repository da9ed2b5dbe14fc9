import Testing
@testable import ContonBrazil

/// FEBRABAN due-date factor, both directions, around the 2025-02-22 restart. The dates were
/// computed with Python's `datetime` (days since 1997-10-07) and the restart rule published by
/// FEBRABAN (repo vladetec/fator-vencimento-boleto-2025, README.md: 2025-02-21 → 9999,
/// 2025-02-22 → 1000, 2025-02-23 → 1001).
@Suite struct DueDateFactorTests {
    @Test(arguments: [
        ("2000-07-03", 1000), ("2000-07-04", 1001), ("2008-02-03", 3771), ("2016-05-06", 6786),
        ("2025-02-20", 9998), ("2025-02-21", 9999), ("2025-02-22", 1000), ("2025-02-23", 1001),
        ("2029-05-20", 2548), ("2049-10-13", 9999), ("2049-10-14", 1000),
    ])
    func factorOfDate(date: String, factor: Int) throws {
        let d = try BankDate(date)
        #expect(try DueDateFactor.factor(for: d) == factor)
        // Reading the factor back near the date gives the date again.
        #expect(try DueDateFactor.date(forFactor: factor, near: d) == d)
        #expect(try DueDateFactor.date(forFactor: factor, near: d.adding(days: 30)) == d)
    }

    @Test func baseAndRestart() throws {
        #expect(DueDateFactor.baseDate.description == "1997-10-07")
        #expect(DueDateFactor.baseDate.adding(days: 1000).description == "2000-07-03")
        #expect(DueDateFactor.firstRestart.description == "2025-02-22")
    }

    @Test func sameFactorTwoCycles() throws {
        // Factor 1000 is 2000-07-03 in the first cycle and 2025-02-22 in the second.
        #expect(try DueDateFactor.date(forFactor: 1000, near: BankDate("2001-01-01")).description == "2000-07-03")
        #expect(try DueDateFactor.date(forFactor: 1000, near: BankDate("2025-01-10")).description == "2025-02-22")
        #expect(try DueDateFactor.date(forFactor: 9999, near: BankDate("2025-03-15")).description == "2025-02-21")
    }

    @Test func outOfRange() throws {
        #expect(throws: BoletoError.dueDateOutOfRange(date: try BankDate("2000-07-02"))) {
            try DueDateFactor.factor(for: BankDate("2000-07-02"))
        }
        #expect(throws: BoletoError.factorOutOfRange(factor: 999)) {
            try DueDateFactor.date(forFactor: 999, near: BankDate("2025-01-01"))
        }
    }

    @Test func dates() throws {
        #expect(throws: BankDateError.self) { try BankDate("2025-02-30") }
        #expect(throws: BankDateError.self) { try BankDate("21/02/2025") }
        #expect(try BankDate("2024-02-29").adding(days: 1).description == "2024-03-01")
        #expect(try BankDate("2025-03-01").cnab == "01032025")
    }
}
