import ContonAPI
import ContonKit
import DocumentsCapability
import FilesCapability
import GRDB
import GRPCCore

/// The protocol's two streams: an item's file (with its DOWNLOADED evidence entry) and the
/// comprovante de entrega (PDF through the documents plugin).
extension ProtocolsService {
    func downloadItemFile(request: Conton_Protocols_V1_DownloadItemFileRequest, response: RPCWriter<Conton_Documents_V1_DocumentChunk>,
                          context: ServerContext) async throws {
        var errors = FieldErrors()
        if request.protocolId.isEmpty { errors.add("protocol_id", "is required") }
        if request.itemId.isEmpty { errors.add("item_id", "is required") }
        try errors.check()
        guard let files = lifecycle.files else {
            throw ServiceError(.unimplemented, "item files need the files plugin, which this server does not run", reason: "FILES_PLUGIN_MISSING")
        }
        let scope = try ClientScope.current()
        let (item, file) = try await self.context.read { db -> (ProtocolStore.Item, FileFacts) in
            let row = try ProtocolStore.require(request.protocolId, scope: scope, in: db)
            let id: Int64 = row["id"]
            guard let item = try ProtocolStore.items(of: [id], in: db)[id]?.first(where: { $0.id == request.itemId }) else {
                throw ServiceError(.notFound, "protocol \(id) has no item \(request.itemId)",
                                   resource: ErrorDetails.Resource(type: "conton.protocols.v1.ProtocolItem", name: request.itemId))
            }
            guard !item.fileId.isEmpty else {
                throw ProtocolStore.failedPrecondition(id, "item '\(item.description)' of protocol \(id) has no file", reason: "ITEM_HAS_NO_FILE")
            }
            guard let file = try files.file(item.fileId, in: db), file.sha256 == item.fileSha256 else {
                throw ProtocolStore.failedPrecondition(id, "the file of item '\(item.description)' is no longer stored", reason: "PROTOCOL_FILE_GONE")
            }
            return (item, file)
        }
        var header = Conton_Documents_V1_DocumentHeader()
        header.contentType = file.contentType
        header.sha256 = file.sha256
        header.sizeBytes = file.size
        header.fileName = file.fileName
        var head = Conton_Documents_V1_DocumentChunk()
        head.header = header
        try await response.write(head)
        try await files.readContent(of: file, chunkBytes: IssuedFile.chunkBytes) { bytes in
            var chunk = Conton_Documents_V1_DocumentChunk()
            chunk.data = bytes
            try await response.write(chunk)
        }
        // The whole file went out and hashed to its SHA-256: that is the download the log records.
        let lifecycle = self.lifecycle, principal = context.principal
        try await self.context.write { m in
            let row = try ProtocolStore.require(request.protocolId, scope: scope, in: m.db)
            try lifecycle.downloaded(row, item: item, by: principal, in: &m)
        }
    }

    func printProtocolReceipt(request: Conton_Protocols_V1_PrintProtocolReceiptRequest, response: RPCWriter<Conton_Documents_V1_DocumentChunk>,
                              context: ServerContext) async throws {
        guard !request.protocolId.isEmpty else { throw FieldErrors.single("protocol_id", "is required") }
        guard let issuer = self.context.capabilities.optional((any DocumentIssuer).self) else {
            throw ServiceError(.unimplemented, "printing needs the documents plugin, which this server does not run",
                               reason: "DOCUMENTS_PLUGIN_MISSING")
        }
        let scope = try ClientScope.current()
        let clients = lifecycle.clients, today = self.today
        let receipt = try await self.context.read { db -> ProtocolReceipt in
            let row = try ProtocolStore.require(request.protocolId, scope: scope, in: db)
            let id: Int64 = row["id"]
            guard ProtocolStore.Status(rawValue: row["status"]) != .draft else {
                throw ProtocolStore.failedPrecondition(id, "protocol \(id) is a draft: nothing was delivered yet", reason: "PROTOCOL_NOT_SENT")
            }
            return ProtocolReceipt(protocol: try ProtocolStore.get(request.protocolId, scope: scope, clients: clients, today: today, in: db),
                                   entries: try EvidenceChain.entries(of: id, in: db),
                                   verification: try EvidenceChain.verify(id, count: row["evidence_count"], head: row["evidence_head"], in: db))
        }
        let file = try await issuer.issuePDF(receipt.document, about: DocumentSubject("protocol", receipt.protocol.id, clientID: receipt.protocol.clientId),
                                             for: context.principal)
        try await file.write(to: response)
    }
}
