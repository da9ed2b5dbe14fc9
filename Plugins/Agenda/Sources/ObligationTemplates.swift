import AgendaCapability

/// The obligation templates a new office starts with (docs/AGENDA.md cites each rule). Tax
/// regimes are `conton.clients.v1.TaxRegime` numbers: 1 MEI, 2 Simples Nacional, 3 Lucro
/// Presumido, 4 Lucro Real.
enum ObligationTemplates {
    struct Shipped: Sendable {
        var code: String
        var name: String
        var dueDay: Int
        var rule: NonBusinessDayRule
        var taxRegimes: [Int]
        var requiresEmployees: Bool
        var source: String
    }

    static let shipped: [Shipped] = [
        Shipped(code: "DAS", name: "DAS — Simples Nacional", dueDay: 20, rule: .postpone, taxRegimes: [1, 2], requiresEmployees: false,
                source: "LC 123/2006, art. 21, III; Resolução CGSN 140/2018, art. 40: dia 20 do mês subsequente; sem expediente bancário, o primeiro dia útil seguinte"),
        Shipped(code: "FGTS", name: "FGTS Digital (GFD)", dueDay: 20, rule: .anticipate, taxRegimes: [], requiresEmployees: true,
                source: "Lei 8.036/1990, art. 15, na redação da Lei 14.438/2022: até o dia 20 do mês seguinte; em dia não útil, antecipado para o dia útil anterior"),
        Shipped(code: "INSS", name: "Contribuições previdenciárias (DCTFWeb/DARF)", dueDay: 20, rule: .anticipate, taxRegimes: [2, 3, 4], requiresEmployees: true,
                source: "Lei 8.212/1991, art. 30, I, b: até o dia 20 do mês subsequente ao da competência, antecipado para o dia útil anterior quando não houver expediente bancário"),
        Shipped(code: "IRRF", name: "IRRF sobre a folha", dueDay: 20, rule: .anticipate, taxRegimes: [2, 3, 4], requiresEmployees: true,
                source: "Lei 11.196/2005, art. 70, I, d (redação da Lei 11.933/2009): até o último dia útil do segundo decêndio do mês subsequente"),
        Shipped(code: "PIS_COFINS", name: "PIS/Cofins", dueDay: 25, rule: .anticipate, taxRegimes: [3, 4], requiresEmployees: false,
                source: "Lei 11.933/2009 (MP 447/2008), que alterou a Lei 10.637/2002, art. 10, e a Lei 10.833/2003, art. 11: até o 25º dia do mês subsequente, antecipado se não for dia útil"),
    ]
}
