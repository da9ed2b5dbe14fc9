import ContonAPI
import ContonKit
import ContonStore
import ContonTesting
import FilesPlugin
import Foundation
import GRDB
import GRPCCore
import Testing

/// Who sees and sends what: staff everything, a client login only its own area. In process
/// (``FilesTest``): callers are named, the scoping and policies are the server's own.
@Suite struct FilesAccessTests {
    @Test func aClientSendsIntoReceivedAndSeesOnlyItsOwnArea() async throws {
        try await FilesTest.run { (t: FilesTest) async throws in
            let a = try await t.client("client-a"), b = try await t.client("client-b")
            let fromOffice = try await t.upload(Content(size: 1000, seed: 1), staffUpload("client-a", name: "guia DAS.pdf"))
            var sent = UploadMetadata()
            sent.fileName = "extrato.ofx"
            sent.contentType = "application/x-ofx"
            let fromClient = try await t.upload(Content(size: 2000, seed: 2), sent, as: a)
            #expect(fromClient.clientId == "client-a" && fromClient.folderId == "received" && fromClient.folderName == "Recebidos do cliente")
            #expect(fromClient.direction == .clientToOffice && fromClient.uploadedByKind == "client")
            #expect(fromClient.declaredContentType == "application/x-ofx")
            #expect(try await t.eventually { t.clients.delivered.all.contains("file.uploaded \(fromClient.id)") })

            // A sees both of its files; B sees none, and cannot reach A's by id or by filter.
            #expect(Set(try await t.list(as: a).map(\.id)) == [fromOffice.id, fromClient.id])
            #expect(try await t.list(as: b).isEmpty)
            #expect(await code { try await t.list(as: b) { $0.clientId = "client-a" } } == .notFound)
            var get = Conton_Files_V1_GetFileRequest()
            get.fileId = fromOffice.id
            #expect(await code { try await t.api.getFile(get, metadata: b) } == .notFound)
            #expect(await code { try await t.download(fromOffice.id, as: b) } == .notFound)
            #expect(await code { try await t.download(fromClient.id, as: b) } == .notFound)
            #expect(try await t.api.getFile(get, metadata: a).file == fromOffice)

            // B cannot upload into A's area, nor choose a folder; staff cannot write into "received".
            var intoA = UploadMetadata()
            intoA.clientId = "client-a"
            intoA.fileName = "x.txt"
            #expect(await code { try await t.upload(Content(size: 10), intoA, as: b) } == .notFound)
            var folder = UploadMetadata()
            folder.fileName = "x.txt"
            folder.folderId = "general"
            #expect(await code { try await t.upload(Content(size: 10), folder, as: b) } == .invalidArgument)
            #expect(await code { try await t.upload(Content(size: 10), staffUpload(folder: "received")) } == .invalidArgument)
            #expect(await code { try await t.upload(Content(size: 10), staffUpload("client-zz")) } == .notFound)
            #expect(await code { try await t.upload(Content(size: 10), staffUpload("client-old")) } == .failedPrecondition)
            #expect(await code { try await t.upload(Content(size: 10), staffUpload(folder: "nope")) } == .notFound)

            // Staff-only methods.
            var delete = Conton_Files_V1_DeleteFileRequest()
            delete.fileId = fromClient.id
            #expect(await code { try await t.api.deleteFile(delete, metadata: a) } == .permissionDenied)
            var create = Conton_Files_V1_CreateFolderRequest()
            create.name = "Fiscal"
            #expect(await code { try await t.api.createFolder(create, metadata: a) } == .permissionDenied)
            #expect(await code { try await t.api.listFolders(.init(), metadata: [:]) } == .unauthenticated)

            // Staff see everything, filtered.
            #expect(try await t.list().count == 2)
            #expect(try await t.list { $0.direction = .clientToOffice }.map(\.id) == [fromClient.id])
            #expect(try await t.list { $0.clientId = "client-b" }.isEmpty)
            #expect(try await t.list { $0.folderId = "received" }.map(\.id) == [fromClient.id])
        }
    }

    @Test func serviceAccountsNeedTheFilesScopes() async throws {
        try await FilesTest.run { (t: FilesTest) async throws in
            // Service callers named in process, with just these scopes (what an API key carries).
            func key(_ scopes: [String]) -> Metadata { InProcessTestServer.as(.service(scopes: scopes)) }
            let reader = key(["files:read"]), writer = key(["files:write"])
            let file = try await t.upload(Content(size: 100), staffUpload(), as: writer)
            #expect(file.uploadedByKind == "service" && file.direction == .officeToClient)
            #expect(try await t.list(as: reader).map(\.id) == [file.id])
            #expect(try await t.download(file.id, as: reader).sha256 == file.sha256)
            #expect(await code { try await t.upload(Content(size: 100), staffUpload(), as: reader) } == .permissionDenied)
            #expect(await code { try await t.list(as: writer) } == .permissionDenied)
        }
    }

    @Test func aClientsFirstCompleteDownloadIsTheReadReceipt() async throws {
        try await FilesTest.run { (t: FilesTest) async throws in
            let a = try await t.client("client-a")
            let file = try await t.upload(Content(size: 3 * Int64(MiB) + 5), staffUpload(name: "contrato.docx"))
            #expect(try await t.list(as: a) { $0.unreadOnly = true }.map(\.id) == [file.id])

            // Staff downloads record nothing.
            _ = try await t.download(file.id)
            #expect(try await t.list(as: a) { $0.unreadOnly = true }.count == 1)

            t.clock.advance(milliseconds: 60_000)
            let readAt = t.clock.nowMilliseconds
            let down = try await t.download(file.id, as: a)
            #expect(down.sha256 == file.sha256 && down.metadata.file.readAtMs == 0)
            var get = Conton_Files_V1_GetFileRequest()
            get.fileId = file.id
            #expect(try await t.api.getFile(get, metadata: t.owner).file.readAtMs == readAt)
            #expect(try await t.list(as: a) { $0.unreadOnly = true }.isEmpty)
            #expect(try await t.eventually { t.clients.delivered.all.contains("file.read \(file.id)") })

            // Only the first download counts.
            t.clock.advance(milliseconds: 60_000)
            _ = try await t.download(file.id, as: a)
            #expect(try await t.api.getFile(get, metadata: t.owner).file.readAtMs == readAt)
            #expect(try await t.count("SELECT count(*) FROM host_outbox WHERE topic = 'file.read'") == 1)
            #expect(try await t.count("SELECT count(*) FROM host_audit WHERE entity_id = ? AND summary LIKE 'read receipt%'", [file.id]) == 1)

            // A client downloading what it sent itself is no read receipt.
            var mine = UploadMetadata()
            mine.fileName = "meu.pdf"
            let own = try await t.upload(Content(size: 10), mine, as: a)
            _ = try await t.download(own.id, as: a)
            get.fileId = own.id
            #expect(try await t.api.getFile(get, metadata: t.owner).file.readAtMs == 0)
        }
    }

    @Test func foldersAreOfficeWideUniqueAndRenamable() async throws {
        try await FilesTest.run { (t: FilesTest) async throws in
            let builtIn = try await t.api.listFolders(.init(), metadata: t.owner).folders
            #expect(builtIn.map(\.id) == ["general", "received"])
            #expect(builtIn.map(\.kind) == [.general, .received])

            var create = Conton_Files_V1_CreateFolderRequest()
            create.name = "  Folha de Pagamento\u{0007} "
            let folha = try await t.api.createFolder(create, metadata: t.owner).folder
            #expect(folha.name == "Folha de Pagamento" && folha.kind == .custom)
            create.name = "FOLHA DE PAGAMENTO"
            #expect(await code { try await t.api.createFolder(create, metadata: t.owner) } == .alreadyExists)
            create.name = "fiscal"
            let fiscal = try await t.api.createFolder(create, metadata: t.owner).folder
            create.name = String(repeating: "x", count: 81)
            #expect(await code { try await t.api.createFolder(create, metadata: t.owner) } == .invalidArgument)

            var rename = Conton_Files_V1_RenameFolderRequest()
            rename.folderId = fiscal.id
            rename.name = "Fiscal e Tributário"
            #expect(try await t.api.renameFolder(rename, metadata: t.owner).folder.name == "Fiscal e Tributário")
            rename.name = "folha de pagamento"
            #expect(await code { try await t.api.renameFolder(rename, metadata: t.owner) } == .alreadyExists)
            rename.folderId = "received"
            rename.name = "Enviados pelo cliente"
            #expect(try await t.api.renameFolder(rename, metadata: t.owner).folder.id == "received")
            rename.folderId = "missing"
            #expect(await code { try await t.api.renameFolder(rename, metadata: t.owner) } == .notFound)

            // Counts follow the caller's scope.
            _ = try await t.upload(Content(size: 10, seed: 1), staffUpload("client-a", folder: folha.id))
            _ = try await t.upload(Content(size: 10, seed: 2), staffUpload("client-b", folder: folha.id))
            let a = try await t.client("client-a")
            let seenByA = try await t.api.listFolders(.init(), metadata: a).folders
            #expect(seenByA.first { $0.id == folha.id }?.fileCount == 1)
            #expect(try await t.api.listFolders(.init(), metadata: t.owner).folders.first { $0.id == folha.id }?.fileCount == 2)
            var forB = Conton_Files_V1_ListFoldersRequest()
            forB.clientId = "client-b"
            #expect(try await t.api.listFolders(forB, metadata: t.owner).folders.first { $0.id == folha.id }?.fileCount == 1)
            // A client naming another client: NOT_FOUND (not its own counts); naming itself: its own.
            #expect(await code { try await t.api.listFolders(forB, metadata: a) } == .notFound)
            var forA = Conton_Files_V1_ListFoldersRequest()
            forA.clientId = "client-a"
            #expect(try await t.api.listFolders(forA, metadata: a).folders.first { $0.id == folha.id }?.fileCount == 1)
            #expect(try await t.count("SELECT count(*) FROM host_audit WHERE entity_type = 'file_folder'") == 4)
        }
    }

    @Test func listsSearchNamesIgnoringAccentsFilterByDateAndPage() async throws {
        try await FilesTest.run { (t: FilesTest) async throws in
            var ids: [String] = []
            for (i, name) in ["Balanço 2024.pdf", "balanco 2025.PDF", "DRE 2025.xlsx", "100%_certo.txt"].enumerated() {
                t.clock.advance(milliseconds: 1000)
                ids.append(try await t.upload(Content(size: 100, seed: UInt64(i + 1)), staffUpload(name: name)).id)
            }
            #expect(try await t.list { $0.nameContains = "BALANÇO" }.map(\.fileName) == ["balanco 2025.PDF", "Balanço 2024.pdf"])
            #expect(try await t.list { $0.nameContains = "%_" }.map(\.fileName) == ["100%_certo.txt"])
            let start = t.clock.nowMilliseconds - 3000
            let middle = try await t.list {
                $0.uploadedFromMs = start + 1000
                $0.uploadedToMs = start + 3000
            }
            #expect(middle.map(\.id) == [ids[2], ids[1]])
            #expect(await code { try await t.list { $0.uploadedFromMs = 5; $0.uploadedToMs = 5 } } == .invalidArgument)

            var request = Conton_Files_V1_ListFilesRequest()
            request.pageSize = 3
            let first = try await t.api.listFiles(request, metadata: t.owner)
            #expect(first.files.map(\.id) == Array(ids.reversed().prefix(3)))
            request.pageToken = first.nextPageToken
            let second = try await t.api.listFiles(request, metadata: t.owner)
            #expect(second.files.map(\.id) == [ids[0]] && second.nextPageToken.isEmpty)
            request.pageToken = "garbage"
            #expect(await code { try await t.api.listFiles(request, metadata: t.owner) } == .invalidArgument)
        }
    }

    @Test func fileNamesAreCleanedAndValidated() async throws {
        try await FilesTest.run { (t: FilesTest) async throws in
            // (A NUL never reaches the handler whole: protobuf-c strings end at the first NUL.)
            let file = try await t.upload(Content(size: 10), staffUpload(name: " ../../etc/passwd\u{0007}\u{202E}fdp.exe\r\n "))
            #expect(file.fileName == ".._.._etc_passwdfdp.exe")
            do {
                _ = try await t.upload(Content(size: 10), staffUpload(name: "\u{0001}\u{0002}"))
                Issue.record("an empty name was accepted")
            } catch let error as RPCError {
                #expect(error.code == .invalidArgument && error.message.contains("metadata.file_name"))
            }
            #expect(await code { try await t.upload(Content(size: 10), staffUpload(name: String(repeating: "a", count: 256))) } == .invalidArgument)
            #expect(await code { try await t.upload(Content(size: 10), staffUpload(name: "..")) } == .invalidArgument)
            var typed = staffUpload()
            typed.contentType = "not a type"
            #expect(await code { try await t.upload(Content(size: 10), typed) } == .invalidArgument)
            var sha = staffUpload()
            sha.sha256 = "xyz"
            #expect(await code { try await t.upload(Content(size: 10), sha) } == .invalidArgument)
        }
    }
}
