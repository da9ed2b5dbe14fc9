/// A civil date (proleptic Gregorian, no time zone) as banks print it: due dates, issue dates,
/// payment and credit dates.
///
/// ContOn's `CivilDate` lives in ContonKit, which this module does not depend on: this one is
/// parsed from and printed as `"YYYY-MM-DD"`, its arithmetic on ``CivilDay`` numbers. CNAB files
/// write it as `DDMMAAAA` (see ``cnab``).
public struct BankDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The year, 1…9999.
    public let year: Int
    /// The month, 1…12.
    public let month: Int
    /// The day of the month, 1…28/29/30/31.
    public let day: Int

    /// A checked date.
    /// - Throws: ``BankDateError`` when the month or day does not exist, or the year is outside 1…9999.
    public init(year: Int, month: Int, day: Int) throws(BankDateError) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...Self.daysIn(year: year, month: month)).contains(day) else {
            throw BankDateError(input: "\(year)-\(month)-\(day)", "no such date: year \(year), month \(month), day \(day)")
        }
        (self.year, self.month, self.day) = (year, month, day)
    }

    /// Parses `"YYYY-MM-DD"`.
    /// - Throws: ``BankDateError`` for any other shape or a date that does not exist.
    public init(_ iso: String) throws(BankDateError) {
        let s = Array(iso.unicodeScalars)
        let digitsAt = [0, 1, 2, 3, 5, 6, 8, 9]
        guard s.count == 10, s[4] == "-", s[7] == "-", digitsAt.allSatisfy({ ("0"..."9").contains(s[$0]) }) else {
            throw BankDateError(input: iso, "a date must be written YYYY-MM-DD, not '\(iso)'")
        }
        func n(_ r: Range<Int>) -> Int { r.reduce(0) { $0 * 10 + Int(s[$1].value) - 48 } }
        do throws(BankDateError) {
            try self.init(year: n(0..<4), month: n(5..<7), day: n(8..<10))
        } catch {
            throw BankDateError(input: iso, "'\(iso)' is not a date that exists")
        }
    }

    /// The date `dayNumber` days after 1970-01-01 (negative: before).
    init(dayNumber n: Int) {
        (year, month, day) = CivilDay.components(n)
    }

    /// Days since 1970-01-01.
    var dayNumber: Int { CivilDay.number(year: year, month: month, day: day) }

    /// The date `days` later (earlier when negative).
    public func adding(days: Int) -> BankDate { BankDate(dayNumber: dayNumber + days) }

    /// Days from `other` to this date (positive when this date is later).
    public func days(since other: BankDate) -> Int { dayNumber - other.dayNumber }

    /// `"YYYY-MM-DD"`.
    public var description: String { "\(Self.pad(year, 4))-\(Self.pad(month, 2))-\(Self.pad(day, 2))" }

    /// `DDMMAAAA`, the CNAB form.
    public var cnab: String { Self.pad(day, 2) + Self.pad(month, 2) + Self.pad(year, 4) }

    /// Orders by day.
    public static func < (lhs: BankDate, rhs: BankDate) -> Bool { lhs.dayNumber < rhs.dayNumber }

    /// Decodes `"YYYY-MM-DD"`, validating it.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do throws(BankDateError) { try self.init(text) } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    /// Encodes `"YYYY-MM-DD"`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Parses a CNAB `DDMMAAAA`; nil for an invalid date (the caller reports it).
    static func cnab(_ s: String) -> BankDate? {
        guard s.count == 8, Digits.isDigits(s) else { return nil }
        let v = CheckDigit.values(s)
        return try? BankDate(year: v[4] * 1000 + v[5] * 100 + v[6] * 10 + v[7], month: v[2] * 10 + v[3], day: v[0] * 10 + v[1])
    }

    static func daysIn(year: Int, month: Int) -> Int { CivilDay.daysIn(year: year, month: month) }

    static func pad(_ v: Int, _ width: Int) -> String { CivilDay.pad(v, width) }
}

/// Why a ``BankDate`` or ``ClockTime`` could not be made.
public struct BankDateError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text (or numbers) given.
    public let input: String
    /// What is wrong, e.g. "a date must be written YYYY-MM-DD, not '10/05/2025'".
    public let description: String

    /// Makes an error.
    public init(input: String, _ description: String) {
        self.input = input
        self.description = description
    }
}

/// A time of day (hour, minute, second) for a CNAB file's generation time (`HHMMSS`).
public struct ClockTime: Sendable, Hashable, Codable, CustomStringConvertible {
    /// 0…23.
    public let hour: Int
    /// 0…59.
    public let minute: Int
    /// 0…59.
    public let second: Int

    /// A checked time.
    /// - Throws: ``BankDateError`` when a part is out of range.
    public init(hour: Int, minute: Int, second: Int = 0) throws(BankDateError) {
        guard (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second) else {
            throw BankDateError(input: "\(hour):\(minute):\(second)", "no such time of day: \(hour):\(minute):\(second)")
        }
        (self.hour, self.minute, self.second) = (hour, minute, second)
    }

    /// `HHMMSS`.
    public var cnab: String { BankDate.pad(hour, 2) + BankDate.pad(minute, 2) + BankDate.pad(second, 2) }

    /// `"HH:MM:SS"`.
    public var description: String { "\(BankDate.pad(hour, 2)):\(BankDate.pad(minute, 2)):\(BankDate.pad(second, 2))" }
}
