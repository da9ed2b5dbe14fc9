import AgendaCapability
import ContonKit
import GRDB

/// The office's business days: weekends, national holidays, the *pontos facultativos* it closes on
/// (`agenda_settings`) and its own holidays (`agenda_holiday`). Provided to other plugins as
/// ``BusinessCalendar``.
struct OfficeCalendar: BusinessCalendar {
    /// One day the office may be closed on, with why.
    struct Entry: Sendable, Hashable {
        var date: CivilDate
        var name: String
        var kind: Kind
        var closed: Bool
        var point: NationalHolidays.OptionalPoint?
        var officeHolidayID: Int64?
        enum Kind: Sendable, Hashable { case national, optionalPoint, office }
    }

    /// The pontos facultativos the office closes on.
    static func closedPoints(in db: Database) throws -> Set<NationalHolidays.OptionalPoint> {
        let text = try String.fetchOne(db, sql: "SELECT closed_points FROM agenda_settings WHERE id = 1") ?? ""
        return Set(text.split(separator: ",").compactMap { NationalHolidays.OptionalPoint(rawValue: String($0)) })
    }

    /// Every holiday and ponto facultativo of the years `years`, in date order.
    static func entries(years: ClosedRange<Int>, in db: Database) throws -> [Entry] {
        let closed = try closedPoints(in: db)
        var out: [Entry] = []
        for year in years {
            for day in NationalHolidays.days(of: year) {
                if let point = day.optionalPoint {
                    out.append(Entry(date: day.date, name: day.name, kind: .optionalPoint, closed: closed.contains(point), point: point))
                } else {
                    out.append(Entry(date: day.date, name: day.name, kind: .national, closed: true))
                }
            }
        }
        for row in try Row.fetchAll(db, sql: "SELECT id, name, year, month, day FROM agenda_holiday WHERE year = 0 OR year BETWEEN ? AND ?",
                                    arguments: [years.lowerBound, years.upperBound]) {
            let fixedYear: Int = row["year"]
            for year in fixedYear == 0 ? Array(years) : [fixedYear] {
                // 29 February as a yearly holiday: only in leap years.
                guard let date = CivilDate(year: year, month: row["month"], day: row["day"]) else { continue }
                out.append(Entry(date: date, name: row["name"], kind: .office, closed: true, officeHolidayID: row["id"]))
            }
        }
        return out.sorted { ($0.date, $0.name) < ($1.date, $1.name) }
    }

    /// The days the office is closed in `years`, other than weekends, by date (the first name).
    static func closedDays(years: ClosedRange<Int>, in db: Database) throws -> [CivilDate: String] {
        var out: [CivilDate: String] = [:]
        for entry in try entries(years: years, in: db) where entry.closed && out[entry.date] == nil {
            out[entry.date] = entry.name
        }
        return out
    }

    /// Why `date` is not a business day ("sábado", "domingo", the holiday's name), nil when it is.
    static func closedReason(_ date: CivilDate, in db: Database) throws -> String? {
        if date.weekday == 6 { return "sábado" }
        if date.weekday == 0 { return "domingo" }
        return try closedDays(years: date.year...date.year, in: db)[date]
    }

    func isBusinessDay(_ date: CivilDate, in db: Database) throws -> Bool {
        try Self.closedReason(date, in: db) == nil
    }

    func addBusinessDays(_ days: Int, to date: CivilDate, in db: Database) throws -> CivilDate {
        guard days != 0 else { return date }
        // Enough years for the count (about 250 business days a year), plus one each side.
        let span = abs(days) / 200 + 1
        let years = days > 0 ? date.year...(date.year + span) : (date.year - span)...date.year
        let closed = try Self.closedDays(years: years, in: db)
        var day = date, left = abs(days)
        let step = days > 0 ? 1 : -1
        while left > 0 {
            day = day.adding(days: step)
            if !day.isWeekend && closed[day] == nil { left -= 1 }
        }
        return day
    }

    func closedDays(from: CivilDate, through: CivilDate, in db: Database) throws -> [ClosedDay] {
        guard from <= through else { return [] }
        return try Self.closedDays(years: from.year...through.year, in: db)
            .filter { $0.key >= from && $0.key <= through }
            .map { ClosedDay(date: $0.key, name: $0.value) }
            .sorted { $0.date < $1.date }
    }
}
