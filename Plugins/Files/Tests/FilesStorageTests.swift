import ClientsCapability
import ContonAPI
import ContonKit
import ContonStore
import ContonTesting
@testable import FilesPlugin
import Foundation
import GRDB
import GRPCCore
import Testing

/// The blob store behind the files: stored once, removed with the last row, verified on the way
/// out, the quota, start-up cleaning.
@Suite struct FilesStorageTests {
    @Test func identicalContentIsStoredOnceAndGoesWithTheLastRow() async throws {
        try await FilesTest.run { (t: FilesTest) async throws in
            let content = Content(size: 2 * Int64(MiB) + 1, seed: 9)
            let one = try await t.upload(content, staffUpload("client-a", name: "a.bin"))
            let two = try await t.upload(content, staffUpload("client-b", name: "b.bin"))
            #expect(one.sha256 == two.sha256 && one.id != two.id)
            #expect(t.blobFiles().count == 1)
            #expect(try await t.count("SELECT count(*) FROM files_blob") == 1)

            var delete = Conton_Files_V1_DeleteFileRequest()
            delete.fileId = one.id
            _ = try await t.api.deleteFile(delete, metadata: t.owner)
            #expect(FileManager.default.fileExists(atPath: t.blobPath(one.sha256)))
            #expect(try await t.download(two.id).sha256 == content.sha256)
            #expect(await code { try await t.api.deleteFile(delete, metadata: t.owner) } == .notFound)

            delete.fileId = two.id
            _ = try await t.api.deleteFile(delete, metadata: t.owner)
            #expect(!FileManager.default.fileExists(atPath: t.blobPath(one.sha256)))
            #expect(try await t.count("SELECT count(*) FROM files_blob") == 0)
            #expect(try await t.count("SELECT count(*) FROM host_audit WHERE method = 'conton.files.v1.Files/DeleteFile'") == 2)

            // And the content can come back.
            let three = try await t.upload(content, staffUpload("client-a", name: "c.bin"))
            #expect(try await t.download(three.id).sha256 == content.sha256)
        }
    }

    @Test func corruptionOnDiskIsDetectedAtDownload() async throws {
        try await FilesTest.run { (t: FilesTest) async throws in
            let content = Content(size: 3 * Int64(MiB), seed: 4)
            let file = try await t.upload(content, staffUpload())
            let path = t.blobPath(file.sha256)
            // One flipped byte in the last chunk: detected once everything was read.
            let handle = try #require(FileHandle(forUpdatingAtPath: path))
            try handle.seek(toOffset: UInt64(content.size - 10))
            let byte = try #require(try handle.read(upToCount: 1)).first!
            try handle.seek(toOffset: UInt64(content.size - 10))
            try handle.write(contentsOf: [byte ^ 0xFF])
            try handle.close()
            #expect(await code { try await t.download(file.id) } == .dataLoss)
            // Also when resuming near the end: the prefix is re-hashed.
            #expect(await code { try await t.download(file.id, offset: content.size - 5) } == .dataLoss)
            // A truncated or missing blob fails before any byte.
            truncate(path, off_t(content.size - 1))
            #expect(await code { try await t.download(file.id) } == .dataLoss)
            unlink(path)
            #expect(await code { try await t.download(file.id) } == .dataLoss)
        }
    }

    @Test func theQuotaCountsDistinctContent() async throws {
        var settings = FilesSettings()
        settings.quotaBytes = 5 * Int64(MiB)
        try await FilesTest.run(settings: settings) { (t: FilesTest) async throws in
            let three = Content(size: 3 * Int64(MiB), seed: 1)
            _ = try await t.upload(three, staffUpload("client-a"))
            // The same content again costs nothing.
            _ = try await t.upload(three, staffUpload("client-b"))
            // New content past the quota: refused on the metadata (declared size)...
            #expect(await code { try await t.upload(Content(size: 3 * Int64(MiB), seed: 2), staffUpload()) } == .resourceExhausted)
            // ... and at the commit (undeclared hash, another upload got there first).
            _ = try await t.upload(Content(size: 2 * Int64(MiB), seed: 3), staffUpload(), declareHash: false)
            #expect(await code { try await t.upload(Content(size: 1), staffUpload(), declareHash: false) } == .resourceExhausted)
            #expect(t.blobFiles().count == 2)
            #expect(t.uploadFiles().isEmpty)
        }
    }

    @Test func startUpCleansLeftoversAndKeepsWhatRowsPointTo() async throws {
        try await FilesTest.run { (t: FilesTest) async throws in
            let kept = try await t.upload(Content(size: 1000, seed: 1), staffUpload())
            let fm = FileManager.default
            // A blob no row points to (a crash between placing it and committing its row).
            let orphan = SHA256.hex(Array("orphan".utf8))
            try fm.createDirectory(atPath: t.blobsDirectory + "/" + orphan.prefix(2), withIntermediateDirectories: true)
            fm.createFile(atPath: t.blobPath(orphan), contents: Data("orphan".utf8))
            // A temporary file of an interrupted write.
            fm.createFile(atPath: t.blobsDirectory + "/" + kept.sha256.prefix(2) + "/.tmp-x", contents: Data())
            // A stray part and a stray file among the uploads, and an expired upload.
            let stray = UUID().uuidString.lowercased()
            fm.createFile(atPath: t.uploadsDirectory + "/\(stray).part", contents: Data("x".utf8))
            fm.createFile(atPath: t.uploadsDirectory + "/junk", contents: Data())
            let session = UploadSession(id: UUID().uuidString.lowercased(), principalKind: "staff", principalID: "u", uploadedBy: "u",
                                        clientID: "client-a", folderID: "general", fileName: "f", size: 10, sha256: "",
                                        declaredContentType: "", direction: 1, createdAtMs: 0, expiresAtMs: t.clock.nowMilliseconds - 1)
            try UploadSessionStore(directory: t.uploadsDirectory).save(session)
            fm.createFile(atPath: t.uploadsDirectory + "/\(session.id).part", contents: Data("12345".utf8))

            try await t.janitor.cleanUpNow()
            #expect(t.blobFiles() == ["\(kept.sha256.prefix(2))/\(kept.sha256)"])
            #expect(t.uploadFiles().isEmpty)
            #expect(try await t.download(kept.id).sha256 == kept.sha256)
        }
    }

    @Test func aClientWithFilesCannotBeDeleted() async throws {
        try await FilesTest.run { (t: FilesTest) async throws in
            _ = try await t.upload(Content(size: 10), staffUpload("client-a"))
            let holders = t.host.capabilities.all((any ClientRecordHolder).self)
            let references = try await t.host.database.pool.read { db in
                try holders.flatMap { try $0.records(of: "client-a", in: db) }.filter { $0.count > 0 }
            }
            #expect(references.map(\.description) == ["1 files"] && references.first?.plugin == "files")
            let none = try await t.host.database.pool.read { db in
                try holders.flatMap { try $0.records(of: "client-b", in: db) }.filter { $0.count > 0 }
            }
            #expect(none.isEmpty)
        }
    }

    @Test func contentTypesAreSniffedFromMagicBytes() {
        func sniff(_ bytes: [UInt8]) -> String { ContentSniffer.sniff(bytes, complete: true) }
        #expect(sniff(Array("%PDF-1.7\n%âãÏÓ".utf8)) == "application/pdf")
        #expect(sniff([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]) == "image/png")
        #expect(sniff([0xFF, 0xD8, 0xFF, 0xE0, 0, 16]) == "image/jpeg")
        #expect(sniff(Array("\u{FEFF}  <?xml version=\"1.0\"?><nfeProc/>".utf8)) == "application/xml")
        #expect(sniff(Self.zip(["[Content_Types].xml", "xl/workbook.xml"])) == ContentSniffer.xlsx)
        #expect(sniff(Self.zip(["[Content_Types].xml", "_rels/.rels", "word/document.xml"])) == ContentSniffer.docx)
        #expect(sniff(Self.zip(["notas/nf1.xml"])) == "application/zip")
        #expect(sniff(Array("Olá, mundo\r\n\tlinha 2".utf8)) == "text/plain; charset=utf-8")
        #expect(sniff([0x7C, 0x30, 0x30, 0x30, 0x30, 0x7C, 0xC7, 0xE3, 0x0D, 0x0A]) == "text/plain; charset=iso-8859-1")  // SPED, Latin-1
        #expect(sniff([0x00, 0x01, 0x02]) == "application/octet-stream")
        #expect(sniff([]) == "application/octet-stream")
        // A UTF-8 sequence cut by the end of an incomplete prefix is still text.
        #expect(ContentSniffer.sniff(Array("ação".utf8).dropLast(), complete: false) == "text/plain; charset=utf-8")
    }

    /// Local file headers of a ZIP with these entry names (no data).
    static func zip(_ names: [String]) -> [UInt8] {
        var out: [UInt8] = []
        for name in names {
            let bytes = Array(name.utf8)
            out += [0x50, 0x4B, 0x03, 0x04] + [UInt8](repeating: 0, count: 22)
            out += [UInt8(bytes.count & 0xFF), UInt8(bytes.count >> 8), 0, 0] + bytes
        }
        return out
    }

    @Test func namesAreCleanedAsMetadata() throws {
        #expect(try FileName.file("relatório\u{0301}.pdf") == "relatório\u{0301}.pdf".precomposedStringWithCanonicalMapping)
        #expect(try FileName.file("a\\b/c.txt") == "a_b_c.txt")
        #expect(try FileName.file("nota\u{0000}\u{202E}fdp.exe\r\n") == "notafdp.exe")
        #expect(throws: FileName.Problem.empty) { try FileName.file("  \u{0000} ") }
        #expect(throws: FileName.Problem.onlyDots) { try FileName.file("...") }
        #expect(try FileName.folder("Fiscal / Contábil") == "Fiscal / Contábil")
    }
}
