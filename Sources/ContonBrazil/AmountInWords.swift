/// Amounts in Brazilian reais written out in Portuguese words, as on a receipt (*valor por
/// extenso*): `120050` centavos → "mil e duzentos reais e cinquenta centavos".
///
/// Conventions (docs/BRAZIL.md explains each):
/// - Within a group of three digits, hundreds, tens and units are joined by "e":
///   "trezentos e quarenta e cinco"; 100 alone is "cem", 101–199 "cento e …".
/// - 1 000 is "mil", never "um mil"; "um milhão", "um bilhão", … take "um".
/// - Between groups: at **every** boundary between two consecutive non-zero groups, "e" when the
///   later group is below 100 or a round hundred ("mil e duzentos", "um milhão e quinhentos mil",
///   "dois mil e cinco", "nove milhões e setenta e seis mil, setecentos e quarenta", "um bilhão e
///   um milhão e mil e um"); a comma otherwise ("dois milhões, trezentos e quarenta e cinco mil,
///   seiscentos e setenta e oito").
/// - "de reais" when the reais are a whole number of millions (a round million, billion, …):
///   "um milhão de reais", "um bilhão e quinhentos milhões de reais"; otherwise "reais".
/// - "um real", "um centavo"; the reais and centavos parts are joined by "e"; no reais gives
///   "cinquenta centavos"; zero is "zero reais".
/// - Scales are the Brazilian short scale: mil, milhão, bilhão, trilhão, quatrilhão,
///   quintilhão (the largest `UInt64` reaches quintilhões). "dezesseis", "dezessete",
///   "dezenove", "quatorze" and "cinquenta" follow Brazilian spelling.
public enum AmountInWords {
    /// The amount `centavos` / 100 reais in words: "dois reais e um centavo".
    /// - Throws: ``BrazilValidationError`` (subject `.amount`, reason `RANGE`) for a negative amount.
    public static func reais(centavos: Int64) throws(BrazilValidationError) -> String {
        guard centavos >= 0 else {
            throw BrazilValidationError(.amount, .range, "amount must not be negative to be written in words")
        }
        let reais = UInt64(centavos / 100), cents = UInt64(centavos % 100)
        var parts: [String] = []
        if reais == 1 {
            parts.append("um real")
        } else if reais > 0 || cents == 0 {
            let de = reais >= 1_000_000 && reais % 1_000_000 == 0
            parts.append(cardinal(reais) + (de ? " de reais" : " reais"))
        }
        if cents == 1 {
            parts.append("um centavo")
        } else if cents > 0 {
            parts.append(cardinal(cents) + " centavos")
        }
        return parts.joined(separator: " e ")
    }

    /// A non-negative whole number in masculine Portuguese words, with the same joining rules:
    /// `0` → "zero", `1001` → "mil e um", `2_068_374` → "dois milhões e sessenta e oito mil,
    /// trezentos e setenta e quatro", `2_345_678` → "dois milhões, trezentos e quarenta e cinco
    /// mil, seiscentos e setenta e oito".
    public static func cardinal(_ n: UInt64) -> String {
        if n == 0 { return "zero" }
        var groups: [Int] = []  // least significant first
        var rest = n
        while rest > 0 {
            groups.append(Int(rest % 1000))
            rest /= 1000
        }
        var words: [(text: String, value: Int)] = []  // most significant first
        for scale in stride(from: groups.count - 1, through: 0, by: -1) where groups[scale] > 0 {
            let g = groups[scale]
            let text: String
            switch scale {
            case 0: text = group(g)
            case 1: text = g == 1 ? "mil" : group(g) + " mil"
            default:
                let (singular, plural) = scales[scale - 2]
                text = g == 1 ? "um " + singular : group(g) + " " + plural
            }
            words.append((text, g))
        }
        // Each boundary is decided by the group after it, wherever it stands: "e" before a group
        // below 100 or a round hundred, a comma before any other.
        var result = words[0].text
        for word in words.dropFirst() {
            let joinWithE = word.value < 100 || word.value % 100 == 0
            result += (joinWithE ? " e " : ", ") + word.text
        }
        return result
    }

    static let scales = [
        ("milhão", "milhões"), ("bilhão", "bilhões"), ("trilhão", "trilhões"),
        ("quatrilhão", "quatrilhões"), ("quintilhão", "quintilhões"),
    ]

    static let units = [
        "", "um", "dois", "três", "quatro", "cinco", "seis", "sete", "oito", "nove",
        "dez", "onze", "doze", "treze", "quatorze", "quinze", "dezesseis", "dezessete", "dezoito", "dezenove",
    ]
    static let tens = ["", "", "vinte", "trinta", "quarenta", "cinquenta", "sessenta", "setenta", "oitenta", "noventa"]
    static let hundreds = [
        "", "cento", "duzentos", "trezentos", "quatrocentos", "quinhentos",
        "seiscentos", "setecentos", "oitocentos", "novecentos",
    ]

    /// 1…999 in words.
    static func group(_ g: Int) -> String {
        if g == 100 { return "cem" }
        var parts: [String] = []
        if g >= 100 { parts.append(hundreds[g / 100]) }
        let r = g % 100
        if r >= 20 {
            parts.append(tens[r / 10])
            if r % 10 > 0 { parts.append(units[r % 10]) }
        } else if r > 0 {
            parts.append(units[r])
        }
        return parts.joined(separator: " e ")
    }
}
