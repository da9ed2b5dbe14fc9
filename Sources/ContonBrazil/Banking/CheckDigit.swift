/// The check-digit arithmetic of bank billing (FEBRABAN and the banks' own rules).
///
/// ``BoletoLine`` reads lines with the same mod 10 and weights; the Receita Federal's mod 11 is
/// `Mod11`. The bank rules differ from it (0/10/11 → 1 for the barcode, 'X' for Banco do
/// Brasil, Sicoob's 3197 weights), so the variants live here. Every function takes ASCII digits
/// already validated by the caller.
enum CheckDigit {
    /// The values of an all-digit string (the caller has checked it).
    static func values(_ digits: String) -> [Int] {
        digits.unicodeScalars.map { Int($0.value) - 48 }
    }

    /// FEBRABAN module 10: weights 2, 1, 2, … from the right, the digits of each product summed;
    /// (10 − sum mod 10) mod 10. Used by the line's fields and by Itaú's DACs.
    static func mod10(_ digits: String) -> Int { mod10(values(digits)) }

    /// ``mod10(_:)-(String)`` over digit values.
    static func mod10(_ values: some BidirectionalCollection<Int>) -> Int {
        var sum = 0
        for (i, v) in values.reversed().enumerated() {
            let p = v * (i % 2 == 0 ? 2 : 1)
            sum += p / 10 + p % 10
        }
        return (10 - sum % 10) % 10
    }

    /// Σ digit × weight with weights 2…9 cycling from the right.
    static func weightedSum2to9(_ digits: String) -> Int { weightedSum2to9(values(digits)) }

    /// ``weightedSum2to9(_:)-(String)`` over digit values.
    static func weightedSum2to9(_ values: some BidirectionalCollection<Int>) -> Int {
        var sum = 0
        for (i, v) in values.reversed().enumerated() { sum += v * (2 + i % 8) }
        return sum
    }

    /// The barcode's general check digit: 11 − (sum mod 11) with weights 2…9 from the right;
    /// results 0, 10 and 11 become 1.
    static func barcodeMod11(_ digits: String) -> Int { barcodeMod11(values(digits)) }

    /// ``barcodeMod11(_:)-(String)`` over digit values (the 43 digits without the check digit).
    static func barcodeMod11(_ values: some BidirectionalCollection<Int>) -> Int {
        let d = 11 - weightedSum2to9(values) % 11
        return (d == 0 || d == 10 || d == 11) ? 1 : d
    }

    /// Banco do Brasil's agency/account digit: 11 − (sum mod 11), weights 2…9 from the right;
    /// 10 → "X", 11 → "0".
    static func bancoDoBrasil(_ digits: String) -> String {
        let d = 11 - weightedSum2to9(digits) % 11
        return d == 10 ? "X" : d == 11 ? "0" : String(d)
    }

    /// Sicoob's nosso número digit: cooperativa (4) + cliente (10) + sequence (7), weights
    /// 3, 1, 9, 7 repeated from the left; remainder r of the sum by 11: 0 or 1 → 0, else 11 − r.
    static func sicoob(cooperative: String, client: String, sequence: String) -> Int {
        let weights = [3, 1, 9, 7]
        let all = cooperative + String(repeating: "0", count: max(0, 10 - client.count)) + client
            + String(repeating: "0", count: max(0, 7 - sequence.count)) + sequence
        var sum = 0
        for (i, v) in values(all).enumerated() { sum += v * weights[i % 4] }
        let r = sum % 11
        return r < 2 ? 0 : 11 - r
    }
}
