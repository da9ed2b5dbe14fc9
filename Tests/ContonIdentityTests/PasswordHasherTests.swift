@testable import ContonIdentity
import Testing

@Suite struct PasswordHasherTests {
    @Test func hashesVerifyAndAreSaltedAndEncodeTheirParameters() async throws {
        let hasher = PasswordHasher.standard
        let a = await hasher.hash("correct horse 42"), b = await hasher.hash("correct horse 42")
        #expect(a != b)  // fresh salt each time
        #expect(a.hasPrefix("$scrypt$ln=15,r=8,p=1$"))
        #expect(await PasswordHasher.verify("correct horse 42", against: a))
        #expect(await !PasswordHasher.verify("correct horse 43", against: a))
        #expect(await !PasswordHasher.verify("correct horse 42", against: "$scrypt$ln=15,r=8,p=1$garbage"))
        // Old parameters keep verifying after the standard changes.
        let light = await PasswordHasher(logN: 10, r: 8, p: 1).hash("pässwörd ünïcode")
        #expect(await PasswordHasher.verify("pässwörd ünïcode", against: light))
    }

    @Test func matchesScryptTestVectorOfRFC7914() async throws {
        // RFC 7914 §12: P="password", S="NaCl", N=1024, r=8, p=16, dkLen=64.
        let expected = "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640"
        let encoded = "$scrypt$ln=10,r=8,p=16$" + Base64URL.encode(Array("NaCl".utf8)) + "$" + Base64URL.encode(Self.bytes(hex: expected))
        #expect(await PasswordHasher.verify("password", against: encoded))
        #expect(await !PasswordHasher.verify("passwore", against: encoded))
    }

    @Test func oneTimeCodesNormaliseAsPeopleTypeThem() {
        let code = Credentials.oneTimeCode()
        #expect(code.count == 24 && code.split(separator: "-").count == 5)
        #expect(Credentials.normalizeCode(code.lowercased()) == code.replacingOccurrences(of: "-", with: ""))
        #expect(Credentials.normalizeCode("0O1I-L000-0000-0000-0000") == "00111000000000000000")
        #expect(Credentials.normalizeCode("too short") == nil)
        #expect(Credentials.sessionToken() != Credentials.sessionToken())
    }

    static func bytes(hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var it = hex.makeIterator()
        while let h = it.next(), let l = it.next() { out.append(UInt8(String([h, l]), radix: 16)!) }
        return out
    }
}
