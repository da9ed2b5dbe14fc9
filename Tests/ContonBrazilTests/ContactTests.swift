import Foundation
import Testing
@testable import ContonBrazil

/// Hand-checked tables for CEP, UF, phones and e-mail addresses.
@Suite struct ContactTests {

    // MARK: CEP

    @Test(arguments: [
        ("01310-100", "01310100", "01310-100"),
        ("01310100", "01310100", "01310-100"),
        ("01.310-100", "01310100", "01310-100"),
        (" 70040-010 ", "70040010", "70040-010"),
        ("01000-000", "01000000", "01000-000"),
        ("99999-999", "99999999", "99999-999"),
    ])
    func validCEP(input: String, digits: String, formatted: String) throws {
        let cep = try CEP(input)
        #expect(cep.digits == digits)
        #expect(cep.formatted == formatted)
        #expect(cep.description == formatted)
    }

    @Test(arguments: [
        ("", "EMPTY"), (" - ", "EMPTY"), ("01310-10", "LENGTH"), ("01310-1000", "LENGTH"),
        ("0131O-100", "CHARACTERS"), ("01310_100", "CHARACTERS"), ("00999-999", "RANGE"), ("00000-000", "RANGE"),
    ])
    func invalidCEP(input: String, expected: String) {
        #expect(failureReason(try CEP(input)) == expected)
    }

    // MARK: UF

    @Test func allStates() throws {
        #expect(UF.allCases.count == 27)
        #expect(Set(UF.allCases.map(\.code)).count == 27)
        #expect(Set(UF.allCases.map(\.ibgeCode)).count == 27)
        #expect(UF.sp.name == "São Paulo" && UF.sp.ibgeCode == 35)
        #expect(UF.df.name == "Distrito Federal" && UF.df.ibgeCode == 53)
        for uf in UF.allCases {
            #expect(try UF(uf.code) == uf)
            #expect(try UF(uf.code.lowercased()) == uf)
            #expect(try UF(uf.name) == uf)
            #expect(try UF(SearchKey.fold(uf.name).uppercased()) == uf)
        }
        #expect(try UF(" sao paulo ") == .sp)
        #expect(try UF("Amapa") == .ap)
        #expect(failureReason(try UF("XX")) == "UNKNOWN")
        #expect(failureReason(try UF("Rio Grande")) == "UNKNOWN")
        #expect(failureReason(try UF("  ")) == "EMPTY")
        #expect(try JSONDecoder().decode([UF].self, from: Data(#"["sp","RJ","Minas Gerais"]"#.utf8)) == [.sp, .rj, .mg])
        #expect(String(decoding: try JSONEncoder().encode([UF.sp]), as: UTF8.self) == #"["SP"]"#)
    }

    /// ANATEL's plan of area codes, typed out again here independently of UF.areaCodes.
    static let anatelAreaCodes: [Int] = [
        11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 24, 27, 28, 31, 32, 33, 34, 35, 37, 38,
        41, 42, 43, 44, 45, 46, 47, 48, 49, 51, 53, 54, 55, 61, 62, 63, 64, 65, 66, 67, 68, 69,
        71, 73, 74, 75, 77, 79, 81, 82, 83, 84, 85, 86, 87, 88, 89, 91, 92, 93, 94, 95, 96, 97, 98, 99,
    ]

    @Test func areaCodes() throws {
        #expect(Self.anatelAreaCodes.count == 67)
        #expect(BrazilianPhone.validAreaCodes == Set(Self.anatelAreaCodes))
        let all = UF.allCases.flatMap(\.areaCodes)
        #expect(all.count == 67, "a DDD listed under two states")
        for ddd in 10...99 {
            let number = "(\(ddd)) 98765-4321"
            if Self.anatelAreaCodes.contains(ddd) {
                #expect(try BrazilianPhone(number).areaCode == String(ddd))
            } else {
                #expect(failureReason(try BrazilianPhone(number)) == "AREA_CODE", "DDD \(ddd)")
            }
        }
        #expect(UF(areaCode: 61) == .df)
        #expect(UF(areaCode: 64) == .go)
        #expect(UF(areaCode: 99) == .ma)
        #expect(UF(areaCode: 20) == nil)
    }

    // MARK: Phones

    @Test(arguments: [
        ("(11) 98765-4321", "+5511987654321", "(11) 98765-4321", BrazilianPhone.Kind.mobile, UF.sp),
        ("+55 11 98765-4321", "+5511987654321", "(11) 98765-4321", .mobile, .sp),
        ("+55 (11) 9 8765-4321", "+5511987654321", "(11) 98765-4321", .mobile, .sp),
        ("5511987654321", "+5511987654321", "(11) 98765-4321", .mobile, .sp),
        ("11987654321", "+5511987654321", "(11) 98765-4321", .mobile, .sp),
        ("011 98765-4321", "+5511987654321", "(11) 98765-4321", .mobile, .sp),
        ("(11) 2345-6789", "+551123456789", "(11) 2345-6789", .landline, .sp),
        ("0 11 2345 6789", "+551123456789", "(11) 2345-6789", .landline, .sp),
        ("+55 61 3333.4444", "+556133334444", "(61) 3333-4444", .landline, .df),
        ("(21) 5555-1234", "+552155551234", "(21) 5555-1234", .landline, .rj),
        ("(99) 91234-5678", "+5599912345678", "(99) 91234-5678", .mobile, .ma),
        ("55 55 99123-4567", "+5555991234567", "(55) 99123-4567", .mobile, .rs),
        ("55991234567", "+5555991234567", "(55) 99123-4567", .mobile, .rs),
        ("555523456789", "+555523456789", "(55) 2345-6789", .landline, .rs),
        ("(55) 5523-4567", "+555555234567", "(55) 5523-4567", .landline, .rs),
        ("+55\u{00A0}(47)\u{00A0}3222-1100", "+554732221100", "(47) 3222-1100", .landline, .sc),
    ])
    func validPhone(input: String, e164: String, formatted: String, kind: BrazilianPhone.Kind, state: UF) throws {
        let phone = try BrazilianPhone(input)
        #expect(phone.e164 == e164)
        #expect(phone.formatted == formatted)
        #expect(phone.kind == kind)
        #expect(phone.state == state)
        #expect(try BrazilianPhone(phone.e164) == phone)
        #expect(try BrazilianPhone(phone.formatted) == phone)
    }

    @Test(arguments: [
        ("", "EMPTY"), ("( ) -", "EMPTY"),
        ("(11) 9876-543a", "CHARACTERS"), ("11 98765-4321 ramal 2", "CHARACTERS"), ("++5511987654321", "CHARACTERS"),
        ("11 98765+4321", "CHARACTERS"), ("(11) ９8765-4321", "CHARACTERS"),
        ("+1 202 555 0100", "COUNTRY_CODE"), ("+44 20 7946 0958", "COUNTRY_CODE"), ("+5", "COUNTRY_CODE"),
        ("+55", "LENGTH"), ("123", "LENGTH"), ("(11) 98765-43210", "LENGTH"), ("+55 11 9876-543", "LENGTH"), ("+55 11 98765-432", "FIRST_DIGIT"),
        ("(20) 98765-4321", "AREA_CODE"), ("(10) 2345-6789", "AREA_CODE"), ("(23) 3333-4444", "AREA_CODE"),
        ("0800 123 4567", "AREA_CODE"),
        ("(11) 8765-4321", "FIRST_DIGIT"), ("(11) 1234-5678", "FIRST_DIGIT"), ("(11) 6234-5678", "FIRST_DIGIT"),
        ("(11) 88765-4321", "FIRST_DIGIT"), ("(11) 08765-4321", "FIRST_DIGIT"),
    ])
    func invalidPhone(input: String, expected: String) {
        #expect(failureReason(try BrazilianPhone(input)) == expected, "\(input)")
    }

    @Test func phoneErrorDescriptions() throws {
        let ddd = try #require(throws: BrazilValidationError.self) { try BrazilianPhone("(20) 98765-4321") }
        #expect(ddd.subject == .phone)
        #expect(ddd.description == "20 is not a Brazilian area code (DDD)")
        let country = try #require(throws: BrazilValidationError.self) { try BrazilianPhone("+1 202 555 0100") }
        #expect(country.description.contains("+55"))
        #expect(try JSONEncoder().encode(BrazilianPhone("(11) 98765-4321")) == Data(#""+5511987654321""#.utf8))
    }

    // MARK: E-mail addresses

    @Test(arguments: [
        ("Joao.Silva@Exemplo.COM.br", "Joao.Silva@exemplo.com.br", "joao.silva@exemplo.com.br"),
        ("  fulano+tag@gmail.com ", "fulano+tag@gmail.com", "fulano+tag@gmail.com"),
        ("a@b.co", "a@b.co", "a@b.co"),
        ("o'brien@x.io", "o'brien@x.io", "o'brien@x.io"),
        ("user@sub-domain.example.com", "user@sub-domain.example.com", "user@sub-domain.example.com"),
        ("x@xn--caf-dma.com", "x@xn--caf-dma.com", "x@xn--caf-dma.com"),
        ("contato@123.com.br", "contato@123.com.br", "contato@123.com.br"),
        ("!#$%&'*+/=?^_`{|}~-@x.com", "!#$%&'*+/=?^_`{|}~-@x.com", "!#$%&'*+/=?^_`{|}~-@x.com"),
    ])
    func validEmail(input: String, value: String, normalized: String) throws {
        let email = try EmailAddress(input)
        #expect(email.value == value)
        #expect(email.normalized == normalized)
        #expect(try EmailAddress(email.value) == email)
    }

    @Test(arguments: [
        ("", "EMPTY"), ("   ", "EMPTY"),
        ("joao", "FORMAT"), ("joao@@x.com", "FORMAT"), ("a@b@c.com", "FORMAT"), ("@x.com", "FORMAT"),
        ("joao@", "FORMAT"), ("joao@localhost", "FORMAT"), (".joao@x.com", "FORMAT"), ("jo..ao@x.com", "FORMAT"),
        ("joao.@x.com", "FORMAT"), ("joao@-x.com", "FORMAT"), ("joao@x-.com", "FORMAT"), ("joao@x..com", "FORMAT"),
        ("joao@x.com.", "FORMAT"), ("joao@1.2.3.4", "FORMAT"),
        ("joão@x.com", "CHARACTERS"), ("jo ao@x.com", "CHARACTERS"), ("joao@[1.2.3.4]", "CHARACTERS"),
        ("jo(ao)@x.com", "CHARACTERS"), ("joao@exa_mple.com", "CHARACTERS"), ("\"joao\"@x.com", "CHARACTERS"),
        ("joao@x.com\n", "OK"), ("joao@\u{0}x.com", "CHARACTERS"),
    ])
    func invalidEmail(input: String, expected: String) {
        #expect(failureReason(try EmailAddress(input)) == expected, "\(input.debugDescription)")
    }

    @Test func emailLengths() throws {
        let local64 = String(repeating: "a", count: 64)
        #expect(try EmailAddress(local64 + "@x.com").localPart == local64)
        #expect(failureReason(try EmailAddress(local64 + "a@x.com")) == "LENGTH")
        let label63 = String(repeating: "b", count: 63)
        #expect(try EmailAddress("a@" + label63 + ".com").domain == label63 + ".com")
        #expect(failureReason(try EmailAddress("a@" + label63 + "b.com")) == "LENGTH")
        // 254 characters in all is the limit.
        let domain = [String](repeating: String(repeating: "c", count: 61), count: 4).joined(separator: ".")  // 247 characters
        #expect(try EmailAddress("abc@" + domain + ".br").value.count == 254)
        #expect(failureReason(try EmailAddress("abcd@" + domain + ".br")) == "LENGTH")
    }
}
