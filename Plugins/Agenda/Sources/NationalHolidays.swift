import ContonKit

/// Brazil's national holidays and the federal *pontos facultativos* of any year (docs/AGENDA.md
/// cites the law of each).
enum NationalHolidays {
    /// One day of the national calendar.
    struct Day: Sendable, Hashable {
        var date: CivilDate
        var name: String
        /// nil for a holiday; the office setting that decides it for a *ponto facultativo*.
        var optionalPoint: OptionalPoint?
    }

    /// The *pontos facultativos* the office chooses to close on or not.
    enum OptionalPoint: String, Sendable, Hashable, CaseIterable {
        case carnivalMonday = "carnival_monday"
        case carnivalTuesday = "carnival_tuesday"
        case ashWednesday = "ash_wednesday"
        case corpusChristi = "corpus_christi"

        var name: String {
            switch self {
            case .carnivalMonday: "Carnaval (segunda-feira)"
            case .carnivalTuesday: "Carnaval (terça-feira)"
            case .ashWednesday: "Quarta-feira de Cinzas"
            case .corpusChristi: "Corpus Christi"
            }
        }

        /// Days from Easter Sunday.
        var fromEaster: Int {
            switch self {
            case .carnivalMonday: -48
            case .carnivalTuesday: -47
            case .ashWednesday: -46
            case .corpusChristi: 60
            }
        }

        /// Whether a new office is closed on it: Carnaval and Corpus Christi, as most offices
        /// (and the banks) are; Ash Wednesday's morning is worked.
        var closedByDefault: Bool { self != .ashWednesday }
    }

    /// Easter Sunday of `year` (Gregorian; the anonymous algorithm of Meeus, Jones and Butcher).
    static func easter(_ year: Int) -> CivilDate {
        let a = year % 19, b = year / 100, c = year % 100
        let d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4, k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return CivilDate(year: year, month: month, day: day)!
    }

    /// The fixed national holidays: (month, day, name, first year).
    static let fixed: [(month: Int, day: Int, name: String, since: Int)] = [
        (1, 1, "Confraternização Universal", 1),
        (4, 21, "Tiradentes", 1),
        (5, 1, "Dia do Trabalho", 1),
        (9, 7, "Independência do Brasil", 1),
        (10, 12, "Nossa Senhora Aparecida", 1980),
        (11, 2, "Finados", 1),
        (11, 15, "Proclamação da República", 1),
        (11, 20, "Dia Nacional de Zumbi e da Consciência Negra", 2024),
        (12, 25, "Natal", 1),
    ]

    /// Every national holiday and federal *ponto facultativo* of `year`, in date order.
    static func days(of year: Int) -> [Day] {
        let easter = easter(year)
        var days = fixed.filter { year >= $0.since }.map { Day(date: CivilDate(year: year, month: $0.month, day: $0.day)!, name: $0.name) }
        days.append(Day(date: easter.adding(days: -2), name: "Sexta-feira da Paixão"))
        for point in OptionalPoint.allCases {
            days.append(Day(date: easter.adding(days: point.fromEaster), name: point.name, optionalPoint: point))
        }
        return days.sorted { $0.date < $1.date }
    }
}
