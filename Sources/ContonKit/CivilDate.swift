/// A calendar date without time or zone, written `YYYY-MM-DD` (DESIGN: civil dates are strings
/// of that form on the wire and in the database; they sort as text).
public struct CivilDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// A valid date, or nil (month 1–12, day within the month, year 1–9999).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= CivilDate.daysIn(year: year, month: month) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses exactly `YYYY-MM-DD`; nil for anything else or an impossible date (2023-02-29).
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var n = 0
            for b in bytes[range] {
                guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
                n = n * 10 + Int(b - UInt8(ascii: "0"))
            }
            return n
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The date of a UTC instant (milliseconds) in a zone `offsetMinutes` from UTC
    /// (America/Sao_Paulo is −180 since 2019, with no daylight saving time).
    public init(milliseconds: Int64, offsetMinutes: Int = -180) {
        self.init(dayNumber: Int((milliseconds + Int64(offsetMinutes) * 60_000).floorDivided(by: 86_400_000)))
    }

    /// The date `dayNumber` days after 1970-01-01 (negative before it).
    public init(dayNumber days: Int) {
        // Civil from days (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.month = m
        self.day = d
    }

    /// The day of the week: 0 Sunday, 1 Monday … 6 Saturday.
    public var weekday: Int {
        let n = (dayNumber + 4) % 7           // 1970-01-01 was a Thursday
        return n < 0 ? n + 7 : n
    }

    /// Saturday or Sunday.
    public var isWeekend: Bool { weekday == 0 || weekday == 6 }

    /// Midnight of this date, in UTC milliseconds, in a zone `offsetMinutes` from UTC.
    public func milliseconds(offsetMinutes: Int = -180) -> Int64 {
        Int64(dayNumber) * 86_400_000 - Int64(offsetMinutes) * 60_000
    }

    /// Days in `month` of `year` (leap years by the Gregorian rule).
    public static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public static func < (a: CivilDate, b: CivilDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }
}

extension Int64 {
    fileprivate func floorDivided(by d: Int64) -> Int64 {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}
