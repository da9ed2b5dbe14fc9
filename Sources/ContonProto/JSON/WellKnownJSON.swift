/// The well-known types whose proto3 JSON form is not an object of their fields.
enum WellKnownJSON {
    case timestamp, duration, fieldMask, wrapper

    init?(_ fullName: String) {
        switch fullName {
        case "google.protobuf.Timestamp": self = .timestamp
        case "google.protobuf.Duration": self = .duration
        case "google.protobuf.FieldMask": self = .fieldMask
        case "google.protobuf.DoubleValue", "google.protobuf.FloatValue", "google.protobuf.Int64Value",
             "google.protobuf.UInt64Value", "google.protobuf.Int32Value", "google.protobuf.UInt32Value",
             "google.protobuf.BoolValue", "google.protobuf.StringValue", "google.protobuf.BytesValue":
            self = .wrapper
        default: return nil
        }
    }

    /// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z in Unix seconds.
    static let minTimestampSeconds: Int64 = -62_135_596_800
    static let maxTimestampSeconds: Int64 = 253_402_300_799
    static let maxDurationSeconds: Int64 = 315_576_000_000

    // MARK: Timestamp

    /// RFC 3339 in UTC with 0, 3, 6 or 9 fractional digits.
    static func formatTimestamp(seconds: Int64, nanos: Int32, path: String) throws -> String {
        guard (minTimestampSeconds...maxTimestampSeconds).contains(seconds), (0..<1_000_000_000).contains(nanos) else {
            throw ProtoJSONError(.invalidValue, path: path, "Timestamp out of range (seconds \(seconds), nanos \(nanos))")
        }
        let days = floorDiv(seconds, 86_400)
        let secondOfDay = seconds - days * 86_400
        let (y, m, d) = civil(fromDays: days)
        let text = pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T" + pad(secondOfDay / 3600, 2) + ":"
            + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
        return text + fraction(nanos) + "Z"
    }

    static func parseTimestamp(_ text: String, path: String) throws -> (seconds: Int64, nanos: Int32) {
        let bad = ProtoJSONError(.invalidValue, path: path, "expected an RFC 3339 timestamp, e.g. \"1972-01-01T10:00:20.021Z\", got \"\(text)\"")
        let b = Array(text.utf8)
        func num(_ range: Range<Int>) throws -> Int64 {
            guard range.upperBound <= b.count, let v = Int64(String(decoding: b[range], as: UTF8.self)),
                  b[range].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { throw bad }
            return v
        }
        guard b.count >= 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":") else { throw bad }
        let (y, mo, d, h, mi, s) = (try num(0..<4), try num(5..<7), try num(8..<10), try num(11..<13), try num(14..<16), try num(17..<19))
        guard (1...12).contains(mo), d >= 1, d <= daysInMonth(y, mo), h < 24, mi < 60, s < 60 else { throw bad }
        var i = 19
        var nanos: Int64 = 0
        if b[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
            guard i > start, i - start <= 9 else { throw bad }
            nanos = try num(start..<i)
            for _ in 0..<(9 - (i - start)) { nanos *= 10 }
        }
        guard i < b.count else { throw bad }
        var offset: Int64 = 0
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            guard i + 6 == b.count, b[i + 3] == UInt8(ascii: ":") else { throw bad }
            let oh = try num((i + 1)..<(i + 3)), om = try num((i + 4)..<(i + 6))
            guard oh < 24, om < 60 else { throw bad }
            offset = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        }
        guard i == b.count else { throw bad }
        let seconds = days(fromCivil: y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset
        guard (minTimestampSeconds...maxTimestampSeconds).contains(seconds) else {
            throw ProtoJSONError(.invalidValue, path: path, "Timestamp \"\(text)\" out of range")
        }
        return (seconds, Int32(nanos))
    }

    // MARK: Duration

    static func formatDuration(seconds: Int64, nanos: Int32, path: String) throws -> String {
        guard (-maxDurationSeconds...maxDurationSeconds).contains(seconds), (-999_999_999...999_999_999).contains(nanos),
              !(seconds > 0 && nanos < 0), !(seconds < 0 && nanos > 0) else {
            throw ProtoJSONError(.invalidValue, path: path, "Duration out of range or with mixed signs (seconds \(seconds), nanos \(nanos))")
        }
        let negative = seconds < 0 || nanos < 0
        return (negative ? "-" : "") + String(seconds.magnitude) + fraction(Int32(nanos.magnitude)) + "s"
    }

    static func parseDuration(_ text: String, path: String) throws -> (seconds: Int64, nanos: Int32) {
        let bad = ProtoJSONError(.invalidValue, path: path, "expected a duration such as \"1.5s\", got \"\(text)\"")
        guard text.hasSuffix("s") else { throw bad }
        var body = Substring(text.dropLast())
        let negative = body.hasPrefix("-")
        if negative { body = body.dropFirst() }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit),
              let seconds = Int64(whole) else { throw bad }
        var nanos: Int64 = 0
        if parts.count == 2 {
            let frac = parts[1]
            guard !frac.isEmpty, frac.count <= 9, frac.allSatisfy(\.isASCIIDigit), let f = Int64(frac) else { throw bad }
            nanos = f
            for _ in 0..<(9 - frac.count) { nanos *= 10 }
        }
        guard seconds <= maxDurationSeconds else {
            throw ProtoJSONError(.invalidValue, path: path, "Duration \"\(text)\" out of range")
        }
        return negative ? (-seconds, Int32(-nanos)) : (seconds, Int32(nanos))
    }

    // MARK: helpers

    /// "", ".123", ".123456" or ".123456789": the fewest groups of three digits that are exact.
    private static func fraction(_ nanos: Int32) -> String {
        if nanos == 0 { return "" }
        if nanos % 1_000_000 == 0 { return "." + pad(Int64(nanos / 1_000_000), 3) }
        if nanos % 1_000 == 0 { return "." + pad(Int64(nanos / 1_000), 6) }
        return "." + pad(Int64(nanos), 9)
    }

    private static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    private static func daysInMonth(_ y: Int64, _ m: Int64) -> Int64 {
        switch m {
        case 2: (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    private static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
