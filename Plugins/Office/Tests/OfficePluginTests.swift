import ContonAPI
import ContonKit
import ContonStore
import ContonTesting
import Foundation
import GRDB
import GRPCCore
import OfficePlugin
import Testing

/// Meus Dados, in process (``withInProcessTestServer``: the host, SQLite, the interceptors, no
/// TLS, callers named per call). Only the invitation e-mail goes through the real server: it needs
/// the mail delivery that writes the `.eml` file, and a real client login.
@Suite struct OfficePluginTests {
    func fullProfile() -> Conton_Office_V1_OfficeProfile {
        var p = Conton_Office_V1_OfficeProfile()
        p.registration.legalName = "Contabilidade Exemplo Ltda"
        p.registration.tradeName = "Exemplo Contábil"
        p.registration.cnpj = "12.abc.345/01de-35"
        p.registration.address.street = "Av. Paulista"
        p.registration.address.number = "1000"
        p.registration.address.city = "São Paulo"
        p.registration.address.uf = "sp"
        p.registration.address.cep = "01310-100"
        p.registration.phone = "(11) 3333-4444"
        p.registration.email = "Contato@Exemplo.com.br"
        p.boleto.bankCode = "341"
        p.boleto.agency = "1234"
        p.boleto.account = "56789"
        p.boleto.accountDigit = "x"
        p.boleto.fineBasisPoints = 200
        p.boleto.monthlyInterestBasisPoints = 100
        p.accountant.name = "Maria Contadora"
        p.accountant.cpf = "529.982.247-25"
        p.accountant.crcNumber = "1SP123456/O-7"
        p.accountant.crcUf = "SP"
        p.pix.type = .email
        p.pix.value = "Pix@Exemplo.com.br"
        return p
    }

    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8)
        + [0, 0, 1, 44, 0, 0, 0, 120, 8, 6, 0, 0, 0] + [UInt8](repeating: 0, count: 64)
    static let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0, 16] + Array("JFIF".utf8) + [0, 1, 1, 0, 0, 1, 0, 1, 0, 0]
        + [0xFF, 0xC0, 0, 17, 8, 0, 50, 0, 200, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1] + [0xFF, 0xD9]

    @Test func adminSavesTheProfileNormalisedAndAudited() async throws {
        try await withInProcessTestServer(plugins: [OfficePlugin()]) { test in
            let office = Conton_Office_V1_Office.Client(wrapping: test.client)
            let owner = InProcessTestServer.as(.owner)
            #expect(try await office.getProfile(.init(), metadata: owner).profile.updatedAtMs == 0)
            var update = Conton_Office_V1_UpdateProfileRequest()
            update.profile = fullProfile()
            let saved = try await office.updateProfile(update, metadata: owner).profile
            #expect(saved.registration.cnpj == "12ABC34501DE35")
            #expect(saved.registration.address.cep == "01310100" && saved.registration.address.uf == "SP")
            #expect(saved.registration.phone == "+551133334444")
            #expect(saved.registration.email == "contato@exemplo.com.br")
            #expect(saved.accountant.cpf == "52998224725" && saved.boleto.accountDigit == "X")
            #expect(saved.pix.value == "pix@exemplo.com.br")
            #expect(saved.updatedAtMs > 0)
            #expect(try await office.getProfile(.init(), metadata: owner).profile == saved)
            let audited = try await test.host.database.pool.read { db in
                try String.fetchAll(db, sql: "SELECT method FROM host_audit WHERE entity_type = 'office_profile'")
            }
            #expect(audited == ["conton.office.v1.Office/UpdateProfile"])
        }
    }

    @Test func invalidFieldsAreAllNamedAndNothingIsWritten() async throws {
        try await withInProcessTestServer(plugins: [OfficePlugin()]) { test in
            let office = Conton_Office_V1_Office.Client(wrapping: test.client)
            let owner = InProcessTestServer.as(.owner)
            var update = Conton_Office_V1_UpdateProfileRequest()
            update.profile = fullProfile()
            update.profile.registration.cnpj = "12.ABC.345/01DE-36"
            update.profile.registration.address.cep = "123"
            update.profile.accountant.cpf = "111.111.111-11"
            update.profile.boleto.fineBasisPoints = 5000
            update.profile.pix.type = .phone
            update.profile.pix.value = "(11) 3333-4444"  // a landline cannot be a Pix key
            do {
                _ = try await office.updateProfile(update, metadata: owner)
                Issue.record("an invalid profile was saved")
            } catch let error as RPCError {
                #expect(error.code == .invalidArgument)
                for field in ["profile.registration.cnpj", "profile.registration.address.cep", "profile.accountant.cpf",
                              "profile.boleto.fine_basis_points", "profile.pix.value"] {
                    #expect(error.message.contains(field + ":"), "\(field) not named in \(error.message)")
                }
            }
            #expect(try await office.getProfile(.init(), metadata: owner).profile.updatedAtMs == 0)
        }
    }

    @Test func updateMaskChangesOnlyTheNamedFields() async throws {
        try await withInProcessTestServer(plugins: [OfficePlugin()]) { test in
            let office = Conton_Office_V1_Office.Client(wrapping: test.client)
            let owner = InProcessTestServer.as(.owner)
            var update = Conton_Office_V1_UpdateProfileRequest()
            update.profile = fullProfile()
            _ = try await office.updateProfile(update, metadata: owner)
            var partial = Conton_Office_V1_UpdateProfileRequest()
            partial.profile.registration.tradeName = "Novo Nome"
            partial.profile.boleto.bankCode = "001"
            partial.updateMask = ["registration.trade_name"]
            let saved = try await office.updateProfile(partial, metadata: owner).profile
            #expect(saved.registration.tradeName == "Novo Nome")
            #expect(saved.registration.legalName == "Contabilidade Exemplo Ltda")
            #expect(saved.boleto.bankCode == "341")  // not in the mask
            // A masked field absent from the request is cleared.
            partial.updateMask = ["pix"]
            partial.profile = .init()
            #expect(try await office.updateProfile(partial, metadata: owner).profile.hasPix == false)
            partial.updateMask = ["registration.nope", "logo"]
            do {
                _ = try await office.updateProfile(partial, metadata: owner)
                Issue.record("a bad mask was accepted")
            } catch let error as RPCError {
                #expect(error.code == .invalidArgument && error.message.contains("update_mask[0]") && error.message.contains("update_mask[1]"))
            }
        }
    }

    @Test func logoIsCheckedStoredDurablyAndReadBack() async throws {
        try await withInProcessTestServer(plugins: [OfficePlugin()]) { test in
            let office = Conton_Office_V1_Office.Client(wrapping: test.client)
            let owner = InProcessTestServer.as(.owner)
            await #expect(throws: RPCError.self) { try await office.getLogo(.init(), metadata: owner) }
            var set = Conton_Office_V1_SetLogoRequest()
            set.image = Self.png
            let png = try await office.setLogo(set, metadata: owner).logo
            #expect(png.contentType == "image/png" && png.width == 300 && png.height == 120 && png.sizeBytes == Int64(Self.png.count))
            let onDisk = BlobStore(dataDirectory: test.dataDirectory).path(for: png.sha256)
            #expect(FileManager.default.contents(atPath: onDisk).map([UInt8].init) == Self.png)
            set.image = Self.jpeg
            let jpeg = try await office.setLogo(set, metadata: owner).logo
            #expect(jpeg.contentType == "image/jpeg" && jpeg.width == 200 && jpeg.height == 50)
            #expect(try await office.getLogo(.init(), metadata: owner).image == Self.jpeg)
            for bad in [Array("GIF89a....".utf8), [UInt8](), [0xFF, 0xD8, 0xFF] + [UInt8](repeating: 0, count: (1 << 20))] {
                set.image = bad
                let error = await #expect(throws: RPCError.self) { try await office.setLogo(set, metadata: owner) }
                #expect(error?.code == .invalidArgument && error?.message.hasPrefix("image: ") == true)
            }
            #expect(try await office.getLogo(.init(), metadata: owner).logo.sha256 == jpeg.sha256)
        }
    }

    @Test func clientsSeeThePublicCardOnlyAndStaffCannotEdit() async throws {
        try await withInProcessTestServer(plugins: [OfficePlugin()]) { test in
            let office = Conton_Office_V1_Office.Client(wrapping: test.client)
            let owner = InProcessTestServer.as(.owner)
            var update = Conton_Office_V1_UpdateProfileRequest()
            update.profile = fullProfile()
            _ = try await office.updateProfile(update, metadata: owner)
            let client = InProcessTestServer.as(.client("c-1"))
            let card = try await office.getPublicCard(.init(), metadata: client).card
            #expect(card.tradeName == "Exemplo Contábil" && card.pix.value == "pix@exemplo.com.br" && card.accountantCrc == "1SP123456/O-7/SP")
            let error = await #expect(throws: RPCError.self) { try await office.getProfile(.init(), metadata: client) }
            #expect(error?.code == .permissionDenied)
        }
    }

    /// Through the real server: the mail worker writes the invitation as an `.eml` file.
    @Test func theInvitationEmailCarriesTheOfficesTradeName() async throws {
        try await withTestServer(plugins: [OfficePlugin()]) { test in
            let office = Conton_Office_V1_Office.Client(wrapping: test.client)
            let owner = TestServer.bearer(try await test.login())
            var update = Conton_Office_V1_UpdateProfileRequest()
            update.profile = fullProfile()
            _ = try await office.updateProfile(update, metadata: owner)
            let client = TestServer.bearer(try await test.clientLogin(clientID: "c-1", email: "cliente@example.com"))
            #expect(try await office.getPublicCard(.init(), metadata: client).card.tradeName == "Exemplo Contábil")
            // The invitation e-mail carried the office's trade name.
            let mail = try String(contentsOfFile: try #require(test.outboxFiles().last), encoding: .utf8)
            #expect(mail.contains("Exemplo Cont=C3=A1bil") || mail.contains("Exemplo Contábil"))
        }
    }
}
