import ContonAPI
import ContonKit
import FilesCapability
import Foundation
import GRDB

/// One plugin's message threads (docs/THREADS.md): the conversation of an attendance or a
/// request. Each plugin that has threads owns an instance with its own table prefix, so its
/// threads live in its own tables (`<prefix>_thread_message`, `<prefix>_thread_read`) and no
/// plugin reads another's; the rules — who may post what, what a client never receives, how
/// unread messages are counted — are written once, here.
///
/// Every call runs inside the caller's transaction (`context.write { m in … m.db … }`), so a
/// message commits with the plugin's own row changes, audit entry and events.
///
/// ```swift
/// let threads = MessageThreads(prefix: "attendances")
/// // in one migration:          try threads.createTables(in: db)
/// // in a later one:            try threads.addCounters(in: db)
/// // posting, in context.write: let draft = try threads.validate(new, clientID: c, by: principal, files: files, in: m.db)
/// //                            let message = try threads.append(draft, to: id, clientID: c, by: principal, files: files, at: m.now, in: m.db)
/// ```
public struct MessageThreads: Sendable {
    public typealias Message = Conton_Threads_V1_ThreadMessage
    public typealias NewMessage = Conton_Threads_V1_NewMessage

    /// The owning plugin's table prefix (its plugin id): lower-case letters and `_`.
    public let prefix: String

    /// The longest text, in characters.
    public static let maxText = 10_000
    /// The most files one message carries.
    public static let maxAttachments = 20
    /// The most minutes one entry records (a day).
    public static let maxMinutes: Int32 = 1_440

    public init(prefix: String) {
        precondition(!prefix.isEmpty && prefix.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || $0 == "_" },
                     "a thread table prefix is lower-case letters and _")
        self.prefix = prefix
    }

    var messageTable: String { "\(prefix)_thread_message" }
    var readTable: String { "\(prefix)_thread_read" }
    var summaryTable: String { "\(prefix)_thread_summary" }

    /// Creates the two tables (their first version); call it from one of the owning plugin's
    /// migrations, and ``addCounters(in:)`` from a later one.
    public func createTables(in db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE \(messageTable) (
              thread_id INTEGER NOT NULL,
              sequence INTEGER NOT NULL,
              at_ms INTEGER NOT NULL,
              author_kind INTEGER NOT NULL,
              author_id TEXT NOT NULL,
              author_name TEXT NOT NULL,
              text TEXT NOT NULL,
              internal INTEGER NOT NULL,
              minutes INTEGER NOT NULL,
              -- JSON array of {id, name, size, sha256}; '' when none.
              attachments TEXT NOT NULL,
              PRIMARY KEY (thread_id, sequence)
            ) WITHOUT ROWID;
            CREATE TABLE \(readTable) (
              thread_id INTEGER NOT NULL,
              -- 'client', or 'staff:<user id>'.
              reader TEXT NOT NULL,
              last_read_sequence INTEGER NOT NULL,
              PRIMARY KEY (thread_id, reader)
            ) WITHOUT ROWID;
            """)
    }

    /// The thread counters (second version of the tables): a summary row per thread (messages,
    /// messages the client sees, minutes, messages to the client and from it) and, on each
    /// message, how many messages to the client and from it the thread has up to it. A list's
    /// counters are then one row per thread, and an unread count is the summary minus the
    /// running count at the reader's mark (one primary-key seek), whatever the thread's length.
    /// Fills both from the messages already stored.
    public func addCounters(in db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE \(messageTable) ADD COLUMN to_client_n INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE \(messageTable) ADD COLUMN from_client_n INTEGER NOT NULL DEFAULT 0;
            UPDATE \(messageTable) SET to_client_n = w.t, from_client_n = w.f FROM (
              SELECT thread_id, sequence,
                     sum(\(Self.toClient)) OVER (PARTITION BY thread_id ORDER BY sequence) AS t,
                     sum(\(Self.fromClient)) OVER (PARTITION BY thread_id ORDER BY sequence) AS f
              FROM \(messageTable)) AS w
            WHERE \(messageTable).thread_id = w.thread_id AND \(messageTable).sequence = w.sequence;
            CREATE TABLE \(summaryTable) (
              thread_id INTEGER PRIMARY KEY,
              last_sequence INTEGER NOT NULL,
              messages INTEGER NOT NULL,
              -- Without internal notes: what the client sees.
              public_messages INTEGER NOT NULL,
              minutes INTEGER NOT NULL,
              to_client INTEGER NOT NULL,
              from_client INTEGER NOT NULL
            );
            INSERT INTO \(summaryTable)
              SELECT thread_id, max(sequence), count(*), sum(internal = 0), sum(minutes), sum(\(Self.toClient)), sum(\(Self.fromClient))
              FROM \(messageTable) GROUP BY thread_id;
            """)
    }

    /// A message the client receives: not an internal note, not its own.
    static let toClient = "internal = 0 AND author_kind <> 2"
    /// A message the office receives: the client's.
    static let fromClient = "author_kind = 2"

    /// Who reads a thread, for unread counts: the client (any of its logins), or one staff user.
    public enum Reader: Sendable, Hashable {
        case client
        case staff(userID: String)

        /// The reader a principal is; nil for service accounts and anonymous callers, who keep
        /// no read marks.
        public init?(_ principal: Principal) {
            switch principal {
            case .client: self = .client
            case .staff(let s): self = .staff(userID: s.userID)
            default: return nil
            }
        }

        var key: String {
            switch self {
            case .client: "client"
            case .staff(let id): "staff:\(id)"
            }
        }
    }

    /// A message that passed ``validate(_:clientID:by:files:field:in:)``.
    public struct Draft: Sendable {
        public var text: String
        public var isInternal: Bool
        public var minutes: Int32
        public var attachments: [FileFacts]
    }

    /// Checks `new` as `principal` would post it on a thread of client `clientID`: every
    /// violation at once under `field` (text length, minutes, attachments that are not the
    /// client's or the office's own), and PERMISSION_DENIED when a client asks for an internal
    /// note or records minutes. `files` is nil when the files plugin does not run (attachments
    /// are then refused).
    public func validate(_ new: NewMessage, clientID: String, by principal: Principal, files: (any FileCatalog)?,
                         field: String = "message", in db: Database) throws -> Draft {
        if case .client = principal, new.internal || new.minutes != 0 {
            throw ServiceError(.permissionDenied, new.internal ? "a client cannot write internal notes" : "a client does not record minutes",
                               reason: "OFFICE_ONLY")
        }
        var errors = FieldErrors()
        let text = new.text.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty && new.attachmentFileIds.isEmpty { errors.add("\(field).text", "is required (or attach a file)") }
        if text.count > Self.maxText { errors.add("\(field).text", "must have at most 10,000 characters (\(text.count) given)") }
        if new.minutes < 0 || new.minutes > Self.maxMinutes { errors.add("\(field).minutes", "must be 0 to 1,440") }
        if new.attachmentFileIds.count > Self.maxAttachments {
            errors.add("\(field).attachment_file_ids", "at most \(Self.maxAttachments) files")
        }
        var attachments: [FileFacts] = []
        if !new.attachmentFileIds.isEmpty {
            if let files {
                let found = try files.files(new.attachmentFileIds, in: db)
                var seen = Set<String>()
                for (i, id) in new.attachmentFileIds.prefix(Self.maxAttachments).enumerated() {
                    let path = "\(field).attachment_file_ids[\(i)]"
                    guard seen.insert(id).inserted else { errors.add(path, "file \(id) is attached twice"); continue }
                    guard let file = found[id] else { errors.add(path, "no file \(id)"); continue }
                    if file.clientID != clientID && !(file.clientID.isEmpty && Self.isStaff(principal)) {
                        errors.add(path, "file \(id) is in another client's area")
                        continue
                    }
                    attachments.append(file)
                }
            } else {
                errors.add("\(field).attachment_file_ids", "the files plugin does not run on this server")
            }
        }
        try errors.check()
        return Draft(text: text, isInternal: new.internal, minutes: new.minutes, attachments: attachments)
    }

    static func isStaff(_ principal: Principal) -> Bool {
        if case .staff = principal { true } else { false }
    }

    /// Appends `draft` to thread `thread` (of client `clientID`) as `principal` (nil: the server
    /// itself) at `now`; returns the message. Files of the office's own area attached to a message
    /// the client sees move into the client's area. The author has read the thread up to its own
    /// message.
    @discardableResult
    public func append(_ draft: Draft, to thread: Int64, clientID: String, by principal: Principal?, files: (any FileCatalog)?,
                       at now: Int64, in db: Database) throws -> Message {
        var m = Message()
        let before = try Row.fetchOne(try db.cachedStatement(sql: "SELECT last_sequence, to_client, from_client FROM \(summaryTable) WHERE thread_id = ?"),
                                      arguments: [thread])
        m.sequence = (before.map { $0[0] as Int64 } ?? 0) + 1
        m.atMs = now
        switch principal {
        case .staff(let s)?: (m.authorKind, m.authorId, m.authorName) = (.staff, s.userID, s.name.isEmpty ? s.email : s.name)
        case .client(let c)?: (m.authorKind, m.authorId, m.authorName) = (.client, c.userID, c.name.isEmpty ? c.email : c.name)
        case let other?: (m.authorKind, m.authorId, m.authorName) = (.system, other.id, other.displayName)
        case nil: (m.authorKind, m.authorId, m.authorName) = (.system, "", "ContOn")
        }
        m.text = draft.text
        m.internal = draft.isInternal
        m.minutes = draft.minutes
        m.attachments = Self.attachments(draft.attachments)
        if !draft.isInternal, let files {
            for f in draft.attachments where f.clientID.isEmpty { try files.deliver(f.id, to: clientID, in: db) }
        }
        let toClient: Int64 = !m.internal && m.authorKind != .client ? 1 : 0, fromClient: Int64 = m.authorKind == .client ? 1 : 0
        try db.cachedStatement(sql: """
            INSERT INTO \(messageTable) (thread_id, sequence, at_ms, author_kind, author_id, author_name, text, internal, minutes, attachments,
                                          to_client_n, from_client_n)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [thread, m.sequence, m.atMs, m.authorKind.rawValue, m.authorId, m.authorName, m.text, m.internal,
                                     m.minutes, try Self.encode(m.attachments),
                                     (before.map { $0[1] as Int64 } ?? 0) + toClient, (before.map { $0[2] as Int64 } ?? 0) + fromClient])
        try db.cachedStatement(sql: """
            INSERT INTO \(summaryTable) (thread_id, last_sequence, messages, public_messages, minutes, to_client, from_client)
            VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6)
            ON CONFLICT (thread_id) DO UPDATE SET last_sequence = ?2, messages = messages + 1, public_messages = public_messages + ?3,
              minutes = minutes + ?4, to_client = to_client + ?5, from_client = from_client + ?6
            """).execute(arguments: [thread, m.sequence, m.internal ? 0 : 1, m.minutes, toClient, fromClient])
        if let principal, let reader = Reader(principal) { try markRead(thread, reader: reader, upTo: m.sequence, in: db) }
        return m
    }

    /// Up to `limit` messages of `thread` after sequence `after` (0: from the first), oldest
    /// first; internal notes only when `includeInternal` (never for a client).
    public func page(_ thread: Int64, after: Int64, limit: Int, includeInternal: Bool, in db: Database) throws -> [Message] {
        let sql = """
            SELECT sequence, at_ms, author_kind, author_id, author_name, text, internal, minutes, attachments FROM \(messageTable)
            WHERE thread_id = ? AND sequence > ?\(includeInternal ? "" : " AND internal = 0") ORDER BY sequence LIMIT ?
            """
        return try Row.fetchAll(try db.cachedStatement(sql: sql), arguments: [thread, after, limit]).map { row in
            var m = Message()
            m.sequence = row[0]
            m.atMs = row[1]
            m.authorKind = .init(rawValue: row[2])
            m.authorId = row[3]
            m.authorName = row[4]
            m.text = row[5]
            m.internal = row[6]
            m.minutes = row[7]
            m.attachments = try Self.decode(row[8])
            return m
        }
    }

    /// A request's page (`page_size` 1–500, default 100; `page_token` from the previous page):
    /// the messages and the next page's token ("" after the last).
    public struct Page: Sendable {
        let pagination: Pagination
        let after: Int64

        public init(size: Int32, token: String) throws {
            pagination = try Pagination(size: size, token: token, defaultSize: 100)
            guard let after = Int64(pagination.after ?? "0"), after >= 0 else {
                throw FieldErrors.single("page_token", "is not a token from a previous page")
            }
            self.after = after
        }
    }

    /// The messages of `page` of `thread` (see ``page(_:after:limit:includeInternal:in:)``) and
    /// the next page's token.
    public func page(_ thread: Int64, _ page: Page, includeInternal: Bool, in db: Database) throws -> (messages: [Message], nextPageToken: String) {
        let messages = try self.page(thread, after: page.after, limit: page.pagination.size, includeInternal: includeInternal, in: db)
        return (messages, page.pagination.nextToken(lastKey: messages.last.map { String($0.sequence) }, returned: messages.count))
    }

    /// The caller's "read up to": `sequence` (0, or beyond the last message: every message so far).
    /// Throws INVALID_ARGUMENT under `up_to_sequence` for a negative one.
    public func markRead(_ thread: Int64, reader: Reader, upToSequence sequence: Int64, in db: Database) throws {
        if sequence < 0 { throw FieldErrors.single("up_to_sequence", "must not be negative") }
        let last = try Int64.fetchOne(try db.cachedStatement(sql: "SELECT last_sequence FROM \(summaryTable) WHERE thread_id = ?"),
                                      arguments: [thread]) ?? 0
        try markRead(thread, reader: reader, upTo: sequence == 0 ? last : min(sequence, last), in: db)
    }

    /// The reader `principal` is, or FAILED_PRECONDITION `NO_READER` (a service account keeps no
    /// read marks).
    public static func reader(_ principal: Principal) throws -> Reader {
        guard let reader = Reader(principal) else {
            throw ServiceError(.failedPrecondition, "only a staff user or a client keeps read marks", reason: "NO_READER")
        }
        return reader
    }

    /// Moves `reader`'s mark on `thread` to `sequence` (never back).
    public func markRead(_ thread: Int64, reader: Reader, upTo sequence: Int64, in db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO \(readTable) (thread_id, reader, last_read_sequence) VALUES (?, ?, ?)
            ON CONFLICT (thread_id, reader) DO UPDATE SET last_read_sequence = max(last_read_sequence, excluded.last_read_sequence)
            """).execute(arguments: [thread, reader.key, sequence])
    }

    /// The messages of each of `threads` that `reader` has not read, by thread (threads with none
    /// absent): for the client, the others' messages it receives (never internal notes); for a
    /// staff user, the client's.
    public func unread(_ threads: [Int64], reader: Reader, in db: Database) throws -> [Int64: Int] {
        guard !threads.isEmpty else { return [:] }
        let (total, running) = reader == .client ? ("to_client", "to_client_n") : ("from_client", "from_client_n")
        // The summary's total less the running count at the reader's mark: one seek per thread.
        return try counters(threads, sql: """
            SELECT s.thread_id, s.\(total) - coalesce((SELECT m.\(running) FROM \(messageTable) m
                WHERE m.thread_id = s.thread_id AND m.sequence <= r.last_read_sequence ORDER BY m.sequence DESC LIMIT 1), 0)
            FROM \(summaryTable) s LEFT JOIN \(readTable) r ON r.thread_id = s.thread_id AND r.reader = ?
            WHERE s.thread_id IN (SELECT value FROM json_each(?))
            """, arguments: [reader.key, Self.json(threads)], in: db)
    }

    /// Each thread's value from a `SELECT thread_id, value` statement, threads whose value is 0
    /// absent.
    private func counters<Value: DatabaseValueConvertible & Numeric>(_ threads: [Int64], sql: String, arguments: StatementArguments,
                                                                    in db: Database) throws -> [Int64: Value] {
        var out: [Int64: Value] = [:]
        for row in try Row.fetchAll(try db.cachedStatement(sql: sql), arguments: arguments) {
            let value: Value = row[1]
            if value != 0 { out[row[0]] = value }
        }
        return out
    }

    /// Thread ids as the JSON array `json_each` reads.
    static func json(_ threads: [Int64]) -> String {
        "[" + threads.map(String.init).joined(separator: ",") + "]"
    }

    /// How many messages each of `threads` has (without internal notes unless
    /// `includeInternal`), by thread (threads with none absent).
    public func counts(_ threads: [Int64], includeInternal: Bool, in db: Database) throws -> [Int64: Int] {
        guard !threads.isEmpty else { return [:] }
        return try counters(threads, sql: """
            SELECT thread_id, \(includeInternal ? "messages" : "public_messages") FROM \(summaryTable)
            WHERE thread_id IN (SELECT value FROM json_each(?))
            """, arguments: [Self.json(threads)], in: db)
    }

    /// The minutes recorded on each of `threads`, by thread (threads with none absent).
    public func minutes(_ threads: [Int64], in db: Database) throws -> [Int64: Int64] {
        guard !threads.isEmpty else { return [:] }
        return try counters(threads, sql: "SELECT thread_id, minutes FROM \(summaryTable) WHERE thread_id IN (SELECT value FROM json_each(?))",
                            arguments: [Self.json(threads)], in: db)
    }

    /// Removes thread `thread` (when its owner is deleted).
    public func delete(_ thread: Int64, in db: Database) throws {
        try db.execute(sql: "DELETE FROM \(messageTable) WHERE thread_id = ?", arguments: [thread])
        try db.execute(sql: "DELETE FROM \(readTable) WHERE thread_id = ?", arguments: [thread])
        try db.execute(sql: "DELETE FROM \(summaryTable) WHERE thread_id = ?", arguments: [thread])
    }

    private struct StoredAttachment: Codable {
        var id: String
        var name: String
        var size: Int64
        var sha256: String
    }

    /// `files` as attachments (their id, name, size and SHA-256 now).
    public static func attachments(_ files: [FileFacts]) -> [Conton_Threads_V1_Attachment] {
        files.map { f in
            var a = Conton_Threads_V1_Attachment()
            (a.fileId, a.fileName, a.size, a.sha256) = (f.id, f.fileName, f.size, f.sha256)
            return a
        }
    }

    /// Attachments as stored (a JSON array; "" for none), for a plugin that keeps files beside a
    /// thread (a request's checklist items).
    public static func encode(_ attachments: [Conton_Threads_V1_Attachment]) throws -> String {
        guard !attachments.isEmpty else { return "" }
        let stored = attachments.map { StoredAttachment(id: $0.fileId, name: $0.fileName, size: $0.size, sha256: $0.sha256) }
        return String(decoding: try JSONEncoder().encode(stored), as: UTF8.self)
    }

    /// The attachments ``encode(_:)`` stored.
    public static func decode(_ text: String) throws -> [Conton_Threads_V1_Attachment] {
        guard !text.isEmpty else { return [] }
        return try JSONDecoder().decode([StoredAttachment].self, from: Data(text.utf8)).map { s in
            var a = Conton_Threads_V1_Attachment()
            (a.fileId, a.fileName, a.size, a.sha256) = (s.id, s.name, s.size, s.sha256)
            return a
        }
    }
}
