import ContonKit
import GRDB

/// Business days as the office counts them: weekends, the national holidays, the *pontos
/// facultativos* the office closes on and its own state and municipal holidays are not business
/// days (docs/AGENDA.md). The agenda plugin provides it; every call reads inside the caller's
/// transaction.
///
/// ```swift
/// public var requiredCapabilities: [any Any.Type] { [(any BusinessCalendar).self] }
/// let calendar = try context.capabilities.businessCalendar
/// let due = try calendar.adjust(CivilDate(year: 2026, month: 2, day: 20)!, .postpone, in: db)
/// ```
public protocol BusinessCalendar: Sendable {
    /// Whether the office works on `date`.
    func isBusinessDay(_ date: CivilDate, in db: Database) throws -> Bool
    /// The date `days` business days after `date` (before it for negative `days`; `date` itself
    /// for 0, even when it is not a business day).
    func addBusinessDays(_ days: Int, to date: CivilDate, in db: Database) throws -> CivilDate
    /// The holidays and closed days from `from` through `through`, in date order.
    func closedDays(from: CivilDate, through: CivilDate, in db: Database) throws -> [ClosedDay]
}

/// What a due date that falls on a day the office does not work becomes.
public enum NonBusinessDayRule: String, Sendable, Hashable, CaseIterable {
    /// The next business day (*prorrogado*).
    case postpone
    /// The business day before it (*antecipado*).
    case anticipate
}

/// A day that is not a business day for a reason other than the weekend.
public struct ClosedDay: Sendable, Hashable {
    public var date: CivilDate
    public var name: String
    public init(date: CivilDate, name: String) {
        self.date = date
        self.name = name
    }
}

extension BusinessCalendar {
    /// `date` itself when it is a business day, or the business day `rule` moves it to.
    public func adjust(_ date: CivilDate, _ rule: NonBusinessDayRule, in db: Database) throws -> CivilDate {
        var day = date
        // At most a few days: weekends plus holidays in a row (Carnaval) never reach 30.
        for _ in 0..<30 {
            if try isBusinessDay(day, in: db) { return day }
            day = day.adding(days: rule == .postpone ? 1 : -1)
        }
        return day
    }
}

extension Capabilities {
    /// The agenda plugin's ``BusinessCalendar`` (name `(any BusinessCalendar).self` in
    /// `requiredCapabilities`).
    public var businessCalendar: any BusinessCalendar {
        get throws(CapabilityError) { try require((any BusinessCalendar).self) }
    }
}
