/// The Receita Federal's modulus-11 check digit, shared by CPF and CNPJ.
enum Mod11 {
    /// Σ value×weight mod 11; remainder 0 or 1 gives 0, any other r gives 11 − r.
    static func digit(_ values: [Int], weights: [Int]) -> Int {
        precondition(values.count == weights.count)
        var sum = 0
        for (v, w) in zip(values, weights) { sum += v * w }
        let r = sum % 11
        return r < 2 ? 0 : 11 - r
    }

    /// Both check digits of `values`: the first over `values` with `first`, the second over
    /// `values` + the first digit with `second`.
    static func digits(_ values: [Int], first: [Int], second: [Int]) -> (Int, Int) {
        let d1 = digit(values, weights: first)
        let d2 = digit(values + [d1], weights: second)
        return (d1, d2)
    }
}
