import ContonAPI
@_exported import ContonDocuments
import ContonKit
import ContonStore
import GRPCCore

/// Printing for every plugin (provided by the documents plugin): a plugin describes a document
/// (``ContonDocuments/PrintedDocument``) or a table (``ContonDocuments/CSVTable``); the issuer
/// renders it with the office's letterhead, gives it a verification code (printed, with its QR
/// code), records the code, the SHA-256 of the bytes, the kind, the entity, who asked and when
/// (one transaction, with its audit row), and hands back the file to stream.
///
/// ```swift
/// let file = try await context.capabilities.documents.issuePDF(document, about: .init("receipt", "12", clientID: id),
///                                                              for: serverContext.principal)
/// return file.response
/// ```
public protocol DocumentIssuer: Sendable {
    /// Renders `document` as PDF and records it.
    func issuePDF(_ document: PrintedDocument, about subject: DocumentSubject, for principal: Principal) async throws -> IssuedFile

    /// Encodes `table` as CSV (UTF-8 with BOM, `;`) and records it; `kind` and `title` as for a
    /// PDF (the code is in the stream's header, not in the file).
    func issueCSV(_ table: CSVTable, kind: String, title: String, fileName: String, about subject: DocumentSubject,
                  for principal: Principal) async throws -> IssuedFile
}

/// The record a document is about: `receipt` 12, `client` 7f3…, a list (`receivables`, no id).
public struct DocumentSubject: Sendable, Hashable {
    public var entityType: String
    public var entityID: String
    /// The client it belongs to, when it is one client's.
    public var clientID: String

    public init(_ entityType: String, _ entityID: String = "", clientID: String = "") {
        self.entityType = entityType
        self.entityID = entityID
        self.clientID = clientID
    }
}

/// An issued file, ready to stream.
public struct IssuedFile: Sendable {
    public var bytes: [UInt8]
    public var sha256: String
    public var contentType: String
    public var fileName: String
    public var verificationCode: String
    public var pages: Int

    public init(bytes: [UInt8], sha256: String, contentType: String, fileName: String, verificationCode: String, pages: Int) {
        self.bytes = bytes
        self.sha256 = sha256
        self.contentType = contentType
        self.fileName = fileName
        self.verificationCode = verificationCode
        self.pages = pages
    }

    /// The largest `data` chunk streamed.
    public static let chunkBytes = 64 * 1024

    /// The header message: content type, SHA-256, size, file name, code, pages.
    public var header: Conton_Documents_V1_DocumentHeader {
        var header = Conton_Documents_V1_DocumentHeader()
        header.contentType = contentType
        header.sha256 = sha256
        header.sizeBytes = Int64(bytes.count)
        header.fileName = fileName
        header.verificationCode = verificationCode
        header.pages = Int32(pages)
        return header
    }

    /// The messages of the stream: the header, then the bytes in chunks of ``chunkBytes``.
    public var chunks: [Conton_Documents_V1_DocumentChunk] {
        var first = Conton_Documents_V1_DocumentChunk()
        first.header = header
        var chunks = [first]
        var offset = 0
        while offset < bytes.count {
            var chunk = Conton_Documents_V1_DocumentChunk()
            chunk.data = Array(bytes[offset..<min(offset + Self.chunkBytes, bytes.count)])
            chunks.append(chunk)
            offset += Self.chunkBytes
        }
        return chunks
    }

    /// Writes the stream to a server-streaming method's writer.
    public func write(to writer: RPCWriter<Conton_Documents_V1_DocumentChunk>) async throws {
        for chunk in chunks { try await writer.write(chunk) }
    }

    /// The response of a server-streaming document method.
    public var response: StreamingServerResponse<Conton_Documents_V1_DocumentChunk> {
        let chunks = self.chunks
        return StreamingServerResponse { writer in
            for chunk in chunks { try await writer.write(chunk) }
            return [:]
        }
    }
}

extension Capabilities {
    /// The documents plugin's ``DocumentIssuer`` (name `(any DocumentIssuer).self` in
    /// `requiredCapabilities`).
    public var documents: any DocumentIssuer {
        get throws(CapabilityError) { try require((any DocumentIssuer).self) }
    }
}

/// The receiving end of a document stream (`conton download`, tests, clients in Swift): the
/// header first, then data chunks; checks the size and SHA-256 the header announced.
public struct DocumentReceiver: Sendable {
    public private(set) var header: Conton_Documents_V1_DocumentHeader?
    public private(set) var bytes: [UInt8] = []

    /// Why a stream is not a whole document.
    public enum Problem: Error, Sendable, Hashable, CustomStringConvertible {
        case noHeader, headerAgain, dataBeforeHeader, emptyMessage
        case sizeMismatch(announced: Int64, received: Int)
        case digestMismatch(announced: String, received: String)

        public var description: String {
            switch self {
            case .noHeader: "the stream ended without a header"
            case .headerAgain: "a second header arrived"
            case .dataBeforeHeader: "data arrived before the header"
            case .emptyMessage: "a message carried neither header nor data"
            case .sizeMismatch(let announced, let received): "the header announced \(announced) bytes; \(received) arrived"
            case .digestMismatch(let announced, let received): "the header announced SHA-256 \(announced); the bytes hash to \(received)"
            }
        }
    }

    public init() {}

    /// Takes the next message.
    public mutating func receive(_ chunk: Conton_Documents_V1_DocumentChunk) throws(Problem) {
        switch chunk.part {
        case .header(let header)?:
            guard self.header == nil else { throw .headerAgain }
            self.header = header
            bytes.reserveCapacity(Int(clamping: header.sizeBytes))
        case .data(let data)?:
            guard header != nil else { throw .dataBeforeHeader }
            bytes.append(contentsOf: data)
        case nil:
            throw .emptyMessage
        }
    }

    /// Receives a whole stream of chunks and finishes it.
    public static func collect<Chunks: AsyncSequence>(_ chunks: Chunks) async throws
        -> (header: Conton_Documents_V1_DocumentHeader, bytes: [UInt8]) where Chunks.Element == Conton_Documents_V1_DocumentChunk {
        var receiver = DocumentReceiver()
        for try await chunk in chunks { try receiver.receive(chunk) }
        return try receiver.finish()
    }

    /// The header and the bytes, once the stream ended, checked against the header.
    public func finish() throws(Problem) -> (header: Conton_Documents_V1_DocumentHeader, bytes: [UInt8]) {
        guard let header else { throw .noHeader }
        guard header.sizeBytes == Int64(bytes.count) else { throw .sizeMismatch(announced: header.sizeBytes, received: bytes.count) }
        let digest = SHA256.hex(bytes)
        guard digest == header.sha256 else { throw .digestMismatch(announced: header.sha256, received: digest) }
        return (header, bytes)
    }
}
