import ContonAPI
import ContonKit
import ContonStore
import ContonTesting
import ContonThreads
import FilesCapability
import Foundation
import GRDB
import GRPCCore
import Testing

/// The files a test catalogue knows: one in client A's area, one in B's, one in the office's
/// own area; `deliver` moves rows of an in-memory table the catalogue owns.
/// (Stands in for the files plugin, whose own tests cover its FileCatalog.)
struct TestFiles: FileCatalog {
    func file(_ id: String, in db: Database) throws -> FileFacts? { try files([id], in: db)[id] }

    func files(_ ids: [String], in db: Database) throws -> [String: FileFacts] {
        var out: [String: FileFacts] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, client_id FROM test_file") where ids.contains(row["id"]) {
            out[row["id"]] = FileFacts(id: row["id"], clientID: row["client_id"], fileName: "\(row["id"] as String).pdf", size: 10,
                                       sha256: String(repeating: "a", count: 64), contentType: "application/pdf")
        }
        return out
    }

    func deliver(_ id: String, to clientID: String, in db: Database) throws {
        try db.execute(sql: "UPDATE test_file SET client_id = ? WHERE id = ? AND client_id = ''", arguments: [clientID, id])
    }

    func readContent(of file: FileFacts, chunkBytes: Int, _ body: ([UInt8]) async throws -> Void) async throws {}
}

@Suite struct MessageThreadsTests {
    static let staff = Principal.staff(StaffIdentity(userID: "u-maria", email: "maria@office.example", name: "Maria Souza", role: .staff))
    static let otherStaff = Principal.staff(StaffIdentity(userID: "u-joao", email: "joao@office.example", name: "João", role: .staff))
    static let client = Principal.client(ClientIdentity(userID: "u-a", email: "a@client.example", name: "Padaria A", clientID: "A"))

    /// A fresh database with one plugin's thread tables and the test file catalogue.
    static func withThreads<T>(_ body: (MessageThreads, ContonDatabase) async throws -> T) async throws -> T {
        let directory = NSTemporaryDirectory() + "conton-threads-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = try ContonDatabase(dataDirectory: directory)
        let threads = MessageThreads(prefix: "demo")
        try await database.pool.write { db in
            try threads.createTables(in: db)
            try threads.addCounters(in: db)
            try db.execute(sql: """
                CREATE TABLE test_file (id TEXT PRIMARY KEY, client_id TEXT NOT NULL);
                INSERT INTO test_file VALUES ('fa', 'A'), ('fb', 'B'), ('fo', '');
                """)
        }
        return try await body(threads, database)
    }

    static func new(_ text: String, internal isInternal: Bool = false, minutes: Int32 = 0, files: [String] = []) -> MessageThreads.NewMessage {
        var m = MessageThreads.NewMessage()
        m.text = text
        m.internal = isInternal
        m.minutes = minutes
        m.attachmentFileIds = files
        return m
    }

    static func post(_ threads: MessageThreads, _ db: Database, _ new: MessageThreads.NewMessage, by who: Principal, thread: Int64 = 1,
                     at: Int64 = 1_000) throws -> MessageThreads.Message {
        let draft = try threads.validate(new, clientID: "A", by: who, files: TestFiles(), in: db)
        return try threads.append(draft, to: thread, clientID: "A", by: who, files: TestFiles(), at: at, in: db)
    }

    @Test func internalNotesNeverReachTheClientAndUnreadCountsEachSide() async throws {
        try await Self.withThreads { threads, database in
            try await database.pool.write { db in
                _ = try Self.post(threads, db, Self.new("Olá, precisamos do extrato de novembro."), by: Self.staff)
                _ = try Self.post(threads, db, Self.new("Cliente costuma atrasar.", internal: true, minutes: 5), by: Self.staff)
                _ = try Self.post(threads, db, Self.new("Segue o extrato.", files: ["fa"]), by: Self.client)
                _ = try Self.post(threads, db, Self.new("Recebido, obrigado.", minutes: 10), by: Self.otherStaff)
            }
            try await database.pool.read { db in
                let office = try threads.page(1, after: 0, limit: 50, includeInternal: true, in: db)
                #expect(office.map(\.sequence) == [1, 2, 3, 4])
                #expect(office[1].internal && office[1].minutes == 5)
                #expect(office[0].authorKind == .staff && office[0].authorName == "Maria Souza")
                #expect(office[2].authorKind == .client && office[2].attachments.map(\.fileId) == ["fa"])
                let portal = try threads.page(1, after: 0, limit: 50, includeInternal: false, in: db)
                #expect(portal.map(\.sequence) == [1, 3, 4])
                #expect(!portal.contains { $0.internal })
                // Pages: after a sequence, at most `limit`.
                #expect(try threads.page(1, after: 1, limit: 2, includeInternal: true, in: db).map(\.sequence) == [2, 3])
                // The client has read up to its own message (3): the office's reply (4) is unread;
                // the internal note (2) never counts for it.
                #expect(try threads.unread([1], reader: .client, in: db) == [1: 1])
                // Maria posted 1 and 2: the client's 3 is unread for her; João posted 4, after it.
                #expect(try threads.unread([1], reader: .staff(userID: "u-maria"), in: db) == [1: 1])
                #expect(try threads.unread([1], reader: .staff(userID: "u-joao"), in: db) == [:])
                #expect(try threads.minutes([1], in: db) == [1: 15])
            }
            try await database.pool.write { db in
                try threads.markRead(1, reader: .client, upTo: 4, in: db)
                try threads.markRead(1, reader: .client, upTo: 2, in: db)      // never back
            }
            #expect(try await database.pool.read { db in try threads.unread([1], reader: .client, in: db) } == [:])
        }
    }

    /// The counters a scan of the messages gives, as the first version counted them: the
    /// independent oracle for the summary and the running counts.
    static func scanned(_ threads: [Int64], reader: MessageThreads.Reader, in db: Database) throws
        -> (all: [Int64: Int], visible: [Int64: Int], minutes: [Int64: Int64], unread: [Int64: Int]) {
        let whose = reader == .client ? "m.internal = 0 AND m.author_kind <> 2" : "m.author_kind = 2"
        var out: (all: [Int64: Int], visible: [Int64: Int], minutes: [Int64: Int64], unread: [Int64: Int]) = ([:], [:], [:], [:])
        for t in threads {
            let all = try Int.fetchOne(db, sql: "SELECT count(*) FROM demo_thread_message WHERE thread_id = ?", arguments: [t])!
            let visible = try Int.fetchOne(db, sql: "SELECT count(*) FROM demo_thread_message WHERE thread_id = ? AND internal = 0", arguments: [t])!
            let minutes = Int64(try Double.fetchOne(db, sql: "SELECT total(minutes) FROM demo_thread_message WHERE thread_id = ?", arguments: [t]) ?? 0)
            let unread = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM demo_thread_message m LEFT JOIN demo_thread_read r ON r.thread_id = m.thread_id AND r.reader = ?
                WHERE m.thread_id = ? AND m.sequence > coalesce(r.last_read_sequence, 0) AND \(whose)
                """, arguments: [reader == .client ? "client" : "staff:u-maria", t])!
            if all > 0 { out.all[t] = all }
            if visible > 0 { out.visible[t] = visible }
            if minutes > 0 { out.minutes[t] = minutes }
            if unread > 0 { out.unread[t] = unread }
        }
        return out
    }

    static func expectCountersMatchAScan(_ threads: MessageThreads, _ ids: [Int64], in db: Database) throws {
        for reader in [MessageThreads.Reader.client, .staff(userID: "u-maria")] {
            let scan = try scanned(ids, reader: reader, in: db)
            #expect(try threads.counts(ids, includeInternal: true, in: db) == scan.all)
            #expect(try threads.counts(ids, includeInternal: false, in: db) == scan.visible)
            #expect(try threads.minutes(ids, in: db) == scan.minutes)
            #expect(try threads.unread(ids, reader: reader, in: db) == scan.unread, "\(reader)")
        }
    }

    @Test func theThreadCountersAreFilledFromExistingMessagesAndFollowEveryPost() async throws {
        let directory = NSTemporaryDirectory() + "conton-threads-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = try ContonDatabase(dataDirectory: directory)
        let threads = MessageThreads(prefix: "demo")
        let ids: [Int64] = [1, 2, 3, 4]
        try await database.pool.write { db in
            var seed: UInt64 = 42
            func next(_ n: UInt64) -> Int { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return Int((seed >> 33) % n) }
            // Messages written by the first version of the tables, before the counters existed.
            try threads.createTables(in: db)
            try db.execute(sql: "CREATE TABLE test_file (id TEXT PRIMARY KEY, client_id TEXT NOT NULL)")
            for t in ids.prefix(3) {
                for sequence in 1...(20 + next(30)) {
                    try db.execute(sql: """
                        INSERT INTO demo_thread_message (thread_id, sequence, at_ms, author_kind, author_id, author_name, text, internal, minutes, attachments)
                        VALUES (?, ?, 1000, ?, 'x', 'X', 'texto', ?, ?, '')
                        """, arguments: [t, sequence, 1 + next(3), next(4) == 0, next(3) == 0 ? next(60) : 0])
                }
                try db.execute(sql: "INSERT INTO demo_thread_read VALUES (?, 'client', ?), (?, 'staff:u-maria', ?)",
                               arguments: [t, next(40), t, next(40)])
            }
            try threads.addCounters(in: db)
            try Self.expectCountersMatchAScan(threads, ids, in: db)
            // Then posts by each side, notes among them, and read marks moving, on old and new threads.
            let authors = [Self.staff, Self.otherStaff, Self.client]
            for _ in 0..<200 {
                let who = authors[next(3)], t = ids[next(4)]
                let note = !(who == Self.client) && next(4) == 0
                let minutes: Int32 = who == Self.client ? 0 : Int32(next(3) == 0 ? next(30) : 0)
                _ = try Self.post(threads, db, Self.new("mensagem", internal: note, minutes: minutes), by: who, thread: t)
                if next(10) == 0 { try threads.markRead(ids[next(4)], reader: next(2) == 0 ? .client : .staff(userID: "u-maria"), upToSequence: Int64(next(60)), in: db) }
                try Self.expectCountersMatchAScan(threads, ids, in: db)
            }
            try threads.delete(2, in: db)
            try Self.expectCountersMatchAScan(threads, ids, in: db)
            #expect(try threads.counts([2], includeInternal: true, in: db) == [:])
        }
    }

    @Test func badMessagesAreRefusedWithEveryViolation() async throws {
        try await Self.withThreads { threads, database in
            try await database.pool.write { db in
                let long = String(repeating: "x", count: MessageThreads.maxText + 1)
                do {
                    _ = try Self.post(threads, db, Self.new(long, minutes: 2_000, files: ["fb", "nope", "fa", "fa"]), by: Self.staff)
                    Issue.record("accepted")
                } catch let error as RPCError {
                    #expect(error.code == .invalidArgument)
                    let fields = Set(error.violations.keys)
                    #expect(fields == ["message.text", "message.minutes", "message.attachment_file_ids[0]",
                                            "message.attachment_file_ids[1]", "message.attachment_file_ids[3]"], "\(fields)")
                }
                // A client may not write internal notes nor record minutes; nor attach the office's own files.
                for bad in [Self.new("nota", internal: true), Self.new("tempo", minutes: 3)] {
                    do {
                        _ = try Self.post(threads, db, bad, by: Self.client)
                        Issue.record("accepted")
                    } catch let error as ServiceError {
                        #expect(error.code == .permissionDenied)
                    }
                }
                do {
                    _ = try Self.post(threads, db, Self.new("arquivo do escritório", files: ["fo"]), by: Self.client)
                    Issue.record("accepted")
                } catch let error as RPCError {
                    #expect(error.code == .invalidArgument)
                }
                #expect(try threads.page(1, after: 0, limit: 50, includeInternal: true, in: db).isEmpty)
                // The office's own file attached to a message the client sees moves into the client's area.
                _ = try Self.post(threads, db, Self.new("Segue o contrato.", files: ["fo"]), by: Self.staff)
                #expect(try String.fetchOne(db, sql: "SELECT client_id FROM test_file WHERE id = 'fo'") == "A")
            }
        }
    }
}
