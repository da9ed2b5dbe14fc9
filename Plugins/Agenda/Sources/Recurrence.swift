import ContonKit

/// A recurrence rule: the subset of RFC 5545's RRULE the agenda takes (docs/AGENDA.md):
/// `FREQ` DAILY, WEEKLY, MONTHLY or YEARLY; `INTERVAL`; `COUNT` or `UNTIL`; `BYMONTHDAY`;
/// `BYDAY` (with an ordinal, `1MO`, `-1FR`, for MONTHLY and YEARLY); `WKST=MO`.
///
/// It expands on dates; the event gives each occurrence its time of day. As in Python's
/// `dateutil.rrule` (the test's oracle), a start date the rule does not match is not an
/// occurrence and `COUNT` counts only matching dates.
struct Recurrence: Sendable, Hashable {
    enum Frequency: String, Sendable, CaseIterable { case daily = "DAILY", weekly = "WEEKLY", monthly = "MONTHLY", yearly = "YEARLY" }

    /// One `BYDAY` entry: a weekday (0 Sunday … 6 Saturday) and an ordinal within the month or
    /// year (0: every such weekday).
    struct Weekday: Sendable, Hashable {
        var ordinal: Int
        var weekday: Int
    }

    /// The last day an occurrence may fall on, or the last instant one may start at.
    enum Until: Sendable, Hashable {
        case date(CivilDate)
        case instant(milliseconds: Int64)
    }

    var frequency: Frequency
    var interval = 1
    var count: Int?
    var until: Until?
    var byMonthDay: [Int] = []
    var byDay: [Weekday] = []

    static let maxCount = 5_000
    static let maxInterval = 1_000
    static let weekdayCodes = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"]

    /// A rule refused, naming its part (`FREQ`, `BYDAY`, …).
    struct Invalid: Error, Sendable, Hashable {
        var part: String
        var message: String
    }

    /// Parses `FREQ=…;…` (an optional `RRULE:` prefix allowed); every part checked.
    static func parse(_ text: String) throws(Invalid) -> Recurrence {
        var body = Substring(text.trimmingCharacters(in: .whitespaces))
        if body.uppercased().hasPrefix("RRULE:") { body = body.dropFirst(6) }
        var parts: [String: String] = [:]
        for piece in body.split(separator: ";", omittingEmptySubsequences: true) {
            let pair = piece.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { throw Invalid(part: String(piece), message: "is not NAME=VALUE") }
            let name = pair[0].uppercased()
            guard parts[name] == nil else { throw Invalid(part: name, message: "appears twice") }
            parts[name] = pair[1].uppercased()
        }
        guard let freqText = parts.removeValue(forKey: "FREQ") else { throw Invalid(part: "FREQ", message: "is required") }
        guard let frequency = Frequency(rawValue: freqText) else {
            throw Invalid(part: "FREQ", message: "\(freqText) is not one of DAILY, WEEKLY, MONTHLY, YEARLY")
        }
        var rule = Recurrence(frequency: frequency)
        if let value = parts.removeValue(forKey: "INTERVAL") {
            guard let n = Int(value), (1...maxInterval).contains(n) else { throw Invalid(part: "INTERVAL", message: "must be 1 to \(maxInterval)") }
            rule.interval = n
        }
        if let value = parts.removeValue(forKey: "COUNT") {
            guard let n = Int(value), (1...maxCount).contains(n) else { throw Invalid(part: "COUNT", message: "must be 1 to \(maxCount)") }
            rule.count = n
        }
        if let value = parts.removeValue(forKey: "UNTIL") {
            guard rule.count == nil else { throw Invalid(part: "UNTIL", message: "cannot be given with COUNT (RFC 5545)") }
            rule.until = try until(value)
        }
        if let value = parts.removeValue(forKey: "BYMONTHDAY") {
            guard frequency != .weekly else { throw Invalid(part: "BYMONTHDAY", message: "cannot be given with FREQ=WEEKLY (RFC 5545)") }
            for item in value.split(separator: ",", omittingEmptySubsequences: false) {
                guard let n = Int(item), n != 0, (-31...31).contains(n) else {
                    throw Invalid(part: "BYMONTHDAY", message: "'\(item)' is not a day of the month (1 to 31 or -31 to -1)")
                }
                if !rule.byMonthDay.contains(n) { rule.byMonthDay.append(n) }
            }
        }
        if let value = parts.removeValue(forKey: "BYDAY") {
            for item in value.split(separator: ",", omittingEmptySubsequences: false) {
                guard item.count >= 2, let weekday = weekdayCodes.firstIndex(of: String(item.suffix(2))) else {
                    throw Invalid(part: "BYDAY", message: "'\(item)' is not a weekday (SU, MO, TU, WE, TH, FR, SA, optionally after an ordinal: 1MO, -1FR)")
                }
                let prefix = item.dropLast(2)
                var ordinal = 0
                if !prefix.isEmpty {
                    let limit = frequency == .yearly ? 53 : 5
                    guard frequency == .monthly || frequency == .yearly else {
                        throw Invalid(part: "BYDAY", message: "'\(item)': an ordinal is allowed only with FREQ=MONTHLY or YEARLY")
                    }
                    guard let n = Int(prefix.hasPrefix("+") ? prefix.dropFirst() : prefix), n != 0, (-limit...limit).contains(n) else {
                        throw Invalid(part: "BYDAY", message: "'\(item)': the ordinal must be 1 to \(limit) or -\(limit) to -1")
                    }
                    ordinal = n
                }
                let entry = Weekday(ordinal: ordinal, weekday: weekday)
                if !rule.byDay.contains(entry) { rule.byDay.append(entry) }
            }
        }
        if let value = parts.removeValue(forKey: "WKST"), value != "MO" {
            throw Invalid(part: "WKST", message: "only MO (weeks start on Monday) is supported")
        }
        if let other = parts.keys.sorted().first {
            throw Invalid(part: other, message: "is not supported (FREQ, INTERVAL, COUNT, UNTIL, BYMONTHDAY, BYDAY, WKST are)")
        }
        return rule
    }

    private static func until(_ value: String) throws(Invalid) -> Until {
        let bytes = Array(value.utf8)
        func digits(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var n = 0
            for b in bytes[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) else { return nil }
                n = n * 10 + Int(b - UInt8(ascii: "0"))
            }
            return n
        }
        let invalid = Invalid(part: "UNTIL", message: "'\(value)' is not a date (YYYYMMDD) or a UTC time (YYYYMMDDTHHMMSSZ)")
        guard let y = digits(0..<4), let m = digits(4..<6), let d = digits(6..<8), let date = CivilDate(year: y, month: m, day: d) else { throw invalid }
        if bytes.count == 8 { return .date(date) }
        guard bytes.count == 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z"),
              let hh = digits(9..<11), let mm = digits(11..<13), let ss = digits(13..<15), hh < 24, mm < 60, ss < 60 else { throw invalid }
        return .instant(milliseconds: date.milliseconds(offsetMinutes: 0) + Int64((hh * 3600 + mm * 60 + ss) * 1000))
    }

    /// The canonical text (`FREQ=MONTHLY;INTERVAL=2;BYDAY=-1FR`), what the agenda stores and returns.
    var text: String {
        var parts = ["FREQ=\(frequency.rawValue)"]
        if interval != 1 { parts.append("INTERVAL=\(interval)") }
        if let count { parts.append("COUNT=\(count)") }
        switch until {
        case .date(let d)?: parts.append("UNTIL=" + d.description.replacingOccurrences(of: "-", with: ""))
        case .instant(let ms)?: parts.append("UNTIL=" + Self.utcText(ms))
        case nil: break
        }
        if !byMonthDay.isEmpty { parts.append("BYMONTHDAY=" + byMonthDay.map(String.init).joined(separator: ",")) }
        if !byDay.isEmpty {
            parts.append("BYDAY=" + byDay.map { ($0.ordinal == 0 ? "" : String($0.ordinal)) + Self.weekdayCodes[$0.weekday] }.joined(separator: ","))
        }
        return parts.joined(separator: ";")
    }

    /// A UTC instant as RFC 5545 writes it: `20270201T025959Z`.
    static func utcText(_ ms: Int64) -> String {
        let date = CivilDate(milliseconds: ms, offsetMinutes: 0)
        let seconds = Int((ms - date.milliseconds(offsetMinutes: 0)) / 1000)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return date.description.replacingOccurrences(of: "-", with: "") + "T" + two(seconds / 3600) + two(seconds / 60 % 60) + two(seconds % 60) + "Z"
    }

    /// The dates of the rule starting on `start`, from `from` through `through` (inclusive), in
    /// order; `UNTIL` as a date applies here, as an instant the caller applies it to each
    /// occurrence's start.
    func dates(start: CivilDate, from: CivilDate, through: CivilDate) -> [CivilDate] {
        var last = through
        if case .date(let u)? = until, u < last { last = u }
        guard last >= start, last >= from else { return [] }
        var out: [CivilDate] = []
        var matched = 0
        // Without COUNT the periods before the window can be skipped; with it each is counted.
        var period = count == nil ? firstPeriod(start: start, reaching: max(from, start)) : 0
        let startNumber = start.dayNumber, fromNumber = from.dayNumber, lastNumber = last.dayNumber
        while true {
            let days = candidates(period: period, start: start)
            guard !days.isEmpty, days.lowerBound <= lastNumber else { break }
            for number in max(days.lowerBound, startNumber)..<days.upperBound {
                if number > lastNumber { return out }
                let day = CivilDate(dayNumber: number)
                guard matches(day, start: start) else { continue }
                matched += 1
                if number >= fromNumber { out.append(day) }
                if let count, matched >= count { return out }
            }
            period += 1
        }
        return out
    }

    /// The first period index whose days may reach `date` (periods before it end earlier).
    private func firstPeriod(start: CivilDate, reaching date: CivilDate) -> Int {
        switch frequency {
        case .daily: return (date.dayNumber - start.dayNumber) / interval
        case .weekly: return (Self.monday(date).dayNumber - Self.monday(start).dayNumber) / 7 / interval
        case .monthly: return ((date.year - start.year) * 12 + date.month - start.month) / interval
        case .yearly: return (date.year - start.year) / interval
        }
    }

    private static func daysIn(year: Int) -> Int { CivilDate.daysIn(year: year, month: 2) == 29 ? 366 : 365 }

    /// The Monday of `date`'s week.
    private static func monday(_ date: CivilDate) -> CivilDate { date.adding(days: -((date.weekday + 6) % 7)) }

    /// The day numbers of period `p` (the day, the week from Monday, the month or the year).
    private func candidates(period p: Int, start: CivilDate) -> Range<Int> {
        switch frequency {
        case .daily:
            let n = start.dayNumber + p * interval
            return n..<(n + 1)
        case .weekly:
            let monday = Self.monday(start).dayNumber + 7 * p * interval
            return monday..<(monday + 7)
        case .monthly:
            let index = start.year * 12 + start.month - 1 + p * interval
            let (year, month) = (index / 12, index % 12 + 1)
            guard year <= 9999 else { return 0..<0 }
            let first = CivilDate(year: year, month: month, day: 1)!.dayNumber
            return first..<(first + CivilDate.daysIn(year: year, month: month))
        case .yearly:
            let year = start.year + p * interval
            guard year <= 9999 else { return 0..<0 }
            let first = CivilDate(year: year, month: 1, day: 1)!.dayNumber
            return first..<(first + Self.daysIn(year: year))
        }
    }

    /// Whether `day`, a candidate of its period, is an occurrence.
    private func matches(_ day: CivilDate, start: CivilDate) -> Bool {
        if byMonthDay.isEmpty && byDay.isEmpty {
            switch frequency {
            case .daily: return true
            case .weekly: return day.weekday == start.weekday
            case .monthly: return day.day == start.day
            case .yearly: return day.month == start.month && day.day == start.day
            }
        }
        if !byMonthDay.isEmpty {
            let length = CivilDate.daysIn(year: day.year, month: day.month)
            guard byMonthDay.contains(where: { $0 > 0 ? day.day == $0 : day.day == length + $0 + 1 }) else { return false }
        }
        if !byDay.isEmpty {
            let weekday = day.weekday
            guard byDay.contains(where: { entry in
                guard entry.weekday == weekday else { return false }
                if entry.ordinal == 0 { return true }
                let (index, length): (Int, Int)
                if frequency == .yearly {
                    let jan1 = CivilDate(year: day.year, month: 1, day: 1)!.dayNumber
                    index = day.dayNumber - jan1
                    length = Self.daysIn(year: day.year)
                } else {
                    index = day.day - 1
                    length = CivilDate.daysIn(year: day.year, month: day.month)
                }
                return entry.ordinal > 0 ? index / 7 + 1 == entry.ordinal : -((length - 1 - index) / 7 + 1) == entry.ordinal
            }) else { return false }
        }
        return true
    }
}
