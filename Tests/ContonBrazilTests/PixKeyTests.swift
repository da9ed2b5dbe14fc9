import Foundation
import Testing
@testable import ContonBrazil

/// Hand-checked Pix keys (Banco Central DICT rules).
@Suite struct PixKeyTests {

    @Test(arguments: [
        (PixKey.KeyType.cpf, "529.982.247-25", "52998224725"),
        (.cpf, "52998224725", "52998224725"),
        (.cnpj, "11.222.333/0001-81", "11222333000181"),
        (.cnpj, "12.abc.345/01de-35", "12ABC34501DE35"),
        (.email, "Fulano@Exemplo.com.BR", "fulano@exemplo.com.br"),
        (.email, " contato+pix@escritorio.com.br ", "contato+pix@escritorio.com.br"),
        (.phone, "(11) 98765-4321", "+5511987654321"),
        (.phone, "+5511987654321", "+5511987654321"),
        (.phone, "+55 21 99999-0000", "+5521999990000"),
        (.random, "123E4567-E89B-12D3-A456-426614174000", "123e4567-e89b-12d3-a456-426614174000"),
        (.random, " 7d9f0335-8dcc-4054-9bf9-0dbd61d36906 ", "7d9f0335-8dcc-4054-9bf9-0dbd61d36906"),
    ])
    func validKey(type: PixKey.KeyType, input: String, value: String) throws {
        let key = try PixKey(type: type, value: input)
        #expect(key.type == type)
        #expect(key.value == value)
        #expect(try PixKey(type: type, value: key.value) == key)
        #expect(try PixKey(inferring: input) == key)
    }

    @Test(arguments: [
        (PixKey.KeyType.cpf, "529.982.247-26", "CHECK_DIGITS"),
        (.cpf, "111.111.111-11", "REPEATED_DIGITS"),
        (.cpf, "11.222.333/0001-81", "LENGTH"),
        (.cnpj, "12.ABC.345/01DE-36", "CHECK_DIGITS"),
        (.email, "fulano", "FORMAT"),
        (.email, "a%b@x.com", "CHARACTERS"),
        (.email, "", "EMPTY"),
        (.phone, "(11) 2345-6789", "NOT_MOBILE"),
        (.phone, "+1 202 555 0100", "COUNTRY_CODE"),
        (.phone, "(20) 98765-4321", "AREA_CODE"),
        (.random, "123e4567e89b12d3a456426614174000", "FORMAT"),
        (.random, "123e4567-e89b-12d3-a456-42661417400g", "FORMAT"),
        (.random, "{123e4567-e89b-12d3-a456-426614174000}", "FORMAT"),
    ])
    func invalidKey(type: PixKey.KeyType, input: String, expected: String) throws {
        #expect(failureReason(try PixKey(type: type, value: input)) == expected)
        let error = try #require(throws: BrazilValidationError.self) { try PixKey(type: type, value: input) }
        #expect(error.subject == .pixKey)
        #expect(error.description.hasPrefix("Pix key: "))
    }

    @Test func emailKeyLength() throws {
        // 77 characters is the DICT's limit for e-mail keys.
        let at77 = String(repeating: "a", count: 64) + "@exemplo.com"  // 64 + 12 = 76
        #expect(try PixKey(type: .email, value: at77 + "b").value.count == 77)
        #expect(try PixKey(type: .email, value: "x" + at77.dropFirst().uppercased() + "b").value.count == 77)
        let longer = String(repeating: "a", count: 60) + "@exemplo.com.br.xy"  // 78
        #expect(try EmailAddress(longer).value.count == 78)
        let error = try #require(throws: BrazilValidationError.self) { try PixKey(type: .email, value: longer) }
        #expect(error.reason == .length)
        #expect(error.description == "Pix key: an e-mail key must have at most 77 characters, not 78")
    }

    @Test func inference() throws {
        #expect(try PixKey(inferring: "(11) 98765-4321").type == .phone)  // 11 digits, not a valid CPF
        #expect(try PixKey(inferring: "11987654321").type == .phone)
        #expect(try PixKey(inferring: "529.982.247-25").type == .cpf)
        #expect(try PixKey(inferring: "12ABC34501DE35").type == .cnpj)
        #expect(try PixKey(inferring: "011 98765-4321").type == .phone)
        #expect(failureReason(try PixKey(inferring: "")) == "EMPTY")
        #expect(failureReason(try PixKey(inferring: "abc")) == "FORMAT")
        #expect(failureReason(try PixKey(inferring: "20987654321")) == "CHECK_DIGITS")  // neither CPF nor phone
        // An 11-digit value valid both as a CPF and as a mobile number is read as a CPF.
        var both: CPF?
        for n in 0..<1000 where both == nil {
            let cpf = try CPF(base: "119" + String(format: "%06d", n))
            if (try? BrazilianPhone(cpf.digits)) != nil { both = cpf }
        }
        let cpf = try #require(both)
        #expect(try PixKey(inferring: cpf.digits).type == .cpf)
        #expect(try PixKey(type: .phone, value: cpf.digits).value == "+55" + cpf.digits)
    }

    @Test func codable() throws {
        let key = try PixKey(type: .random, value: "7D9F0335-8DCC-4054-9BF9-0DBD61D36906")
        let json = try JSONEncoder().encode(key)
        let object = try JSONSerialization.jsonObject(with: json) as? [String: String]
        #expect(object == ["type": "EVP", "value": "7d9f0335-8dcc-4054-9bf9-0dbd61d36906"])
        #expect(try JSONDecoder().decode(PixKey.self, from: json) == key)
        let bad = Data(#"{"type":"PHONE","value":"(11) 2345-6789"}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PixKey.self, from: bad) }
        #expect(PixKey.KeyType.allCases.map(\.rawValue) == ["CPF", "CNPJ", "EMAIL", "PHONE", "EVP"])
    }
}
