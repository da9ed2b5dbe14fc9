import ContonAPI
import ContonKit
import ContonStore
import ContonTesting
import DocumentsCapability
import DocumentsPlugin
import Foundation
import GRDB
import GRPCCore
import OfficePlugin
import Testing

/// Issued documents are recorded and `VerifyDocument` (public) answers for their code and for
/// the SHA-256 of their bytes — and for nothing else.
@Suite struct DocumentsPluginTests {
    static let staff = Principal.staff(StaffIdentity(userID: "u1", email: "maria@escritorio.example", name: "Maria Souza", role: .staff))
    static let receipt = PrintedDocument(kind: "receipt", title: "Recibo nº 7", fileName: "recibo-7.pdf", blocks: [
        .fields([PrintedField("Pagador", "João da Conceição")]),
        .paragraph("Recebemos a importância de R$ 1.234,56."),
    ])

    static func verify(_ test: InProcessTestServer, code: String? = nil, sha256: String? = nil) async throws -> Conton_Documents_V1_VerifyDocumentResponse {
        var request = Conton_Documents_V1_VerifyDocumentRequest()
        if let code { request.code = code }
        if let sha256 { request.sha256 = sha256 }
        // Public: no credentials at all.
        return try await Conton_Documents_V1_Documents.Client(wrapping: test.client).verifyDocument(request)
    }

    @Test func anIssuedPDFIsVerifiableByItsCodeAndItsBytesAndAChangedByteIsNot() async throws {
        try await withInProcessTestServer(plugins: [OfficePlugin(), DocumentsPlugin()]) { test in
            let issuer = try test.host.capabilities.documents
            let file = try await issuer.issuePDF(Self.receipt, about: DocumentSubject("receipt", "7", clientID: "c1"), for: Self.staff)
            #expect(file.contentType == "application/pdf" && file.pages == 1 && file.fileName == "recibo-7.pdf")
            #expect(file.sha256 == SHA256.hex(file.bytes))

            // The code as printed, as typed by someone (lower case, a space for the hyphen).
            let byCode = try await Self.verify(test, code: file.verificationCode.lowercased().replacingOccurrences(of: "-", with: " "))
            #expect(byCode.issued)
            #expect(byCode.document.kind == "receipt" && byCode.document.title == "Recibo nº 7" && byCode.document.pages == 1)
            #expect(byCode.document.sha256 == file.sha256 && byCode.document.verificationCode == file.verificationCode)
            #expect(byCode.document.sizeBytes == Int64(file.bytes.count) && byCode.document.contentType == "application/pdf")

            let bySHA = try await Self.verify(test, sha256: file.sha256.uppercased())
            #expect(bySHA == byCode)

            var changed = file.bytes
            changed[changed.count / 2] ^= 0x01
            #expect(try await Self.verify(test, sha256: SHA256.hex(changed)).issued == false)
            #expect(try await Self.verify(test, code: "ZZZZZ-ZZZZZ") == Conton_Documents_V1_VerifyDocumentResponse())

            // The printed code and the QR code agree with the record.
            let text = try await PopplerTools.text(file.bytes).joined().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
            #expect(text.contains("Código de verificação: \(file.verificationCode)"))
            #expect(text.contains("por Maria Souza"))
            #expect(try await PopplerTools.qrCodes(file.bytes) == [file.verificationCode])

            // Recorded with who asked, when, what about, and an audit row.
            let (row, audits) = try await test.host.database.pool.read { db in
                (try Row.fetchOne(db, sql: "SELECT * FROM documents_issued WHERE code = ?", arguments: [file.verificationCode]),
                 try String.fetchAll(db, sql: "SELECT summary FROM host_audit WHERE entity_type = 'document'"))
            }
            let recorded = try #require(row)
            let fields: [String] = ["entity_type", "entity_id", "client_id", "issued_by_kind", "issued_by_name"].map { recorded[$0] }
            #expect(fields == ["receipt", "7", "c1", "staff", "Maria Souza"])
            #expect(audits.count == 1 && audits[0].contains(file.sha256))
        }
    }

    @Test func aBadCodeOrHashIsInvalidArgumentNamingTheField() async throws {
        try await withInProcessTestServer(plugins: [OfficePlugin(), DocumentsPlugin()]) { test in
            let badCode = await rpcError { _ = try await Self.verify(test, code: "12") }
            #expect(badCode?.code == .invalidArgument && badCode?.details?.fieldViolations.map(\.field) == ["code"])
            let badHash = await rpcError { _ = try await Self.verify(test, sha256: "abc") }
            #expect(badHash?.code == .invalidArgument && badHash?.details?.fieldViolations.map(\.field) == ["sha256"])
            let neither = await rpcError { _ = try await Self.verify(test) }
            #expect(neither?.code == .invalidArgument)
        }
    }

    @Test func csvIsRecordedTooAndVerifiableByItsBytes() async throws {
        try await withInProcessTestServer(plugins: [OfficePlugin(), DocumentsPlugin()]) { test in
            let issuer = try test.host.capabilities.documents
            let csv = CSVTable(header: ["Cliente", "Valor"], rows: [["João", "1234,56"]])
            let file = try await issuer.issueCSV(csv, kind: "receivables-list", title: "Recebíveis", fileName: "recebiveis.csv",
                                                 about: DocumentSubject("receivables"), for: Self.staff)
            #expect(file.contentType == "text/csv; charset=utf-8" && file.bytes == csv.bytes && file.pages == 0)
            let verified = try await Self.verify(test, sha256: file.sha256)
            #expect(verified.issued && verified.document.kind == "receivables-list")
        }
    }

    @Test func theLetterheadShowsMeusDadosAndALogoCairoCannotDecodeIsLeftOut() async throws {
        try await withInProcessTestServer(plugins: [OfficePlugin(), DocumentsPlugin()]) { test in
            let office = Conton_Office_V1_Office.Client(wrapping: test.client)
            var update = Conton_Office_V1_UpdateProfileRequest()
            update.profile.registration.tradeName = "Conceição Contábil"
            update.profile.registration.legalName = "Conceição Serviços Contábeis Ltda"
            update.profile.registration.cnpj = "11222333000181"
            update.profile.registration.address.city = "São Paulo"
            update.profile.registration.address.uf = "SP"
            update.updateMask = ["registration"]
            _ = try await office.updateProfile(update, metadata: InProcessTestServer.as(.staff(role: .admin)))
            // A PNG whose header is sound (the office plugin accepts it) but whose data is not.
            var logo = Conton_Office_V1_SetLogoRequest()
            let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]
            let header: [UInt8] = Array("IHDR".utf8) + [0, 0, 0, 16, 0, 0, 0, 16, 8, 2, 0, 0, 0, 0xDE, 0xAD, 0xBE, 0xEF]
            logo.image = signature + header + [UInt8](repeating: 7, count: 40)
            _ = try await office.setLogo(logo, metadata: InProcessTestServer.as(.staff(role: .admin)))

            let file = try await test.host.capabilities.documents.issuePDF(Self.receipt, about: DocumentSubject("receipt", "7"), for: Self.staff)
            let text = try await PopplerTools.text(file.bytes).joined()
            #expect(text.contains("Conceição Contábil") && text.contains("CNPJ 11.222.333/0001-81"))
            #expect(text.contains("Conceição Serviços Contábeis Ltda") && text.contains("São Paulo/SP"))
            #expect(text.contains("Recibo nº 7"))
        }
    }
}
