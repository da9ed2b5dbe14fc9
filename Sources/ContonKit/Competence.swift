/// A competence month (*competência*), written `YYYY-MM` (DESIGN: stored and sent as text, so
/// competences sort as text).
public struct Competence: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    public init?(year: Int, month: Int) {
        guard (1...9999).contains(year), (1...12).contains(month) else { return nil }
        self.year = year
        self.month = month
    }

    /// Parses exactly `YYYY-MM`.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 7, bytes[4] == UInt8(ascii: "-"),
              bytes.enumerated().allSatisfy({ $0.offset == 4 || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0.element) }),
              let y = Int(String(decoding: bytes[0..<4], as: UTF8.self)),
              let m = Int(String(decoding: bytes[5..<7], as: UTF8.self)) else { return nil }
        self.init(year: y, month: m)
    }

    /// The month `n` months later (n may be negative).
    public func adding(months n: Int) -> Competence? {
        let index = year * 12 + (month - 1) + n
        return Competence(year: index / 12, month: index % 12 + 1)
    }

    /// `YYYY-MM`.
    public var description: String { pad(year, 4) + "-" + pad(month, 2) }

    /// As written on documents: `01/2018`.
    public var text: String { pad(month, 2) + "/" + pad(year, 4) }

    /// The month's name in Portuguese, lower case: "janeiro".
    public var monthName: String { Competence.monthNames[month - 1] }

    public static let monthNames = ["janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro",
                             "outubro", "novembro", "dezembro"]

    /// The fee's due date: `dueDay` (1–31) in this month — or the next one when
    /// `followingMonth` — clamped to the month's last day (31 → 28 or 29 in February).
    public func dueDate(day dueDay: Int, followingMonth: Bool) -> CivilDate {
        let month = followingMonth ? adding(months: 1)! : self
        let day = min(max(dueDay, 1), CivilDate.daysIn(year: month.year, month: month.month))
        return CivilDate(year: month.year, month: month.month, day: day)!
    }

    public static func < (a: Competence, b: Competence) -> Bool { (a.year, a.month) < (b.year, b.month) }
}

private func pad(_ n: Int, _ width: Int) -> String {
    let s = String(n)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

extension CivilDate {
    /// Days since 1970-01-01 (Howard Hinnant's days-from-civil).
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Today in the office's time zone (America/Sao_Paulo, UTC−3, no daylight saving time).
    public static func today(_ clock: any Clock) -> CivilDate {
        CivilDate(milliseconds: clock.nowMilliseconds)
    }

    /// The date `days` days later (earlier when negative).
    public func adding(days: Int) -> CivilDate {
        CivilDate(milliseconds: Int64(dayNumber + days) * 86_400_000, offsetMinutes: 0)
    }

    /// The competence month this date falls in.
    public var competence: Competence { Competence(year: year, month: month)! }

    /// "10 de janeiro de 2018".
    public var longText: String { "\(day) de \(Competence.monthNames[month - 1]) de \(year)" }
}
