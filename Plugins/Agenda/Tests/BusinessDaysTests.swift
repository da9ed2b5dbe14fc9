import AgendaCapability
import AgendaPlugin
import ContonAPI
import ContonKit
import ContonTesting
import Foundation
import GRDB
import GRPCCore
import Testing

/// Holidays and business days: the national calendar of 2024–2030 against a table written here,
/// with Easter computed by a second, independent algorithm; the office's choices and holidays.
@Suite struct BusinessDaysTests {
    /// Easter Sunday by Gauss's algorithm with its two exceptions (not the one the plugin uses).
    static func gaussEaster(_ year: Int) -> CivilDate {
        let a = year % 19, b = year % 4, c = year % 7
        let k = year / 100, p = (13 + 8 * k) / 25, q = k / 4
        let m = (15 - p + k - q) % 30, n = (4 + k - q) % 7
        let d = (19 * a + m) % 30, e = (2 * b + 4 * c + 6 * d + n) % 7
        if d == 29 && e == 6 { return CivilDate(year: year, month: 4, day: 19)! }
        if d == 28 && e == 6 && (11 * m + 11) % 30 < 19 { return CivilDate(year: year, month: 4, day: 18)! }
        let day = 22 + d + e
        return day > 31 ? CivilDate(year: year, month: 4, day: day - 31)! : CivilDate(year: year, month: 3, day: day)!
    }

    /// year: (Easter, Carnaval Monday, Carnaval Tuesday, Ash Wednesday, Good Friday, Corpus Christi).
    static let movable: [Int: [String]] = [
        2024: ["2024-03-31", "2024-02-12", "2024-02-13", "2024-02-14", "2024-03-29", "2024-05-30"],
        2025: ["2025-04-20", "2025-03-03", "2025-03-04", "2025-03-05", "2025-04-18", "2025-06-19"],
        2026: ["2026-04-05", "2026-02-16", "2026-02-17", "2026-02-18", "2026-04-03", "2026-06-04"],
        2027: ["2027-03-28", "2027-02-08", "2027-02-09", "2027-02-10", "2027-03-26", "2027-05-27"],
        2028: ["2028-04-16", "2028-02-28", "2028-02-29", "2028-03-01", "2028-04-14", "2028-06-15"],
        2029: ["2029-04-01", "2029-02-12", "2029-02-13", "2029-02-14", "2029-03-30", "2029-05-31"],
        2030: ["2030-04-21", "2030-03-04", "2030-03-05", "2030-03-06", "2030-04-19", "2030-06-20"],
    ]

    static let fixed = ["01-01", "04-21", "05-01", "09-07", "10-12", "11-02", "11-15", "11-20", "12-25"]

    @Test func theTableAgreesWithAnIndependentEaster() {
        for (year, dates) in Self.movable {
            let easter = Self.gaussEaster(year)
            #expect(easter.description == dates[0], "\(year)")
            #expect([-48, -47, -46, -2, 60].map { easter.adding(days: $0).description } == Array(dates.dropFirst()), "\(year)")
        }
        // The Gauss algorithm and the day arithmetic over a wider range, against known Easters.
        #expect(Self.gaussEaster(2019).description == "2019-04-21")
        #expect(Self.gaussEaster(2038).description == "2038-04-25")
        #expect(Self.gaussEaster(2285).description == "2285-03-22")
    }

    @Test func nationalHolidaysAndPontosFacultativosOf2024To2030() async throws {
        try await AgendaTest.run { t in
            for year in 2024...2030 {
                var r = Conton_Agenda_V1_ListHolidaysRequest()
                r.year = Int32(year)
                let holidays = try await t.agenda.listHolidays(r, metadata: t.owner).holidays
                let national = holidays.filter { $0.kind == .national }.map(\.date).sorted()
                let expected = (Self.fixed.map { "\(year)-\($0)" } + [Self.movable[year]![4]]).sorted()
                #expect(national == expected, "\(year)")
                #expect(holidays.filter { $0.kind == .national }.allSatisfy { $0.closed })
                let points = Dictionary(holidays.filter { $0.kind == .optionalPoint }.map { ($0.optionalPoint, $0) }, uniquingKeysWith: { a, _ in a })
                #expect(points[.carnivalMonday]?.date == Self.movable[year]![1])
                #expect(points[.carnivalTuesday]?.date == Self.movable[year]![2])
                #expect(points[.ashWednesday]?.date == Self.movable[year]![3])
                #expect(points[.corpusChristi]?.date == Self.movable[year]![5])
                // The defaults: closed on Carnaval and Corpus Christi, open on Ash Wednesday.
                #expect(points[.carnivalMonday]?.closed == true && points[.corpusChristi]?.closed == true)
                #expect(points[.ashWednesday]?.closed == false)
            }
            // Consciência Negra is national only from 2024 (Lei 14.759/2023).
            var r = Conton_Agenda_V1_ListHolidaysRequest()
            r.year = 2023
            #expect(try await t.agenda.listHolidays(r, metadata: t.owner).holidays.contains { $0.date == "2023-11-20" } == false)
        }
    }

    func isBusinessDay(_ t: AgendaTest, _ date: String) async throws -> (Bool, String) {
        var r = Conton_Agenda_V1_IsBusinessDayRequest()
        r.date = date
        let answer = try await t.agenda.isBusinessDay(r, metadata: t.owner)
        return (answer.businessDay, answer.reason)
    }

    func add(_ t: AgendaTest, _ days: Int32, to date: String) async throws -> String {
        var r = Conton_Agenda_V1_AddBusinessDaysRequest()
        r.date = date
        r.days = days
        return try await t.agenda.addBusinessDays(r, metadata: t.owner).date
    }

    @Test func businessDaysFollowTheOfficesChoicesAndHolidays() async throws {
        try await AgendaTest.run { t in
            #expect(try await isBusinessDay(t, "2026-12-05") == (false, "sábado"))
            #expect(try await isBusinessDay(t, "2026-12-06") == (false, "domingo"))
            #expect(try await isBusinessDay(t, "2026-12-25") == (false, "Natal"))
            #expect(try await isBusinessDay(t, "2026-02-16") == (false, "Carnaval (segunda-feira)"))
            #expect(try await isBusinessDay(t, "2026-02-18").0, "Ash Wednesday is worked by default")
            #expect(try await isBusinessDay(t, "2026-12-01").0)
            // Friday 2026-02-13 + 1 business day: Monday and Tuesday are Carnaval → Wednesday.
            #expect(try await add(t, 1, to: "2026-02-13") == "2026-02-18")
            #expect(try await add(t, -1, to: "2026-02-18") == "2026-02-13")
            #expect(try await add(t, 0, to: "2026-12-05") == "2026-12-05")
            // 2026-12-24 (Thu) + 2: Friday 25 is Christmas → Mon 28, Tue 29.
            #expect(try await add(t, 2, to: "2026-12-24") == "2026-12-29")

            // The office works on Carnaval Monday and closes on Ash Wednesday.
            var settings = Conton_Agenda_V1_UpdateCalendarSettingsRequest()
            settings.settings.closedPoints = [.carnivalTuesday, .ashWednesday, .corpusChristi]
            _ = try await t.agenda.updateCalendarSettings(settings, metadata: t.owner)
            #expect(try await isBusinessDay(t, "2026-02-16").0)
            #expect(try await isBusinessDay(t, "2026-02-18") == (false, "Quarta-feira de Cinzas"))
            #expect(try await add(t, 1, to: "2026-02-13") == "2026-02-16")

            // A municipal holiday every year (São Paulo's anniversary) and a one-off closing.
            var holiday = Conton_Agenda_V1_AddOfficeHolidayRequest()
            holiday.holiday.name = "Aniversário de São Paulo"
            holiday.holiday.month = 1
            holiday.holiday.day = 25
            holiday.holiday.scope = .municipal
            let added = try await t.agenda.addOfficeHoliday(holiday, metadata: t.owner).holiday
            holiday.holiday.name = "Recesso"
            holiday.holiday.year = 2027
            holiday.holiday.month = 1
            holiday.holiday.day = 26
            holiday.holiday.scope = .office
            _ = try await t.agenda.addOfficeHoliday(holiday, metadata: t.owner)
            #expect(try await isBusinessDay(t, "2027-01-25") == (false, "Aniversário de São Paulo"))
            #expect(try await isBusinessDay(t, "2028-01-25") == (false, "Aniversário de São Paulo"))
            #expect(try await isBusinessDay(t, "2027-01-26") == (false, "Recesso"))
            #expect(try await isBusinessDay(t, "2028-01-26").0)
            #expect(try await add(t, 1, to: "2027-01-22") == "2027-01-27")

            // Bad input, every violation at once; a client may not change the calendar.
            var bad = Conton_Agenda_V1_AddOfficeHolidayRequest()
            bad.holiday.month = 2
            bad.holiday.day = 30
            let error = await rpcError { _ = try await t.agenda.addOfficeHoliday(bad, metadata: t.owner) }
            #expect(error?.code == .invalidArgument)
            #expect(Set(error?.violations.keys ?? [:].keys) == ["holiday.name", "holiday.day", "holiday.scope"])
            #expect(await code { _ = try await t.agenda.addOfficeHoliday(holiday, metadata: AgendaTest.client("x")) } == .permissionDenied)
            var delete = Conton_Agenda_V1_DeleteOfficeHolidayRequest()
            delete.officeHolidayId = added.id
            _ = try await t.agenda.deleteOfficeHoliday(delete, metadata: t.owner)
            #expect(try await isBusinessDay(t, "2027-01-25").0)
            #expect(await code { _ = try await t.agenda.deleteOfficeHoliday(delete, metadata: t.owner) } == .notFound)
        }
    }

    @Test func otherPluginsReachTheCalendarThroughTheCapability() async throws {
        try await AgendaTest.run { t in
            let calendar = try t.agendaContext.capabilities.businessCalendar
            let answers = try await t.host.database.pool.read { db in
                [try calendar.adjust(CivilDate("2026-11-20")!, .postpone, in: db).description,
                 try calendar.adjust(CivilDate("2026-11-20")!, .anticipate, in: db).description,
                 try calendar.adjust(CivilDate("2026-11-19")!, .anticipate, in: db).description]
                    + (try calendar.closedDays(from: CivilDate("2026-11-01")!, through: CivilDate("2026-11-30")!, in: db).map { $0.date.description })
            }
            #expect(answers == ["2026-11-23", "2026-11-19", "2026-11-19", "2026-11-02", "2026-11-15", "2026-11-20"])
        }
    }
}
