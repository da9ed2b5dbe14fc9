import ContonKit
import Foundation

/// The office's time zone (America/Sao_Paulo by default): turns a civil date and a time of day
/// into an instant, daylight saving time included for the years Brazil had it.
struct OfficeZone: Sendable {
    let zone: TimeZone

    init(identifier: String) {
        self.zone = TimeZone(identifier: identifier) ?? TimeZone(secondsFromGMT: -3 * 3600)!
    }

    /// The UTC milliseconds of `minute` minutes after midnight of `date`, local time.
    func instant(_ date: CivilDate, minute: Int = 0) -> Int64 {
        let local = Int64(date.dayNumber) * 86_400 + Int64(minute) * 60
        // The offset at that local time: one guess from the offset at the local value read as UTC,
        // then once more at the corrected instant (the two agree except inside a DST change).
        var offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(local))))
        offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(local - offset))))
        return (local - offset) * 1000
    }

    /// The local date of an instant.
    func date(of milliseconds: Int64) -> CivilDate {
        let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000))
        return CivilDate(milliseconds: milliseconds, offsetMinutes: offset / 60)
    }
}
