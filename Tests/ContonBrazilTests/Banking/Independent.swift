@testable import ContonBrazil

/// Check-digit and CRC rules written again, differently from the library (explicit weight
/// tables, character loops, bitwise CRC), so the tests do not judge the code by itself.
enum Independent {
    static func ints(_ s: String) -> [Int] { s.compactMap { $0.wholeNumberValue } }

    /// FEBRABAN mod 10, reading left to right with the weight chosen by distance from the end.
    static func mod10(_ s: String) -> Int {
        let d = ints(s)
        var total = 0
        for i in 0..<d.count {
            let weight = (d.count - i) % 2 == 1 ? 2 : 1
            let product = d[i] * weight
            total += product > 9 ? product - 9 : product
        }
        let r = total % 10
        return r == 0 ? 0 : 10 - r
    }

    /// The barcode's general digit over the 43 other digits.
    static func barcodeDV(_ barcode44: String) -> Int {
        var d = ints(barcode44)
        d.remove(at: 4)
        let weights = [4, 3, 2, 9, 8, 7, 6, 5]   // weights from the left for 43 digits: 4,3,2,9,8,7,6,5,4,…
        var sum = 0
        for (i, v) in d.enumerated() { sum += v * weights[i % 8] }
        let dv = 11 - sum % 11
        return dv > 9 ? 1 : (dv == 0 ? 1 : dv)
    }

    /// Sicoob 3197 over cooperativa (4) + cliente (10) + sequence (7).
    static func sicoobDV(cooperative: String, client: String, sequence: String) -> Int {
        let text = String(repeating: "0", count: 4 - cooperative.count) + cooperative
            + String(repeating: "0", count: 10 - client.count) + client
            + String(repeating: "0", count: 7 - sequence.count) + sequence
        let constant = "319731973197319731973"
        var sum = 0
        for (a, b) in zip(ints(text), ints(constant)) { sum += a * b }
        switch sum % 11 {
        case 0, 1: return 0
        case let r: return 11 - r
        }
    }

    /// CRC-16/CCITT-FALSE, bit by bit.
    static func crc16(_ text: String) -> String {
        var crc: UInt32 = 0xFFFF
        for byte in text.utf8 {
            for bit in (0..<8).reversed() {
                let inBit = (UInt32(byte) >> UInt32(bit)) & 1
                let top = (crc >> 15) & 1
                crc = (crc << 1) & 0xFFFF
                if top ^ inBit == 1 { crc ^= 0x1021 }
            }
        }
        let hex = String(crc, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - hex.count) + hex
    }

    /// Characters `from`…`to` (1-based, inclusive) of a CNAB line.
    static func field(_ line: String, _ from: Int, _ to: Int) -> String {
        let c = Array(line)
        return String(c[(from - 1)...(to - 1)])
    }
}

/// Shared fixtures.
enum Fixture {
    static func date(_ s: String) -> BankDate { (try? BankDate(s)) ?? DueDateFactor.baseDate }

    /// Banco do Brasil agreement of brcobranca's spec (agência 4042-8, conta 61900-0, convênio 1238798).
    static let bb = BankSettings(bankCode: "001", agency: "4042", agencyDigit: "8", account: "61900", accountDigit: "0",
                                 wallet: "18", walletVariation: "019", beneficiaryCode: "1238798")
    /// A Sicoob agreement (cooperativa 3069, cliente 225, as in python-boleto's test).
    static let sicoob = BankSettings(bankCode: "756", agency: "3069", agencyDigit: "0", account: "84725", accountDigit: "1",
                                     wallet: "1", beneficiaryCode: "225", modality: "01")

    static func company(_ settings: BankSettings) throws -> BillingCompany {
        BillingCompany(taxID: try TaxID("11.222.333/0001-81"), name: "Contábil São João Ltda", settings: settings)
    }

    static func payer() throws -> Payer {
        Payer(name: "José da Conceição Araújo", taxID: try TaxID("529.982.247-25"), address: "Rua das Flores, 123 - apto 4",
              district: "Jardim Paulista", cep: try CEP("01310-100"), city: "São Paulo", uf: .sp)
    }
}
