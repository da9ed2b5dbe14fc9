import Foundation
import Testing
@testable import ContonBrazil

/// Pix BR Codes. The published payload is the Banco Central's example from the *Manual do BR
/// Code* (random key 123e4567-e12b-12d1-a456-426655440000, "Fulano de Tal", BRASILIA, CRC 1D3D),
/// as quoted in many open-source tests (found by `find_string` in the public code corpus, e.g. a
/// test titled "gera exatamente o exemplo do manual do BR Code"). CRCs are re-checked by
/// ``Independent/crc16(_:)`` (bitwise, unlike the library's table).
@Suite struct PixTests {
    static let bcbExample = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR"
        + "5913Fulano de Tal6008BRASILIA62070503***63041D3D"

    @Test func crcOfTheCheckString() {
        // CRC-16/CCITT-FALSE's standard check value: "123456789" → 29B1.
        #expect(CRC16.hex("123456789") == "29B1")
        #expect(Independent.crc16("123456789") == "29B1")
    }

    @Test func parsesThePublishedExample() throws {
        let code = try PixBRCode(parsing: Self.bcbExample)
        #expect(code.fields.map(\.id) == ["00", "26", "52", "53", "58", "59", "60", "62", "63"])
        #expect(code["26"]?.children.map(\.id) == ["00", "01"])
        #expect(code.key == "123e4567-e12b-12d1-a456-426655440000")
        #expect(code.merchantName == "Fulano de Tal")
        #expect(code.merchantCity == "BRASILIA")
        #expect(code.txid == "***")
        #expect(code.amountCents == 0)
        #expect(code["63"]?.value == "1D3D")
        #expect(Independent.crc16(String(Self.bcbExample.dropLast(4))) == "1D3D")
    }

    @Test func buildsTheExampleFieldByField() throws {
        let key = try PixKey(type: .random, value: "123e4567-e12b-12d1-a456-426655440000")
        let p = try PixPayload(key: key, merchantName: "Fulano de Tal", merchantCity: "Brasília")
        // Same layout as the manual's example; the name is upper-cased by the folding.
        let expectedBody = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR"
            + "5913FULANO DE TAL6008BRASILIA62070503***6304"
        #expect(p.text.hasPrefix(expectedBody))
        #expect(String(p.text.suffix(4)) == Independent.crc16(expectedBody))
        let back = try PixBRCode(parsing: p.text)
        #expect(back.merchantName == "FULANO DE TAL")
        #expect(back.key == key.value)
    }

    @Test func amountTxidInfoAndFolding() throws {
        let key = try PixKey(type: .email, value: "Financeiro@Escritorio.com.br")
        let p = try PixPayload(key: key, merchantName: "Escritório Contábil Conceição & Filhos Associados",
                               merchantCity: "São José dos Campos", amountCents: 123_450, txid: "FAT2025000123",
                               info: "Honorários março")
        let code = try PixBRCode(parsing: p.text)
        #expect(code["00"]?.value == "01")
        #expect(code["26"]?["00"]?.value == "br.gov.bcb.pix")
        #expect(code["26"]?["01"]?.value == "financeiro@escritorio.com.br")
        #expect(code["26"]?["02"]?.value == "HONORARIOS MARCO")
        #expect(code["52"]?.value == "0000")
        #expect(code["53"]?.value == "986")
        #expect(code["54"]?.value == "1234.50")
        #expect(code.amountCents == 123_450)
        #expect(code["58"]?.value == "BR")
        #expect(code.merchantName == "ESCRITORIO CONTABIL CONCE")   // 25 characters
        #expect(code.merchantName?.count == 25)
        #expect(code.merchantCity == "SAO JOSE DOS CA")             // 15 characters
        #expect(code.txid == "FAT2025000123")
        #expect(String(p.text.suffix(4)) == Independent.crc16(String(p.text.dropLast(4))))
        #expect(p.text.contains("54071234.50"))
        // One centavo and a round amount.
        #expect(try PixPayload(key: key, merchantName: "A", merchantCity: "B", amountCents: 1).text.contains("54040.01"))
        #expect(try PixPayload(key: key, merchantName: "A", merchantCity: "B", amountCents: 4000).text.contains("540540.00"))
    }

    @Test func invalidKeysAndFields() throws {
        #expect(throws: PixError.unknownKeyType("IBAN")) {
            try PixPayload(keyType: "IBAN", keyValue: "x", merchantName: "A", merchantCity: "B")
        }
        let wrongType = try #require(throws: PixError.self) {
            try PixPayload(keyType: "CPF", keyValue: "fulano@exemplo.com", merchantName: "A", merchantCity: "B")
        }
        guard case .invalidKey(let cause) = wrongType else { Issue.record("\(wrongType)"); return }
        #expect(cause.subject == .pixKey)
        #expect(throws: PixError.self) {
            try PixPayload(keyType: "PHONE", keyValue: "(11) 2345-6789", merchantName: "A", merchantCity: "B")
        }
        let ok = try PixPayload(keyType: "cpf", keyValue: "529.982.247-25", merchantName: "A", merchantCity: "B")
        #expect(ok.key.value == "52998224725")
        let key = ok.key
        #expect(throws: PixError.invalidTxid("NF-123")) { try PixPayload(key: key, merchantName: "A", merchantCity: "B", txid: "NF-123") }
        #expect(throws: PixError.invalidTxid(String(repeating: "A", count: 26))) {
            try PixPayload(key: key, merchantName: "A", merchantCity: "B", txid: String(repeating: "A", count: 26))
        }
        #expect(throws: PixError.emptyField(name: "merchant name")) { try PixPayload(key: key, merchantName: " ", merchantCity: "B") }
        #expect(throws: PixError.invalidAmount(cents: -5)) { try PixPayload(key: key, merchantName: "A", merchantCity: "B", amountCents: -5) }
        #expect(throws: PixError.self) {
            try PixPayload(key: key, merchantName: "A", merchantCity: "B", info: String(repeating: "x", count: 80))
        }
    }

    @Test func parseErrors() throws {
        var wrongCRC = Self.bcbExample
        wrongCRC.removeLast()
        wrongCRC += "E"
        #expect(throws: PixError.crcMismatch(found: "1D3E", computed: "1D3D")) { try PixBRCode(parsing: wrongCRC) }
        // Length of field 59 says 14, so the rest no longer lines up.
        let shifted = Self.bcbExample.replacingOccurrences(of: "5913Fulano", with: "5914Fulano")
        #expect(throws: PixError.self) { try PixBRCode(parsing: shifted) }
        #expect(throws: PixError.malformed(position: 1, expected: "a 2-digit id and a 2-digit length (4 characters), found 3")) {
            try PixBRCode(parsing: "000")
        }
        let noCRC = String(Self.bcbExample.dropLast(8))
        #expect(throws: PixError.self) { try PixBRCode(parsing: noCRC) }
        #expect(throws: PixError.malformed(position: 3, expected: "a digit of a field length")) { try PixBRCode(parsing: "00A201") }
    }
}
