import ContonAPI
import ContonBrazil
import ContonKit
import ContonStore
import DocumentsCapability
import GRDB
import OfficeCapability

/// ``DocumentsCapability/DocumentIssuer`` over `documents_issued`: reads the letterhead, renders
/// off the cooperative pool, records the document with its audit row in one transaction.
struct Issuer: DocumentIssuer {
    let context: PluginContext

    func issuePDF(_ document: PrintedDocument, about subject: DocumentSubject, for principal: Principal) async throws -> IssuedFile {
        let office = try context.capabilities.office
        let letterhead = try await context.read { db in try Self.letterhead(office, in: db) }
        let code = VerificationCode.random()
        let stamp = DocumentStamp(code: code, issuedAtMilliseconds: context.clock.nowMilliseconds, issuedBy: principal.printedName)
        let rendered = try await BlockingWork.run(name: "conton-documents") {
            try PDFRenderer.render(document, letterhead: letterhead, stamp: stamp)
        }
        if rendered.logoLeftOut {
            context.logger.warning("documents: the office's logo cannot be decoded; rendered without it",
                                   metadata: ["kind": "\(document.kind)"])
        }
        let file = IssuedFile(bytes: rendered.bytes, sha256: SHA256.hex(rendered.bytes), contentType: "application/pdf",
                              fileName: document.fileName, verificationCode: code, pages: rendered.pages)
        try await record(file, kind: document.kind, title: document.title, subject: subject, principal: principal,
                         at: stamp.issuedAtMilliseconds)
        return file
    }

    func issueCSV(_ table: CSVTable, kind: String, title: String, fileName: String, about subject: DocumentSubject,
                  for principal: Principal) async throws -> IssuedFile {
        let bytes = try await BlockingWork.run(name: "conton-documents") { table.bytes }
        let file = IssuedFile(bytes: bytes, sha256: SHA256.hex(bytes), contentType: "text/csv; charset=utf-8",
                              fileName: fileName, verificationCode: VerificationCode.random(), pages: 0)
        try await record(file, kind: kind, title: title, subject: subject, principal: principal, at: context.clock.nowMilliseconds)
        return file
    }

    private func record(_ file: IssuedFile, kind: String, title: String, subject: DocumentSubject, principal: Principal,
                        at issuedAt: Int64) async throws {
        try await context.write { m in
            try m.db.execute(sql: """
                INSERT INTO documents_issued (code, sha256, kind, title, entity_type, entity_id, client_id, content_type, size_bytes,
                  pages, issued_at_ms, issued_by_kind, issued_by_id, issued_by_name)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [file.verificationCode, file.sha256, kind, title, subject.entityType, subject.entityID,
                                 subject.clientID, file.contentType, file.bytes.count, file.pages, issuedAt,
                                 principal.kind, principal.id, principal.printedName])
            let about = subject.entityID.isEmpty ? subject.entityType : "\(subject.entityType) \(subject.entityID)"
            m.audit("document", file.verificationCode, "issued \(kind) (\(about), \(file.contentType), \(file.bytes.count) bytes, sha256 \(file.sha256))")
        }
    }

    /// The office as the pages show it: trade name (else legal name), CNPJ, address, contacts, logo.
    static func letterhead(_ office: any OfficeProfileSource, in db: Database) throws -> Letterhead {
        guard let profile = try office.profile(in: db) else {
            return Letterhead(officeName: "Escritório de contabilidade", lines: ["Dados do escritório não preenchidos (Meus Dados)"])
        }
        let r = profile.registration
        var lines: [String] = []
        var first: [String] = []
        if !r.cnpj.isEmpty { first.append("CNPJ \(TaxID.formatted(r.cnpj))") }
        if !r.tradeName.isEmpty && !r.legalName.isEmpty && r.legalName != r.tradeName { first.append(r.legalName) }
        lines.append(first.joined(separator: " · "))
        let a = r.address
        lines.append(DocumentFormat.address(street: a.street, number: a.number, complement: a.complement, district: a.district,
                                            city: a.city, uf: a.uf, cep: a.cep))
        let phones = [r.phone, r.mobile].filter { !$0.isEmpty }.map { (try? BrazilianPhone($0).formatted) ?? $0 }
        lines.append((phones + [r.email, r.website]).filter { !$0.isEmpty }.joined(separator: " · "))
        var logo: Letterhead.Logo?
        if profile.hasLogo, let bytes = try office.logoImage(in: db) {
            logo = Letterhead.Logo(bytes: bytes, isJPEG: profile.logo.contentType == "image/jpeg",
                                   width: Int(profile.logo.width), height: Int(profile.logo.height))
        }
        let name = r.tradeName.isEmpty ? (r.legalName.isEmpty ? "Escritório de contabilidade" : r.legalName) : r.tradeName
        return Letterhead(officeName: name, lines: lines.filter { !$0.isEmpty }, logo: logo)
    }
}
