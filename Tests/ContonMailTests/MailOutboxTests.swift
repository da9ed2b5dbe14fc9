@testable import ContonMail
import ContonStore
import Foundation
import GRDB
import Testing

@Suite("Outbox and worker")
struct MailOutboxTests {
    let data: TemporaryDirectory
    let clock = ManualClock()

    init() throws {
        data = try TemporaryDirectory("data")
    }

    func message(_ to: String = "ana@cliente.example", subject: String = "Aviso") throws -> MailMessage {
        MailMessage(to: [try MailAddress(to)], subject: subject, textBody: "Olá, tudo bem?")
    }

    @Test("the migration is named mail.1_outbox")
    func migrationName() throws {
        var migrator = DatabaseMigrator()
        MailOutbox.registerMigrations(&migrator)
        #expect(migrator.migrations == ["mail.1_outbox"])
    }

    @Test("a mail row commits or rolls back with the caller's transaction")
    func transactional() async throws {
        let database = try openDatabase(data.path)
        try await database.pool.write { db in
            try db.execute(sql: "CREATE TABLE demo_clients (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        }
        struct Abort: Error {}
        let message = try message()
        let clock = self.clock
        await #expect(throws: Abort.self) {
            try await database.pool.write { db in
                try db.execute(sql: "INSERT INTO demo_clients (name) VALUES ('Ana')")
                try MailOutbox.enqueue(message, nowMilliseconds: clock.milliseconds, in: db)
                throw Abort()
            }
        }
        var counts = try await database.pool.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM demo_clients")!, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM mail_outbox")!)
        }
        #expect(counts == (0, 0))

        let id = try await database.pool.write { db in
            try db.execute(sql: "INSERT INTO demo_clients (name) VALUES ('Ana')")
            return try MailOutbox.enqueue(message, nowMilliseconds: clock.milliseconds, in: db)
        }
        counts = try await database.pool.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM demo_clients")!, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM mail_outbox")!)
        }
        #expect(counts == (1, 1))
        let row = try await fetch(id, in: database)
        #expect(row.status == .queued && row.attempts == 0)
        #expect(row.recipients == ["ana@cliente.example"])
        #expect(row.message == message)
        #expect(row.nextAttemptAtMilliseconds == clock.milliseconds)
        #expect(try await database.pool.read { db in try MailOutbox.counts(in: db) } == [.queued: 1])
    }

    @Test("a message without recipients is refused")
    func noRecipients() async throws {
        let database = try openDatabase(data.path)
        await #expect(throws: MailOutboxError.noRecipients) {
            try await database.pool.write { db in
                try MailOutbox.enqueue(MailMessage(to: [], subject: "x", textBody: "y"), nowMilliseconds: 0, in: db)
            }
        }
    }

    @Test("queued rows survive a restart and a new worker delivers them")
    func survivesRestart() async throws {
        let server = try await SMTPTestServer()
        defer { server.stop() }
        var database = try openDatabase(data.path)
        let first = try await enqueue(try message("um@cliente.example"), in: database, at: clock.milliseconds)
        let second = try await enqueue(try message("dois@cliente.example"), in: database, at: clock.milliseconds)
        try database.close()

        database = try openDatabase(data.path)
        let worker = MailDeliveryWorker(database: database, transport: try SMTPMailTransport(url: server.url(query: "tls=none")),
                                        from: sender, now: clock.now)
        #expect(await worker.deliverDue() == 2)
        #expect(try await fetch(first, in: database).status == .sent)
        #expect(try await fetch(second, in: database).status == .sent)
        #expect(try server.messages().map(\.rcpt_tos) == [["um@cliente.example"], ["dois@cliente.example"]])
    }

    @Test("a crash during a send leaves the row queued: it goes out once after the lease, with the same Message-ID")
    func crashDuringSend() async throws {
        let server = try await SMTPTestServer()
        defer { server.stop() }
        var database = try openDatabase(data.path)
        let id = try await enqueue(try message(), in: database, at: clock.milliseconds)
        // A worker claims the row and dies before recording anything.
        let lease = MailRetryPolicy.default.claimLeaseMilliseconds
        let now = clock.milliseconds
        let claimed = try await database.pool.write { db in
            try MailOutbox.claimNextDue(nowMilliseconds: now, leaseMilliseconds: lease, in: db)
        }
        #expect(claimed?.id == id)
        try database.close()

        database = try openDatabase(data.path)
        let worker = MailDeliveryWorker(database: database, transport: try SMTPMailTransport(url: server.url(query: "tls=none")),
                                        from: sender, now: clock.now)
        // While the lease runs, the row is neither lost nor taken twice.
        #expect(await worker.deliverDue() == 0)
        var row = try await fetch(id, in: database)
        #expect(row.status == .queued && row.attempts == 1)

        clock.advance(by: lease)
        #expect(await worker.deliverDue() == 1)
        row = try await fetch(id, in: database)
        #expect(row.status == .sent && row.attempts == 2)
        let received = try server.messages()
        #expect(received.count == 1)
        #expect(received.first?.message.message_id == "<\(row.messageToken)@contabil.example>")
    }

    @Test("run() sleeps until woken, delivers, and stops when cancelled")
    func runAndWake() async throws {
        let database = try openDatabase(data.path)
        let outbox = data.path + "/outbox"
        let worker = MailDeliveryWorker(database: database, transport: EMLFileMailTransport(directory: outbox),
                                        from: sender, now: { Int64(Date().timeIntervalSince1970 * 1000) })
        let task = Task { await worker.run() }
        // Let it reach its idle sleep (60 s), then enqueue and wake it.
        try await Task.sleep(for: .milliseconds(300))
        let id = try await enqueue(try message(), in: database, at: Int64(Date().timeIntervalSince1970 * 1000))
        worker.wake()
        let deadline = Date().addingTimeInterval(60)  // a bound, not a wait: a busy machine may need it
        var status = MailOutbox.Status.queued
        while status != .sent, Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
            status = try await fetch(id, in: database).status
        }
        #expect(status == .sent)
        task.cancel()
        let stopped = Date()
        await task.value
        #expect(Date().timeIntervalSince(stopped) < 5)
        #expect(try FileManager.default.contentsOfDirectory(atPath: outbox).filter { $0.hasSuffix(".eml") }.count == 1)
    }

    @Test("without SMTP each message becomes a parseable .eml file under <data-dir>/outbox")
    func emlFallback() async throws {
        let database = try openDatabase(data.path)
        let transport = try MailTransportFactory.transport(smtpURL: nil, dataDirectory: data.path)
        let worker = MailDeliveryWorker(database: database, transport: transport, from: sender, now: clock.now)
        let activation = MailTemplates.accountActivation(
            recipient: try MailAddress("joao@cliente.example", name: "João"), name: "João", officeName: "Contábil Ação",
            code: "K7Q-4M9-XZ2", expiresAt: Date(timeIntervalSince1970: 1_780_086_400))
        let id = try await enqueue(activation, in: database, at: clock.milliseconds)
        #expect(await worker.deliverDue() == 1)
        #expect(try await fetch(id, in: database).status == .sent)

        let outbox = data.path + "/outbox"
        let files = try FileManager.default.contentsOfDirectory(atPath: outbox)
        try #require(files.count == 1)  // no temporary file left behind
        let token = try await fetch(id, in: database).messageToken
        #expect(files[0] == "20260528-202640-000-\(token).eml")
        let decoded = try await decodeWithPython(file: outbox + "/" + files[0])
        #expect(decoded.subject == "Seu acesso ao portal Contábil Ação")
        #expect(decoded.to_names == ["João"])
        #expect(decoded.text?.contains("K7Q-4M9-XZ2") == true)
        #expect(decoded.html?.contains("K7Q-4M9-XZ2") == true)
        #expect(decoded.defects.isEmpty)
        let fileMode = try FileManager.default.attributesOfItem(atPath: outbox + "/" + files[0])[.posixPermissions] as? Int
        let directoryMode = try FileManager.default.attributesOfItem(atPath: outbox)[.posixPermissions] as? Int
        #expect(fileMode == 0o600)
        #expect(directoryMode == 0o700)

        // Delivering the same row again (at-least-once) replaces the file instead of adding one.
        let row = try await fetch(id, in: database)
        var again = try #require(row.message)
        again.date = Date(timeIntervalSince1970: Double(row.createdAtMilliseconds) / 1000)
        again.messageID = "\(row.messageToken)@contabil.example"
        try await transport.send(again, from: sender)
        #expect(try FileManager.default.contentsOfDirectory(atPath: outbox) == files)
    }

    @Test("old sent rows can be purged; queued ones stay")
    func purge() async throws {
        let database = try openDatabase(data.path)
        let sent = try await enqueue(try message(), in: database, at: 1_000)
        let queued = try await enqueue(try message(), in: database, at: 1_000)
        try await database.pool.write { db in try MailOutbox.markSent(id: sent, nowMilliseconds: 2_000, in: db) }
        #expect(try await database.pool.write { db in try MailOutbox.purgeSent(before: 2_000, in: db) } == 0)
        #expect(try await database.pool.write { db in try MailOutbox.purgeSent(before: 2_001, in: db) } == 1)
        let remaining = try await database.pool.read { db in try MailOutbox.list(in: db) }
        #expect(remaining.map(\.id) == [queued])
    }
}
