import ClientsCapability
import ContonAPI
import ContonKit
import ContonStore
import Foundation
import GRDB
import GRPCCore

/// `conton.files.v1.Files/Upload`: validates the metadata message, opens (or reopens) the upload,
/// answers its id in the `upload-id` header at once, then streams the chunks to the `.part` file
/// while hashing, and at the end stores the content and commits the file's row.
struct UploadHandler: Sendable {
    let storage: FilesStorage

    /// The response header that carries the upload's id (for GetUploadStatus and resuming).
    static let uploadIDHeader = "upload-id"

    typealias Messages = RPCAsyncSequence<Conton_Files_V1_UploadRequest, any Error>.AsyncIterator

    func handle(request: StreamingServerRequest<Conton_Files_V1_UploadRequest>,
                context: ServerContext) async throws -> StreamingServerResponse<Conton_Files_V1_UploadResponse> {
        let messages = Handoff(request.messages.makeAsyncIterator())
        guard let first = try await messages.value.next() else {
            throw FieldErrors.single("metadata", "an upload starts with a metadata message")
        }
        guard case .metadata(let metadata)? = first.data else {
            throw FieldErrors.single("metadata", "the first message must be the metadata, before any chunk")
        }
        let principal = context.principal
        let lease = metadata.uploadId.isEmpty
            ? try await start(metadata, principal: principal)
            : try await resume(metadata, principal: principal)
        var headers = Metadata()
        headers.addString(lease.session.id, forKey: Self.uploadIDHeader)
        return StreamingServerResponse(metadata: headers) { writer in
            var response = Conton_Files_V1_UploadResponse()
            response.file = try await receive(lease, messages)
            try await writer.write(response)
            return [:]
        }
    }

    // MARK: opening

    private func start(_ metadata: Conton_Files_V1_UploadMetadata, principal: Principal) async throws -> UploadLease {
        let settings = storage.settings
        var errors = FieldErrors()
        let clientID: String, folderID: String, direction: Conton_Files_V1_FileDirection
        switch principal {
        case .client(let client):
            if !metadata.clientId.isEmpty && metadata.clientId != client.clientID {
                throw ServiceError.notFound("client", metadata.clientId, type: "conton.clients.v1.Client")
            }
            clientID = client.clientID
            if metadata.officeArea { errors.add("metadata.office_area", "is for staff: a client's uploads go to its own area") }
            if !metadata.folderId.isEmpty && metadata.folderId != FolderRecord.received {
                errors.add("metadata.folder_id", "a client's uploads always go to the folder 'received'; leave it empty")
            }
            folderID = FolderRecord.received
            direction = .clientToOffice
        case .staff, .service:
            clientID = metadata.clientId
            if metadata.officeArea {
                if !clientID.isEmpty { errors.add("metadata.client_id", "must be empty for the office's own area (office_area)") }
            } else if clientID.isEmpty {
                errors.add("metadata.client_id", "is required (or office_area for the office's own files)")
            }
            folderID = metadata.folderId.isEmpty ? FolderRecord.general : metadata.folderId
            if folderID == FolderRecord.received {
                errors.add("metadata.folder_id", "'received' holds what clients send; choose another folder")
            }
            direction = .officeToClient
        case .anonymous, .certificate:
            throw ServiceError(.unauthenticated, "sign in first")
        }
        var fileName = ""
        do { fileName = try FileName.file(metadata.fileName) } catch { errors.add("metadata.file_name", "\(error)") }
        if metadata.size < 0 { errors.add("metadata.size", "must not be negative") }
        let sha256 = metadata.sha256.lowercased()
        if !sha256.isEmpty && !BlobStore.isAddress(sha256) { errors.add("metadata.sha256", "must be 64 hexadecimal digits") }
        let contentType = metadata.contentType.trimmingCharacters(in: .whitespaces)
        if !Self.isMIMEType(contentType) { errors.add("metadata.content_type", "is not a MIME type such as application/pdf") }
        if metadata.offset != 0 { errors.add("metadata.offset", "is only for resuming an upload (with uploadId)") }
        try errors.check()
        guard metadata.size <= settings.maxFileBytes else {
            throw ServiceError(.resourceExhausted, "a file of \(metadata.size) bytes exceeds the maximum file size of \(settings.maxFileBytes) bytes",
                               reason: "FILE_TOO_LARGE")
        }
        let clients = try storage.context.capabilities.clients
        try await storage.context.read { db in
            // An empty client is the office's own area (staff only, above).
            if !clientID.isEmpty { _ = try clients.require(clientID, allowArchived: false, in: db) }
            guard try FolderRecord.find(folderID, in: db) != nil else {
                throw ServiceError.notFound("folder", folderID, type: "conton.files.v1.Folder")
            }
            try Self.checkQuota(adding: metadata.size, sha256: sha256, settings: settings, in: db)
        }
        let now = storage.context.clock.nowMilliseconds
        let session = UploadSession(
            id: UUID().uuidString.lowercased(), principalKind: principal.kind, principalID: principal.id,
            uploadedBy: principal.displayName, clientID: clientID, folderID: folderID, fileName: fileName,
            size: metadata.size, sha256: sha256, declaredContentType: contentType, direction: direction.rawValue,
            createdAtMs: now, expiresAtMs: now + settings.resumableForMilliseconds)
        let sessions = storage.sessions
        _ = sessions.acquire(session.id)
        do {
            return try await BlockingWork.run(name: "conton-files-io") {
                try sessions.ensureDirectory()
                let writer = try BlobStore.Writer(path: sessions.partPath(session.id))
                let lease = UploadLease(session: session, writer: writer, sessions: sessions)
                try sessions.save(session)
                return lease
            }
        } catch {
            sessions.remove(session.id)
            sessions.release(session.id)
            storage.context.logger.error("files: cannot open an upload", metadata: ["error": "\(error)"])
            throw ServiceError(.unavailable, "the server could not open the upload; try again")
        }
    }

    private func resume(_ metadata: Conton_Files_V1_UploadMetadata, principal: Principal) async throws -> UploadLease {
        let sessions = storage.sessions, now = storage.context.clock.nowMilliseconds
        let id = metadata.uploadId
        guard var session = sessions.load(id), session.principalKind == principal.kind, session.principalID == principal.id,
              session.expiresAtMs > now, sessions.received(id) != nil else {
            throw ServiceError(.notFound, "upload \(id) not found (finished, expired, or never started)", resource: ErrorDetails.Resource(type: "conton.files.v1.Upload", name: id))
        }
        var errors = FieldErrors()
        func mismatch(_ field: String) { errors.add("metadata.\(field)", "does not match the upload being resumed") }
        if !metadata.clientId.isEmpty && metadata.clientId != session.clientID { mismatch("client_id") }
        if !metadata.folderId.isEmpty && metadata.folderId != session.folderID { mismatch("folder_id") }
        if !metadata.fileName.isEmpty && (try? FileName.file(metadata.fileName)) != session.fileName { mismatch("file_name") }
        if metadata.size != 0 && metadata.size != session.size { mismatch("size") }
        let sha256 = metadata.sha256.lowercased()
        if !sha256.isEmpty {
            // A hash may be declared on any call; once declared, it cannot change.
            if !BlobStore.isAddress(sha256) {
                errors.add("metadata.sha256", "must be 64 hexadecimal digits")
            } else if session.sha256.isEmpty {
                session.sha256 = sha256
            } else if sha256 != session.sha256 {
                mismatch("sha256")
            }
        }
        if !metadata.contentType.isEmpty && metadata.contentType.trimmingCharacters(in: .whitespaces) != session.declaredContentType { mismatch("content_type") }
        if metadata.offset < 0 { errors.add("metadata.offset", "must not be negative") }
        try errors.check()
        guard sessions.acquire(id) else {
            throw ServiceError(.aborted, "upload \(id) is still being written by another call (the server may not have noticed a lost connection yet); retry in a moment",
                               reason: "UPLOAD_IN_USE", resource: ErrorDetails.Resource(type: "conton.files.v1.Upload", name: id))
        }
        session.expiresAtMs = now + storage.settings.resumableForMilliseconds
        let resumed = session, offset = metadata.offset
        do {
            return try await BlockingWork.run(name: "conton-files-io") {
                let received = sessions.received(id) ?? 0
                guard offset <= received else {
                    throw ServiceError(.outOfRange, "offset \(offset) is beyond the \(received) bytes received; resume from GetUploadStatus's receivedBytes")
                }
                let writer = try BlobStore.Writer(path: sessions.partPath(id), resumingAt: offset)
                let lease = UploadLease(session: resumed, writer: writer, sessions: sessions)
                try sessions.save(resumed)
                return lease
            }
        } catch where error is any RPCErrorConvertible {
            sessions.release(id)
            throw error
        } catch {
            sessions.release(id)
            storage.context.logger.error("files: cannot reopen an upload", metadata: ["upload_id": "\(id)", "error": "\(error)"])
            throw ServiceError(.unavailable, "the server could not reopen upload \(id); try again")
        }
    }

    // MARK: receiving

    private func receive(_ lease: UploadLease, _ messages: Handoff<Messages>) async throws -> Conton_Files_V1_File {
        let session = lease.session
        do {
            while let message = try await messages.value.next() {
                guard case .chunk(let bytes)? = message.data else {
                    lease.discard()
                    throw FieldErrors.single("metadata", "only the first message carries metadata; the rest are chunks")
                }
                guard bytes.count <= FilesSettings.chunkBytes else {
                    lease.discard()
                    throw FieldErrors.single("chunk", "a chunk holds at most \(FilesSettings.chunkBytes) bytes, got \(bytes.count)")
                }
                guard lease.writer.count + Int64(bytes.count) <= session.size else {
                    lease.discard()
                    throw ServiceError(.invalidArgument, "more bytes than the declared size of \(session.size); nothing was kept")
                }
                do {
                    try lease.writer.write(bytes)
                } catch {
                    lease.discard()
                    storage.context.logger.error("files: cannot write an upload", metadata: ["upload_id": "\(session.id)", "error": "\(error)"])
                    throw ServiceError(.unavailable, "the server could not store the upload; nothing was kept, try again")
                }
            }
        } catch where lease.isReleased && error is any RPCErrorConvertible {
            throw error
        } catch let error as RPCError where error.code == .resourceExhausted {
            // A message over the transport's limit (4 MiB): the client sent a chunk far beyond
            // 1 MiB, which no retry of the same stream fixes. Nothing of the upload stays.
            lease.discard()
            throw ServiceError(.resourceExhausted, "\(error.message); a chunk holds at most \(FilesSettings.chunkBytes) bytes; nothing was kept")
        } catch {
            // The stream broke (connection lost, cancelled, deadline): keep what arrived.
            let suspended = lease
            try? await BlockingWork.run(name: "conton-files-io") { suspended.suspend() }
            throw error
        }
        let received = lease.writer.count
        if Task.isCancelled || received < session.size {
            let suspended = lease
            try? await BlockingWork.run(name: "conton-files-io") { suspended.suspend() }
            if Task.isCancelled { throw ServiceError(.cancelled, "upload \(session.id) cancelled; it can be resumed") }
            throw ServiceError(.failedPrecondition, "upload \(session.id) ended after \(received) of \(session.size) bytes; resume it with uploadId and offset \(received)",
                               reason: "UPLOAD_INCOMPLETE", resource: ErrorDetails.Resource(type: "conton.files.v1.Upload", name: session.id))
        }
        let finished = lease
        let sha256 = try await BlockingWork.run(name: "conton-files-io") { () -> String in
            try finished.writer.sync()
            return finished.writer.finish()
        }
        if !session.sha256.isEmpty && sha256 != session.sha256 {
            lease.discard()
            throw ServiceError(.dataLoss, "the content received hashes to \(sha256), not the declared \(session.sha256); nothing was kept")
        }
        let sniffed = ContentSniffer.sniff(storage.prefix(of: lease), complete: session.size <= Int64(ContentSniffer.prefixLength))
        let settings = storage.settings
        return try await storage.commit(lease, sha256: sha256) { m, newBlob in
            if !session.clientID.isEmpty { _ = try m.capabilities.clients.require(session.clientID, allowArchived: false, in: m.db) }
            guard let folder = try FolderRecord.find(session.folderID, in: m.db) else {
                throw ServiceError.notFound("folder", session.folderID, type: "conton.files.v1.Folder")
            }
            if newBlob {
                try Self.checkQuota(adding: session.size, sha256: "", settings: settings, in: m.db)
                try m.db.execute(sql: "INSERT INTO files_blob (sha256, size, created_at_ms) VALUES (?, ?, ?)",
                                 arguments: [sha256, session.size, m.now])
            }
            let id = UUID().uuidString.lowercased()
            try m.db.execute(sql: """
                INSERT INTO files_file (id, client_id, folder_id, file_name, name_key, size, sha256, content_type,
                  declared_content_type, direction, uploaded_at_ms, uploaded_by_kind, uploaded_by_id, uploaded_by)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, session.clientID, session.folderID, session.fileName, FilesSearch.key(session.fileName),
                                 session.size, sha256, sniffed, session.declaredContentType, session.direction, m.now,
                                 session.principalKind, session.principalID, session.uploadedBy])
            m.audit("file", id, "uploaded '\(session.fileName)' (\(session.size) bytes, \(sniffed)) to \(session.clientID.isEmpty ? "the office's own area" : "client \(session.clientID)"), folder '\(folder.name)'")
            try m.publish(FileUploaded(
                fileID: id, clientID: session.clientID, folderID: session.folderID, fileName: session.fileName,
                size: session.size, sha256: sha256,
                direction: session.direction == Conton_Files_V1_FileDirection.clientToOffice.rawValue ? "client_to_office" : "office_to_client",
                uploadedAtMs: m.now, uploadedByKind: session.principalKind, uploadedBy: session.uploadedBy))
            guard let file = try FileRecord.find(id, in: m.db) else {
                throw ServiceError(.internalError, "file \(id) vanished in its own transaction")
            }
            return file
        }
    }

    // MARK: rules

    /// RESOURCE_EXHAUSTED when `adding` more bytes (of content not stored yet) would pass the
    /// office's quota.
    static func checkQuota(adding bytes: Int64, sha256: String, settings: FilesSettings, in db: Database) throws {
        guard settings.quotaBytes > 0 else { return }
        if !sha256.isEmpty, try FileRecord.blobKnown(sha256, in: db) { return }  // stored already: costs nothing
        let used = try FileRecord.storedBytes(in: db)
        if used + bytes > settings.quotaBytes {
            throw ServiceError(.resourceExhausted, "the office's storage quota of \(settings.quotaBytes) bytes is used up (\(used) bytes stored; this file needs \(bytes))",
                               reason: "STORAGE_QUOTA_EXCEEDED")
        }
    }

    /// Empty, or `type/subtype` with optional parameters, printable ASCII, at most 255 bytes.
    static func isMIMEType(_ text: String) -> Bool {
        if text.isEmpty { return true }
        guard text.utf8.count <= 255, text.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else { return false }
        let essence = text.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        let parts = essence.trimmingCharacters(in: .whitespaces).split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && !$0.contains(" ") }
    }
}
