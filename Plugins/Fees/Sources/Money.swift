import DocumentsCapability

/// Money in integer centavos: formatting and the rounding of late charges. Never floating point.
enum Money {
    /// The largest amount one field takes: 10 billion reais. Sums of up to 600,000 of them (the
    /// largest generation) stay far below `Int64.max`, so arithmetic on validated amounts never
    /// overflows.
    static let maxCents: Int64 = 1_000_000_000_000
    /// "R$ 1.234,56"; negative amounts "-R$ 1,00" (the documents' format, one implementation).
    static func formatted(_ cents: Int64) -> String { DocumentFormat.money(cents: cents) }

    /// `numerator / denominator` rounded half up (half away from zero for the non-negative
    /// amounts used here), computed in 128 bits so `amount × rate × days` cannot overflow.
    static func divideRoundingHalfUp(_ numerator: Int128, by denominator: Int128) -> Int64 {
        precondition(denominator > 0 && numerator >= 0)
        let q = numerator / denominator, r = numerator % denominator
        let rounded = r * 2 >= denominator ? q + 1 : q
        return rounded > Int128(Int64.max) ? Int64.max : Int64(rounded)
    }

    /// The fine (*multa*) on `balance` at `fineBasisPoints` (200 = 2 %), once, when late.
    static func fine(balance: Int64, fineBasisPoints: Int) -> Int64 {
        divideRoundingHalfUp(Int128(balance) * Int128(fineBasisPoints), by: 10_000)
    }

    /// Interest (*juros de mora*) pro rata die: `balance × monthly% × days / 30`.
    static func interest(balance: Int64, monthlyBasisPoints: Int, daysLate: Int) -> Int64 {
        divideRoundingHalfUp(Int128(balance) * Int128(monthlyBasisPoints) * Int128(daysLate), by: 300_000)
    }
}
