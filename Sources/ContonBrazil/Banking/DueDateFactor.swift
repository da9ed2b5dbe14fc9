/// FEBRABAN's *fator de vencimento*: the due date as 4 digits of the barcode.
///
/// The factor counts days since 1997-10-07 (factor 1000 = 2000-07-03, 9999 = 2025-02-21).
/// When it reached 9999, FEBRABAN restarted it: 2025-02-22 is factor 1000 again, and it counts up
/// to 9999 on 2049-10-13, restarts at 1000 on 2049-10-14, and so on every 9000 days. So a factor
/// names one date per 9000-day cycle; ``date(forFactor:near:)`` picks the one nearest a
/// reference date (the day a line is read), as ContonBrazil's ``BoletoLine`` does.
public enum DueDateFactor {
    /// 1997-10-07, the day the factor counts from.
    public static let baseDate: BankDate = BankDate(dayNumber: 10_141)

    /// The first day of the second cycle, 2025-02-22 (factor 1000).
    public static let firstRestart: BankDate = baseDate.adding(days: 10_000)

    /// The factor (1000…9999) of `date`, for issuing a boleto.
    /// - Throws: ``BoletoError/dueDateOutOfRange(date:)`` before 2000-07-03.
    public static func factor(for date: BankDate) throws(BoletoError) -> Int {
        let days = date.days(since: baseDate)
        if days < 1000 { throw .dueDateOutOfRange(date: date) }
        if days <= 9999 { return days }
        return (days - 10_000) % 9000 + 1000
    }

    /// The date of `factor` nearest to `reference` among its cycles (on a tie, the later one).
    /// - Throws: ``BoletoError/factorOutOfRange(factor:)`` outside 1000…9999.
    public static func date(forFactor factor: Int, near reference: BankDate) throws(BoletoError) -> BankDate {
        guard (1000...9999).contains(factor) else { throw .factorOutOfRange(factor: factor) }
        let first = baseDate.adding(days: factor)
        let distance = reference.days(since: first)
        guard distance >= 4500 else { return first }
        return first.adding(days: (distance + 4500) / 9000 * 9000)
    }
}
