import Testing
@testable import ContonBrazil

/// CNAB 240 retornos: remessa → simulated retorno (``RetornoBuilder``) → ``Retorno`` round trips,
/// and malformed files. Segment T/U positions as read by eduardokum/laravel-boleto
/// src/Cnab/Retorno/Cnab240/Banco/Bb.php and Bancoob.php.
@Suite struct RetornoTests {
    static func roundTrip(_ settings: BankSettings) throws -> (Remessa, String) {
        let remessa = try RemessaTests.remessa(settings, sequences: [1, 2, 3, 4, 5])
        let nn = remessa.registrations.map(\.nossoNumero)
        let payment = RetornoOccurrence.Payment(amountCents: 153_001, interestCents: 3000, feesCents: 250, discountCents: 0,
                                                paidDate: Fixture.date("2025-07-12"), creditDate: Fixture.date("2025-07-14"))
        let text = try RetornoBuilder(remessa: remessa, fileSequence: 9, generatedOn: Fixture.date("2025-07-14"),
                                      generatedAt: try ClockTime(hour: 6, minute: 0)).text([
            .init(nossoNumero: nn[0], event: .registered),
            .init(nossoNumero: nn[1], event: .rejected(reasons: ["08", "48"])),
            .init(nossoNumero: nn[2], event: .paid(payment)),
            .init(nossoNumero: nn[3], event: .cancelled),
            .init(nossoNumero: nn[4], event: .other(code: "28", reasons: [])),
        ])
        return (remessa, text)
    }

    @Test(arguments: [Fixture.bb, Fixture.sicoob])
    func roundTrip(_ settings: BankSettings) throws {
        let (remessa, text) = try Self.roundTrip(settings)
        let retorno = try Retorno(parsing: text)
        try retorno.verify(against: settings)
        #expect(retorno.bank.code == settings.bankCode)
        #expect(retorno.fileSequence == 9)
        #expect(retorno.generatedOn == Fixture.date("2025-07-14"))
        let o = retorno.occurrences
        #expect(o.count == 5)
        #expect(o.map(\.nossoNumero) == remessa.registrations.map(\.nossoNumero))
        #expect(o.map(\.companyReference) == remessa.registrations.map(\.nossoNumero))
        #expect(o.map(\.documentNumber) == ["NF-1", "NF-2", "NF-3", "NF-4", "NF-5"])
        #expect(o.map(\.line) == [3, 5, 7, 9, 11])
        #expect(o[0].kind == .registered)
        #expect(o[1].kind == .rejected(reasons: ["08", "48"]))
        #expect(o[1].reasonCodes == ["08", "48"])
        #expect(o[2].kind == .paid(.init(amountCents: 153_001, interestCents: 3000, feesCents: 250, discountCents: 0,
                                          paidDate: Fixture.date("2025-07-12"), creditDate: Fixture.date("2025-07-14"))))
        #expect(o[3].kind == .cancelled)
        #expect(o[4].kind == .other(code: "28"))
        #expect(o[2].dueDate == Fixture.date("2025-07-10"))
        #expect(o[2].faceValueCents == 150_003)
        for line in text.components(separatedBy: "\r\n").dropLast() { #expect(line.count == 240) }
    }

    @Test func refusesAnotherAgreement() throws {
        let (_, text) = try Self.roundTrip(Fixture.bb)
        let retorno = try Retorno(parsing: text)
        var other = Fixture.bb
        other.beneficiaryCode = "1234567"
        let e = try #require(throws: RetornoError.self) { try retorno.verify(against: other) }
        #expect(e.reason == .agreement && e.line == 1 && e.column == 33)
        let e2 = try #require(throws: RetornoError.self) { try retorno.verify(against: Fixture.sicoob) }
        #expect(e2.reason == .bank)
        let (_, sicoobText) = try Self.roundTrip(Fixture.sicoob)
        var otherAccount = Fixture.sicoob
        otherAccount.account = "84726"
        let e3 = try #require(throws: RetornoError.self) { try Retorno(parsing: sicoobText).verify(against: otherAccount) }
        #expect(e3.reason == .agreement && e3.column == 59)
    }

    static func lines() throws -> [String] {
        Array(try roundTrip(Fixture.bb).1.components(separatedBy: "\r\n").dropLast())
    }

    static func replacing(_ line: String, at column: Int, with text: String) -> String {
        var c = Array(line)
        c.replaceSubrange((column - 1)..<(column - 1 + text.count), with: Array(text))
        return String(c)
    }

    @Test func malformedLinesGiveLineAndColumn() throws {
        var l = try Self.lines()
        // A short line.
        l[4] = String(l[4].dropLast(3))
        var e = try #require(throws: RetornoError.self) { try Retorno(parsing: l.joined(separator: "\n")) }
        #expect((e.reason, e.line, e.column) == (.lineLength, 5, 238))
        #expect(e.description == "line 5, column 238: expected 240 characters, found '237 characters'")
        // A letter in the amount paid of segment U (line 8, columns 78–92).
        l = try Self.lines()
        l[7] = Self.replacing(l[7], at: 85, with: "X")
        e = try #require(throws: RetornoError.self) { try Retorno(parsing: l.joined(separator: "\r\n")) }
        #expect((e.reason, e.line, e.column) == (.field, 8, 85))
        #expect(e.expected.contains("amount paid"))
        // An impossible payment date (U 138–145).
        l = try Self.lines()
        l[7] = Self.replacing(l[7], at: 138, with: "31022025")
        e = try #require(throws: RetornoError.self) { try Retorno(parsing: l.joined(separator: "\r\n")) }
        #expect((e.reason, e.line, e.column) == (.field, 8, 138))
        // A T without its U.
        l = try Self.lines()
        l.remove(at: 3)
        e = try #require(throws: RetornoError.self) { try Retorno(parsing: l.joined(separator: "\r\n")) }
        #expect((e.reason, e.line, e.column) == (.segment, 4, 14))
        // Another bank's line in the middle.
        l = try Self.lines()
        l[5] = Self.replacing(l[5], at: 1, with: "756")
        e = try #require(throws: RetornoError.self) { try Retorno(parsing: l.joined(separator: "\r\n")) }
        #expect((e.reason, e.line, e.column) == (.bank, 6, 1))
        // A remessa is not a retorno.
        let remessa = try RemessaTests.remessa(Fixture.bb, sequences: [1]).text()
        e = try #require(throws: RetornoError.self) { try Retorno(parsing: remessa) }
        #expect((e.reason, e.line, e.column) == (.notRetorno, 1, 143))
        // Missing trailer.
        l = try Self.lines()
        l.removeLast()
        e = try #require(throws: RetornoError.self) { try Retorno(parsing: l.joined(separator: "\r\n")) }
        #expect(e.reason == .recordType)
        // Unknown record type.
        l = try Self.lines()
        l[2] = Self.replacing(l[2], at: 8, with: "7")
        e = try #require(throws: RetornoError.self) { try Retorno(parsing: l.joined(separator: "\r\n")) }
        #expect((e.reason, e.line, e.column) == (.recordType, 3, 8))
        #expect(throws: RetornoError.self) { try Retorno(parsing: "") }
    }

    @Test func unknownCodesAreKept() throws {
        var l = try Self.lines()
        l[2] = Self.replacing(l[2], at: 16, with: "9Z")   // T of the first boleto
        let r = try Retorno(parsing: l.joined(separator: "\r\n"))
        #expect(r.occurrences[0].kind == .other(code: "9Z"))
        #expect(r.occurrences[0].movementCode == "9Z")
    }
}
