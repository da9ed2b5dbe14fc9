import BillingPlugin
import ClientsPlugin
import ContonAPI
import ContonBrazil
import ContonKit
import ContonTesting
import DocumentsPlugin
import FeesPlugin
import GRDB
import GRPCCore
import OfficePlugin
import Testing

/// The clients, office, documents, fees and billing plugins in process, called as the owner (a
/// client principal is named with `InProcessTestServer.as(.client(id))`).
struct BillingTest: Sendable {
    let grpc: GRPCClient<InProcessTestTransport>
    let host: PluginHost
    let owner: Metadata
    var billing: Conton_Billing_V1_Billing.Client<InProcessTestTransport> { .init(wrapping: grpc) }
    var receivables: Conton_Fees_V1_Receivables.Client<InProcessTestTransport> { .init(wrapping: grpc) }
    var clients: Conton_Clients_V1_Clients.Client<InProcessTestTransport> { .init(wrapping: grpc) }
    var office: Conton_Office_V1_Office.Client<InProcessTestTransport> { .init(wrapping: grpc) }

    static func run<R: Sendable>(_ body: (BillingTest) async throws -> R) async throws -> R {
        try await withInProcessTestServer(plugins: [ClientsPlugin(), OfficePlugin(), DocumentsPlugin(), FeesPlugin(), BillingPlugin()]) { test in
            try await body(BillingTest(grpc: test.client, host: test.host, owner: InProcessTestServer.as(.owner)))
        }
    }

    /// Banco do Brasil, convênio 1234567, carteira 17, agência 1234-3, conta 00012345-? (digits
    /// computed by the bank's mod 11 in `bbDigit`).
    static func bancoDoBrasil() -> Conton_Office_V1_BoletoSettings {
        var b = Conton_Office_V1_BoletoSettings()
        b.bankCode = "001"
        b.agency = "1234"
        b.agencyDigit = bbDigit("1234")
        b.account = "12345"
        b.accountDigit = bbDigit("00012345")
        b.wallet = "17"
        b.walletVariation = "019"
        b.beneficiaryCode = "1234567"
        b.fineBasisPoints = 200
        b.monthlyInterestBasisPoints = 100
        b.instructions = "Não receber após 30 dias do vencimento."
        return b
    }

    /// Banco do Brasil's agency/account digit: mod 11, weights 2…9 from the right; 10 → X, 11 → 0.
    static func bbDigit(_ digits: String) -> String {
        var sum = 0
        for (i, c) in digits.reversed().enumerated() { sum += Int(String(c))! * (2 + i % 8) }
        let d = 11 - sum % 11
        return d == 10 ? "X" : d == 11 ? "0" : String(d)
    }

    /// Meus Dados with a name, CNPJ, city, the given boleto settings and (optionally) a Pix key.
    func setOffice(boleto: Conton_Office_V1_BoletoSettings? = BillingTest.bancoDoBrasil(), pix: Bool = true) async throws {
        var p = Conton_Office_V1_OfficeProfile()
        p.registration.legalName = "Contabilidade Exemplo Ltda"
        p.registration.tradeName = "Exemplo Contábil"
        p.registration.cnpj = "11.222.333/0001-81"
        p.registration.address.street = "Avenida Paulista"
        p.registration.address.number = "1000"
        p.registration.address.city = "São Paulo"
        p.registration.address.uf = "SP"
        p.registration.address.cep = "01310100"
        if let boleto { p.boleto = boleto }
        if pix {
            p.pix.type = .cnpj
            p.pix.value = "11222333000181"
        }
        var update = Conton_Office_V1_UpdateProfileRequest()
        update.profile = p
        _ = try await office.updateProfile(update, metadata: owner)
    }

    /// A client (PF, the n-th test CPF), with an address unless `address` is false.
    func client(_ name: String, n: Int, address: Bool = true) async throws -> Conton_Clients_V1_Client {
        var c = Conton_Clients_V1_Client()
        c.personType = .individual
        c.name = name
        c.document = try CPF(base: String(200_000_000 + n)).digits
        c.email = "cliente\(n)@example.com"
        if address {
            c.address.street = "Rua das Flores"
            c.address.number = "\(10 + n)"
            c.address.district = "Centro"
            c.address.city = "Campinas"
            c.address.uf = "SP"
            c.address.cep = "13010000"
        }
        var request = Conton_Clients_V1_CreateClientRequest()
        request.client = c
        return try await clients.createClient(request, metadata: owner).client
    }

    func receivable(client: String, amount: Int64, dueInDays: Int = 10, description: String = "Honorários 12/2026") async throws
        -> Conton_Fees_V1_Receivable {
        var r = Conton_Fees_V1_CreateReceivableRequest()
        r.clientId = client
        r.amountCents = amount
        r.dueDate = CivilDate.today(SystemClock()).adding(days: dueInDays).description
        r.description = description
        return try await receivables.createReceivable(r, metadata: owner).receivable
    }

    func issue(_ receivableID: String, dueDate: String = "", key: String = "", as who: Metadata? = nil) async throws
        -> Conton_Billing_V1_IssueBoletoResponse {
        var r = Conton_Billing_V1_IssueBoletoRequest()
        r.receivableId = receivableID
        r.dueDate = dueDate
        r.idempotencyKey = key
        return try await billing.issueBoleto(r, metadata: who ?? owner)
    }

    func print(_ boletoID: String, as who: Metadata? = nil) async throws -> (Conton_Documents_V1_DocumentHeader, [UInt8]) {
        var r = Conton_Billing_V1_PrintBoletoRequest()
        r.boletoId = boletoID
        return try await billing.printBoleto(r, metadata: who ?? owner) { response in
            var header: Conton_Documents_V1_DocumentHeader?
            var bytes: [UInt8] = []
            for try await chunk in response.messages {
                switch chunk.part {
                case .header(let h): header = h
                case .data(let d): bytes += d
                case nil: break
                }
            }
            return (try #require(header), bytes)
        }
    }

    func exportRemessa(_ id: String = "") async throws -> (Conton_Billing_V1_Remessa, [UInt8]) {
        var r = Conton_Billing_V1_ExportRemessaRequest()
        r.remessaId = id
        return try await billing.exportRemessa(r, metadata: owner) { response in
            var header: Conton_Billing_V1_Remessa?
            var bytes: [UInt8] = []
            for try await chunk in response.messages {
                switch chunk.part {
                case .remessa(let h): header = h
                case .data(let d): bytes += d
                case nil: break
                }
            }
            return (try #require(header), bytes)
        }
    }

    func importRetorno(_ text: String, name: String = "retorno.ret") async throws -> Conton_Billing_V1_ImportRetornoResponse {
        let bytes = Array(text.utf8)
        return try await billing.importRetorno(request: StreamingClientRequest(metadata: owner) { writer in
            var first = Conton_Billing_V1_RetornoChunk()
            first.fileName = name
            try await writer.write(first)
            // In chunks of 1,000 bytes: lines cross chunk boundaries.
            for start in stride(from: 0, to: bytes.count, by: 1000) {
                var chunk = Conton_Billing_V1_RetornoChunk()
                chunk.data = Array(bytes[start..<min(start + 1000, bytes.count)])
                try await writer.write(chunk)
            }
        })
    }

    func count(_ sql: String, _ arguments: StatementArguments = []) async throws -> Int {
        try await host.database.pool.read { db in try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0 }
    }
}

/// Independent checks of what a boleto carries, written apart from ContonBrazil's code.
enum Independent {
    /// FEBRABAN's general check digit (position 5 of the bar code): mod 11 over the other 43
    /// digits, weights 2…9 from the right; 0, 10 and 11 become 1.
    static func generalDigit(_ barcode: String) -> Int {
        let digits = Array(barcode).enumerated().filter { $0.offset != 4 }.map { Int(String($0.element))! }
        var sum = 0, weight = 2
        for d in digits.reversed() {
            sum += d * weight
            weight = weight == 9 ? 2 : weight + 1
        }
        let r = 11 - sum % 11
        return r >= 10 ? 1 : r
    }

    /// The linha digitável's field digit: mod 10, weights 2, 1 from the right, products' digits summed.
    static func fieldDigit(_ field: String) -> Int {
        var sum = 0
        for (i, c) in field.reversed().enumerated() {
            let p = Int(String(c))! * (i % 2 == 0 ? 2 : 1)
            sum += p > 9 ? p - 9 : p
        }
        return (10 - sum % 10) % 10
    }

    /// Sicoob's nosso número digit over cooperativa (4) + cliente (10) + sequence (7): weights
    /// 3, 1, 9, 7 from the left; remainder 0 or 1 → 0, else 11 − remainder.
    static func sicoobDigit(_ digits: String) -> Int {
        let weights = [3, 1, 9, 7]
        let sum = digits.enumerated().reduce(0) { $0 + Int(String($1.element))! * weights[$1.offset % 4] }
        return sum % 11 < 2 ? 0 : 11 - sum % 11
    }

    /// CRC-16/CCITT-FALSE, bit by bit.
    static func crc16(_ text: String) -> String {
        var crc: UInt16 = 0xFFFF
        for byte in text.utf8 {
            crc ^= UInt16(byte) << 8
            for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        }
        let hex = String(crc, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - hex.count) + hex
    }

    /// The TLV fields of an EMV payload (id → value), top level.
    static func tlv(_ text: String) -> [(String, String)] {
        var out: [(String, String)] = []
        var rest = Substring(text)
        while rest.count >= 4 {
            let id = String(rest.prefix(2)), length = Int(rest.dropFirst(2).prefix(2))!
            out.append((id, String(rest.dropFirst(4).prefix(length))))
            rest = rest.dropFirst(4 + length)
        }
        return out
    }
}
