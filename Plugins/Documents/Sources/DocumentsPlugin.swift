import ContonAPI
import ContonKit
import ContonStore
import DocumentsCapability
import GRDB
import GRPCCore
import OfficeCapability

/// Documents (plugin id `documents`): the verification record of every document ContOn renders,
/// the public `VerifyDocument`, and the ``DocumentsCapability/DocumentIssuer`` other plugins print
/// through (docs/DOCUMENTS.md). It reads Meus Dados (letterhead, logo) through the office
/// capability.
public struct DocumentsPlugin: Plugin {
    public init() {}

    public var id: String { "documents" }

    public var requiredCapabilities: [any Any.Type] { [(any OfficeProfileSource).self] }

    public func registerMigrations(_ migrations: inout PluginMigrations) {
        migrations.register("documents.1_issued") { db in
            try db.execute(sql: """
                CREATE TABLE documents_issued (
                  code TEXT PRIMARY KEY,
                  sha256 TEXT NOT NULL,
                  kind TEXT NOT NULL,
                  title TEXT NOT NULL,
                  entity_type TEXT NOT NULL,
                  entity_id TEXT NOT NULL,
                  client_id TEXT NOT NULL,
                  content_type TEXT NOT NULL,
                  size_bytes INTEGER NOT NULL,
                  pages INTEGER NOT NULL,
                  issued_at_ms INTEGER NOT NULL,
                  issued_by_kind TEXT NOT NULL,
                  issued_by_id TEXT NOT NULL,
                  issued_by_name TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX documents_issued_sha256 ON documents_issued (sha256);
                CREATE INDEX documents_issued_entity ON documents_issued (entity_type, entity_id);
                """)
        }
    }

    public func provideCapabilities(_ capabilities: inout CapabilityRegistrar, context: PluginContext) {
        capabilities.provide((any DocumentIssuer).self, Issuer(context: context))
    }

    public func registerServices(_ services: inout ServiceRegistrar, context: PluginContext) {
        services.register(DocumentsService(context: context))
    }
}

/// `conton.documents.v1.Documents`.
struct DocumentsService: Conton_Documents_V1_Documents.SimpleServiceProtocol {
    let context: PluginContext

    func verifyDocument(request: Conton_Documents_V1_VerifyDocumentRequest,
                        context: ServerContext) async throws -> Conton_Documents_V1_VerifyDocumentResponse {
        let sql: String, argument: String
        switch request.by {
        case .code(let typed)?:
            guard let code = VerificationCode.normalized(typed) else {
                throw FieldErrors.single("code", "is not a verification code: 10 letters and digits, as printed (K7QX2-M9PZ4)")
            }
            (sql, argument) = ("code = ?", code)
        case .sha256(let typed)?:
            let hex = typed.lowercased()
            guard hex.count == 64, hex.allSatisfy(\.isHexDigit) else {
                throw FieldErrors.single("sha256", "must be 64 hexadecimal digits")
            }
            (sql, argument) = ("sha256 = ?", hex)
        case nil:
            throw FieldErrors.single("code", "give the code printed on the document, or the sha256 of the file")
        }
        let document = try await self.context.read { db -> Conton_Documents_V1_IssuedDocument? in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT code, sha256, kind, title, content_type, size_bytes, pages, issued_at_ms
                FROM documents_issued WHERE \(sql) ORDER BY issued_at_ms LIMIT 1
                """, arguments: [argument]) else { return nil }
            var document = Conton_Documents_V1_IssuedDocument()
            document.kind = row["kind"]
            document.title = row["title"]
            document.issuedAtMs = row["issued_at_ms"]
            document.verificationCode = row["code"]
            document.sha256 = row["sha256"]
            document.contentType = row["content_type"]
            document.sizeBytes = row["size_bytes"]
            document.pages = row["pages"]
            return document
        }
        var response = Conton_Documents_V1_VerifyDocumentResponse()
        guard let document else { return response }
        response.issued = true
        response.document = document
        return response
    }
}
