import ContonAPI
import ContonKit
import ContonStore
import Foundation
import GRDB
import GRPCCore

/// `conton.files.v1.Files`. Implemented at GRPCCore's streaming level because Upload answers its
/// `upload-id` header before the content arrives; the unary methods go through ``unary(_:_:)``.
struct FilesService: Conton_Files_V1_Files.StreamingServiceProtocol {
    let storage: FilesStorage
    private var plugin: PluginContext { storage.context }

    init(storage: FilesStorage) {
        self.storage = storage
    }

    /// Reads the single request message, runs `body`, answers its single response.
    private func unary<Input: Sendable, Output: Sendable>(
        _ request: StreamingServerRequest<Input>, _ body: (Input) async throws -> Output
    ) async throws -> StreamingServerResponse<Output> {
        let input = try await ServerRequest(stream: request).message
        return StreamingServerResponse(single: ServerResponse(message: try await body(input)))
    }

    func upload(request: StreamingServerRequest<Conton_Files_V1_UploadRequest>, context: ServerContext) async throws -> StreamingServerResponse<Conton_Files_V1_UploadResponse> {
        try await UploadHandler(storage: storage).handle(request: request, context: context)
    }

    func download(request: StreamingServerRequest<Conton_Files_V1_DownloadRequest>, context: ServerContext) async throws -> StreamingServerResponse<Conton_Files_V1_DownloadResponse> {
        try await DownloadHandler(storage: storage).handle(request: request, context: context)
    }

    // MARK: uploads

    func getUploadStatus(request: StreamingServerRequest<Conton_Files_V1_GetUploadStatusRequest>, context: ServerContext) async throws -> StreamingServerResponse<Conton_Files_V1_GetUploadStatusResponse> {
        let principal = context.principal
        return try await unary(request) { r in
            let sessions = storage.sessions, id = r.uploadId
            guard let session = sessions.load(id), session.principalKind == principal.kind, session.principalID == principal.id,
                  session.expiresAtMs > plugin.clock.nowMilliseconds else {
                throw ServiceError(.notFound, "upload \(id) not found (finished, expired, or never started)", resource: ErrorDetails.Resource(type: "conton.files.v1.Upload", name: id))
            }
            let active = sessions.isActive(id)
            if !active { _ = try await BlockingWork.run(name: "conton-files-io") { sessions.syncPart(id) } }
            guard let received = sessions.received(id) else {
                throw ServiceError(.notFound, "upload \(id) not found (finished, expired, or never started)", resource: ErrorDetails.Resource(type: "conton.files.v1.Upload", name: id))
            }
            var response = Conton_Files_V1_GetUploadStatusResponse()
            response.uploadId = id
            response.receivedBytes = received
            response.size = session.size
            response.inProgress = active
            response.expiresAtMs = session.expiresAtMs
            response.clientId = session.clientID
            response.fileName = session.fileName
            return response
        }
    }

    // MARK: files

    func listFiles(request: StreamingServerRequest<Conton_Files_V1_ListFilesRequest>, context: ServerContext) async throws -> StreamingServerResponse<Conton_Files_V1_ListFilesResponse> {
        try await unary(request) { r in
            let scope = try ClientScope.current()
            let page = try Pagination(size: r.pageSize, token: r.pageToken)
            var errors = FieldErrors()
            if r.uploadedFromMs < 0 { errors.add("uploaded_from_ms", "must not be negative") }
            if r.uploadedToMs < 0 { errors.add("uploaded_to_ms", "must not be negative") }
            if r.uploadedToMs != 0 && r.uploadedToMs <= r.uploadedFromMs { errors.add("uploaded_to_ms", "must be after uploaded_from_ms") }
            if case .unrecognized = r.direction { errors.add("direction", "is not a FileDirection") }
            var after: (at: Int64, id: String)?
            if let key = page.after {
                let parts = key.split(separator: ":", maxSplits: 1)
                if parts.count == 2, let at = Int64(parts[0]) { after = (at, String(parts[1])) } else { errors.add("page_token", "is not a token from a previous page") }
            }
            try errors.check()
            if !r.clientId.isEmpty { try scope.check(r.clientId, "client") }

            var conditions = [scope.sql("f.client_id")]
            var arguments = StatementArguments(scope.arguments)
            func add(_ sql: String, _ values: [any DatabaseValueConvertible]) {
                conditions.append(sql)
                arguments += StatementArguments(values)
            }
            if !r.clientId.isEmpty { add("f.client_id = ?", [r.clientId]) }
            if !r.folderId.isEmpty { add("f.folder_id = ?", [r.folderId]) }
            if r.direction != .unspecified { add("f.direction = ?", [r.direction.rawValue]) }
            if r.uploadedFromMs > 0 { add("f.uploaded_at_ms >= ?", [r.uploadedFromMs]) }
            if r.uploadedToMs > 0 { add("f.uploaded_at_ms < ?", [r.uploadedToMs]) }
            let name = r.nameContains.trimmingCharacters(in: .whitespaces)
            if !name.isEmpty { add("f.name_key LIKE ? ESCAPE '\\'", [FilesSearch.containsPattern(name)]) }
            if r.unreadOnly { add("f.direction = ? AND f.read_at_ms IS NULL", [Conton_Files_V1_FileDirection.officeToClient.rawValue]) }
            if let after { add("(f.uploaded_at_ms < ? OR (f.uploaded_at_ms = ? AND f.id < ?))", [after.at, after.at, after.id]) }
            let sql = """
                SELECT \(FileRecord.columns) FROM \(FileRecord.from)
                WHERE \(conditions.joined(separator: " AND "))
                ORDER BY f.uploaded_at_ms DESC, f.id DESC LIMIT \(page.size)
                """
            let finalArguments = arguments
            let files = try await plugin.read { db in
                try Row.fetchAll(db, sql: sql, arguments: finalArguments).map(FileRecord.file)
            }
            var response = Conton_Files_V1_ListFilesResponse()
            response.files = files
            response.nextPageToken = page.nextToken(lastKey: files.last.map { "\($0.uploadedAtMs):\($0.id)" }, returned: files.count)
            return response
        }
    }

    func getFile(request: StreamingServerRequest<Conton_Files_V1_GetFileRequest>, context: ServerContext) async throws -> StreamingServerResponse<Conton_Files_V1_GetFileResponse> {
        try await unary(request) { r in
            let scope = try ClientScope.current()
            guard !r.fileId.isEmpty else { throw FieldErrors.single("file_id", "is required") }
            guard let file = try await plugin.read({ db in try FileRecord.find(r.fileId, in: db) }) else {
                throw ServiceError(.notFound, "file not found", resource: ErrorDetails.Resource(type: "conton.files.v1.File", name: r.fileId))
            }
            try scope.check(file.clientId, "file")
            var response = Conton_Files_V1_GetFileResponse()
            response.file = file
            return response
        }
    }

    func deleteFile(request: StreamingServerRequest<Conton_Files_V1_DeleteFileRequest>, context: ServerContext) async throws -> StreamingServerResponse<Conton_Files_V1_DeleteFileResponse> {
        try await unary(request) { r in
            guard !r.fileId.isEmpty else { throw FieldErrors.single("file_id", "is required") }
            let id = r.fileId
            let (sha256, last) = try await plugin.write { m -> (String, Bool) in
                guard let file = try FileRecord.find(id, in: m.db) else { throw ServiceError(.notFound, "file not found", resource: ErrorDetails.Resource(type: "conton.files.v1.File", name: id)) }
                try m.db.execute(sql: "DELETE FROM files_file WHERE id = ?", arguments: [id])
                let remaining = try Int.fetchOne(m.db, sql: "SELECT count(*) FROM files_file WHERE sha256 = ?", arguments: [file.sha256]) ?? 0
                if remaining == 0 {
                    try m.db.execute(sql: "DELETE FROM files_blob WHERE sha256 = ?", arguments: [file.sha256])
                }
                m.audit("file", id, "deleted '\(file.fileName)' (\(file.size) bytes) of client \(file.clientId)")
                return (file.sha256, remaining == 0)
            }
            if last { await storage.release(sha256) }
            return Conton_Files_V1_DeleteFileResponse()
        }
    }

    // MARK: folders

    func listFolders(request: StreamingServerRequest<Conton_Files_V1_ListFoldersRequest>, context: ServerContext) async throws -> StreamingServerResponse<Conton_Files_V1_ListFoldersResponse> {
        try await unary(request) { r in
            let scope = try ClientScope.current()
            // A client may name only itself (another client's id: NOT_FOUND, as docs/FILES.md says).
            if !r.clientId.isEmpty { try scope.check(r.clientId, "client \(r.clientId)") }
            let clientID: String? = if case .all = scope, !r.clientId.isEmpty { r.clientId } else { nil }
            var response = Conton_Files_V1_ListFoldersResponse()
            response.folders = try await plugin.read { db in try FolderRecord.list(scope: scope, clientID: clientID, in: db) }
            return response
        }
    }

    func createFolder(request: StreamingServerRequest<Conton_Files_V1_CreateFolderRequest>, context: ServerContext) async throws -> StreamingServerResponse<Conton_Files_V1_CreateFolderResponse> {
        try await unary(request) { r in
            let name: String
            do { name = try FileName.folder(r.name) } catch { throw FieldErrors.single("name", "\(error)") }
            let folder = try await plugin.write { m -> Conton_Files_V1_Folder in
                try FolderRecord.checkUnique(name, except: nil, in: m.db)
                let id = UUID().uuidString.lowercased()
                try m.db.execute(sql: "INSERT INTO files_folder (id, name, name_key, kind, created_at_ms) VALUES (?, ?, ?, ?, ?)",
                                 arguments: [id, name, FilesSearch.key(name), Conton_Files_V1_FolderKind.custom.rawValue, m.now])
                m.audit("file_folder", id, "created folder '\(name)'")
                return try FolderRecord.find(id, in: m.db)!
            }
            var response = Conton_Files_V1_CreateFolderResponse()
            response.folder = folder
            return response
        }
    }

    func renameFolder(request: StreamingServerRequest<Conton_Files_V1_RenameFolderRequest>, context: ServerContext) async throws -> StreamingServerResponse<Conton_Files_V1_RenameFolderResponse> {
        try await unary(request) { r in
            var errors = FieldErrors()
            if r.folderId.isEmpty { errors.add("folder_id", "is required") }
            var name = ""
            do { name = try FileName.folder(r.name) } catch { errors.add("name", "\(error)") }
            try errors.check()
            let id = r.folderId, newName = name
            let folder = try await plugin.write { m -> Conton_Files_V1_Folder in
                guard let old = try FolderRecord.find(id, in: m.db) else { throw ServiceError.notFound("folder", id, type: "conton.files.v1.Folder") }
                try FolderRecord.checkUnique(newName, except: id, in: m.db)
                try m.db.execute(sql: "UPDATE files_folder SET name = ?, name_key = ? WHERE id = ?", arguments: [newName, FilesSearch.key(newName), id])
                m.audit("file_folder", id, "renamed folder '\(old.name)' to '\(newName)'")
                return try FolderRecord.find(id, in: m.db)!
            }
            var response = Conton_Files_V1_RenameFolderResponse()
            response.folder = folder
            return response
        }
    }
}
