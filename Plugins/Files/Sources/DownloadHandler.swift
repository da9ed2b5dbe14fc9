import ContonAPI
import ContonKit
import ContonStore
import GRDB
import GRPCCore

/// `conton.files.v1.Files/Download`: the file's metadata, then its content in 1 MiB chunks from
/// the requested offset, re-hashed as it goes (DATA_LOSS at the end when it does not match).
/// A client's first complete download of a file the office sent records the read receipt.
struct DownloadHandler: Sendable {
    let storage: FilesStorage

    func handle(request: StreamingServerRequest<Conton_Files_V1_DownloadRequest>,
                context: ServerContext) async throws -> StreamingServerResponse<Conton_Files_V1_DownloadResponse> {
        let message = try await ServerRequest(stream: request).message
        guard !message.fileId.isEmpty else { throw FieldErrors.single("file_id", "is required") }
        let scope = try ClientScope.current()
        let principal = context.principal
        guard let file = try await storage.context.read({ db in try FileRecord.find(message.fileId, in: db) }) else {
            throw ServiceError(.notFound, "file not found", resource: ErrorDetails.Resource(type: "conton.files.v1.File", name: message.fileId))
        }
        try scope.check(file.clientId, "file")
        let offset = message.offset
        guard offset >= 0, offset <= file.size else {
            throw ServiceError(.outOfRange, "offset \(offset) is outside the file's \(file.size) bytes")
        }
        let storage = self.storage
        guard storage.blobs.size(of: file.sha256) == file.size else {
            storage.context.logger.error("files: a file's content is missing or has the wrong size", metadata: ["file_id": "\(file.id)", "sha256": "\(file.sha256)"])
            throw ServiceError(.dataLoss, "the stored content of file \(file.id) is missing or damaged")
        }
        return StreamingServerResponse { writer in
            let reader: Handoff<BlobStore.Reader>
            do {
                reader = try await BlockingWork.run(name: "conton-files-io") { Handoff(try BlobStore.Reader(store: storage.blobs, sha256: file.sha256, offset: offset)) }
            } catch {
                throw Self.corrupt(file, error, storage)
            }
            var head = Conton_Files_V1_DownloadResponse()
            head.metadata.file = file
            head.metadata.offset = offset
            try await writer.write(head)
            while true {
                try Task.checkCancellation()
                let bytes: [UInt8]
                do {
                    bytes = try reader.value.read(upTo: FilesSettings.chunkBytes)
                } catch {
                    throw Self.corrupt(file, error, storage)
                }
                if bytes.isEmpty { break }
                var chunk = Conton_Files_V1_DownloadResponse()
                chunk.chunk = bytes
                try await writer.write(chunk)
            }
            do {
                try reader.value.verify()
            } catch {
                throw Self.corrupt(file, error, storage)
            }
            if case .client(let client) = principal, file.direction == .officeToClient, file.readAtMs == 0 {
                try await Self.recordReceipt(file, client, storage.context)
            }
            return [:]
        }
    }

    private static func corrupt(_ file: Conton_Files_V1_File, _ error: any Error, _ storage: FilesStorage) -> ServiceError {
        storage.context.logger.error("files: a file's stored content is damaged", metadata: ["file_id": "\(file.id)", "sha256": "\(file.sha256)", "error": "\(error)"])
        return ServiceError(.dataLoss, "the stored content of file \(file.id) is damaged (\(error)); discard what was received")
    }

    /// The read receipt: the first complete download by the client, once.
    private static func recordReceipt(_ file: Conton_Files_V1_File, _ client: ClientIdentity, _ context: PluginContext) async throws {
        try await context.write { m in
            try m.db.execute(sql: "UPDATE files_file SET read_at_ms = ?, read_by_user_id = ? WHERE id = ? AND read_at_ms IS NULL",
                             arguments: [m.now, client.userID, file.id])
            guard m.db.changesCount > 0 else { return }
            m.audit("file", file.id, "read receipt: \(client.email) downloaded '\(file.fileName)'")
            try m.publish(FileRead(fileID: file.id, clientID: file.clientId, fileName: file.fileName, readAtMs: m.now,
                                   readerUserID: client.userID, readerEmail: client.email))
        }
    }
}
