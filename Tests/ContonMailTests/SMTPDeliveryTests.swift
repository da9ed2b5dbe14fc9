@testable import ContonMail
import ContonStore
import Foundation
import GRDB
import Testing

/// Delivery through a real SMTP server (aiosmtpd, `Tests/support/smtp_test_server.py`), driven by
/// the worker with an injected clock.
@Suite("SMTP delivery")
struct SMTPDeliveryTests {
    let data: TemporaryDirectory
    let database: ContonDatabase
    let clock = ManualClock()

    init() throws {
        data = try TemporaryDirectory("data")
        database = try openDatabase(data.path)
    }

    func worker(_ url: String, retry: MailRetryPolicy = .default) throws -> MailDeliveryWorker {
        MailDeliveryWorker(database: database, transport: try SMTPMailTransport(url: url), from: sender, now: clock.now, retry: retry)
    }

    func message(to addresses: [String], subject: String = "Confirmação de cadastro — São Paulo",
                 body: String = "Olá!\nSeu cadastro foi concluído às 14h.\n.linha com ponto\nAtenciosamente.") throws -> MailMessage {
        MailMessage(to: try addresses.map { try MailAddress($0, name: "Cliente Ação") }, subject: subject, textBody: body)
    }

    @Test("plain SMTP: the message arrives intact and the row is marked sent")
    func plainDelivery() async throws {
        let server = try await SMTPTestServer()
        defer { server.stop() }
        let worker = try worker(server.url(query: "tls=none"))
        let outgoing = try message(to: ["maria@cliente.example", "jose@cliente.example"])
        let id = try await enqueue(outgoing, in: database, at: clock.milliseconds)

        clock.advance(by: 1_000)
        #expect(await worker.deliverDue() == 1)

        let row = try await fetch(id, in: database)
        #expect(row.status == .sent)
        #expect(row.attempts == 1)
        #expect(row.sentAtMilliseconds == clock.milliseconds)
        #expect(row.lastError == nil)

        let received = try server.messages()
        try #require(received.count == 1)
        #expect(received[0].mail_from == "escritorio@contabil.example")
        #expect(received[0].rcpt_tos == ["maria@cliente.example", "jose@cliente.example"])
        #expect(received[0].tls == false)
        let decoded = received[0].message
        #expect(decoded.subject == "Confirmação de cadastro — São Paulo")
        #expect(decoded.text == outgoing.textBody + "\n")
        #expect(decoded.to_names == ["Cliente Ação", "Cliente Ação"])
        #expect(decoded.message_id == "<\(row.messageToken)@contabil.example>")
        #expect(decoded.defects.isEmpty)
        #expect(!decoded.eight_bit && !decoded.bare_lf)
        // The Date header is the time of enqueueing, not of the attempt.
        #expect(decoded.date == "Thu, 28 May 2026 20:26:40 +0000")

        // Nothing is due any more.
        #expect(await worker.deliverDue() == 0)
        #expect(try server.messages().count == 1)
    }

    @Test("STARTTLS + AUTH with the test's own CA")
    func startTLSWithAuth() async throws {
        let certificates = try await TestCertificates()
        let server = try await SMTPTestServer(security: .starttls, certificates: certificates, auth: "office@contabil.example:s3cr3t!")
        defer { server.stop() }
        let url = server.url(credentials: "office%40contabil.example:s3cr3t%21", query: "cafile=\(certificates.caPath)")
        let worker = try worker(url)
        let id = try await enqueue(try message(to: ["ana@cliente.example"]), in: database, at: clock.milliseconds)

        #expect(await worker.deliverDue() == 1)

        #expect(try await fetch(id, in: database).status == .sent)
        let received = try server.messages()
        try #require(received.count == 1)
        #expect(received[0].tls)
        #expect(received[0].authenticated_as == "office@contabil.example")
        let attempts = try server.authAttempts()
        #expect(attempts.count == 1 && attempts.allSatisfy { $0.tls && $0.success })
    }

    @Test("implicit TLS (smtps://) + AUTH")
    func implicitTLS() async throws {
        let certificates = try await TestCertificates()
        let server = try await SMTPTestServer(security: .implicit, certificates: certificates, auth: "office:pw")
        defer { server.stop() }
        let transport = try SMTPMailTransport(url: server.url(scheme: "smtps", credentials: "office:pw", query: "cafile=\(certificates.caPath)"))
        try await transport.send(try message(to: ["ana@cliente.example"]), from: sender)
        let received = try server.messages()
        #expect(received.count == 1 && received[0].tls && received[0].authenticated_as == "office")
    }

    @Test("a certificate from an unknown CA is refused before anything is sent")
    func untrustedCertificate() async throws {
        let certificates = try await TestCertificates(), other = try await TestCertificates()
        let server = try await SMTPTestServer(security: .starttls, certificates: certificates, auth: "office:pw")
        defer { server.stop() }
        let transport = try SMTPMailTransport(url: server.url(credentials: "office:pw", query: "cafile=\(other.caPath)"))
        let error = await #expect(throws: MailDeliveryError.self) {
            try await transport.send(try message(to: ["ana@cliente.example"]), from: sender)
        }
        #expect(error?.kind == .transient)
        #expect(try server.authAttempts().isEmpty)
        #expect(try server.messages().isEmpty)
    }

    @Test("credentials are never sent without TLS")
    func credentialsNeedTLS() async throws {
        // This server would accept AUTH in clear text, and records any attempt.
        let server = try await SMTPTestServer(security: .none, auth: "office:pw", allowPlainAuth: true)
        defer { server.stop() }
        // Probe: the server really takes clear-text AUTH from a client that offers it.
        let probe = try await runCommand(["curl", "-sS", server.url(), "--user", "office:pw", "--mail-from", "a@b.example",
                                    "--mail-rcpt", "probe@cliente.example", "-T", "/dev/null"])
        #expect(probe.status == 0, "\(probe.output)")
        #expect(try server.authAttempts().count == 1)

        // A URL with credentials and tls=none is refused outright…
        #expect(throws: SMTPConfigurationError.credentialsWithoutTLS) { try SMTPConfiguration(url: server.url(credentials: "office:pw", query: "tls=none")) }
        // …and by default credentials require STARTTLS, which this server lacks: nothing is sent.
        let transport = try SMTPMailTransport(url: server.url(credentials: "office:pw"))
        let error = await #expect(throws: MailDeliveryError.self) {
            try await transport.send(try message(to: ["ana@cliente.example"]), from: sender)
        }
        #expect(error?.kind == .transient)
        #expect(error?.message.localizedCaseInsensitiveContains("STARTTLS") == true)
        #expect(try server.authAttempts().count == 1)
        #expect(try server.messages().count == 1)
    }

    @Test("refused credentials are a transient (configuration) failure")
    func wrongPassword() async throws {
        let certificates = try await TestCertificates()
        let server = try await SMTPTestServer(security: .starttls, certificates: certificates, auth: "office:right")
        defer { server.stop() }
        let transport = try SMTPMailTransport(url: server.url(credentials: "office:wrong", query: "cafile=\(certificates.caPath)"))
        let error = await #expect(throws: MailDeliveryError.self) {
            try await transport.send(try message(to: ["ana@cliente.example"]), from: sender)
        }
        #expect(error?.kind == .transient)
        #expect(error?.replyCode == 535)
        #expect(error?.scope == .server)
        #expect(try server.messages().isEmpty)
    }

    @Test("451 is retried with exponential backoff, driven by the clock, then delivered")
    func greylistedThenDelivered() async throws {
        let server = try await SMTPTestServer(greylist: 2)
        defer { server.stop() }
        let worker = try worker(server.url(query: "tls=none"))
        let start = clock.milliseconds
        let id = try await enqueue(try message(to: ["greylist@cliente.example"]), in: database, at: start)
        let other = try await enqueue(try message(to: ["ana@cliente.example"]), in: database, at: start)

        // A 451 concerns one message: the next one in the queue still goes out.
        #expect(await worker.deliverDue() == 1)
        #expect(try await fetch(other, in: database).status == .sent)
        var row = try await fetch(id, in: database)
        #expect(row.status == .queued)
        #expect(row.attempts == 1)
        #expect(row.nextAttemptAtMilliseconds == start + 30_000)
        #expect(row.lastError?.contains("451") == true)

        clock.advance(by: 29_999)
        #expect(await worker.deliverDue() == 0)
        #expect(try await fetch(id, in: database).attempts == 1)  // not due yet

        clock.advance(by: 1)
        #expect(await worker.deliverDue() == 0)
        row = try await fetch(id, in: database)
        #expect(row.attempts == 2)
        #expect(row.nextAttemptAtMilliseconds == start + 30_000 + 60_000)

        clock.advance(by: 60_000)
        #expect(await worker.deliverDue() == 1)
        row = try await fetch(id, in: database)
        #expect(row.status == .sent)
        #expect(row.attempts == 3)
        #expect(try server.messages().map(\.rcpt_tos) == [["ana@cliente.example"], ["greylist@cliente.example"]])
    }

    @Test("a server that is down is retried, and the queue goes out once it is up")
    func serverDownThenUp() async throws {
        // Find a port, then free it: nothing listens there for the first attempt.
        let probe = try await SMTPTestServer()
        let port = probe.port
        probe.stop()
        let worker = try worker("smtp://127.0.0.1:\(port)?tls=none&connect_timeout=2")
        let first = try await enqueue(try message(to: ["ana@cliente.example"]), in: database, at: clock.milliseconds)
        let second = try await enqueue(try message(to: ["bia@cliente.example"]), in: database, at: clock.milliseconds)

        #expect(await worker.deliverDue() == 0)
        let row = try await fetch(first, in: database)
        #expect(row.status == .queued && row.attempts == 1)
        #expect(row.lastError?.isEmpty == false)
        // The dead server cost one attempt, not one per queued message.
        #expect(try await fetch(second, in: database).attempts == 0)
        clock.advance(by: 29_999)
        #expect(await worker.deliverDue() == 0)
        #expect(try await fetch(second, in: database).attempts == 0)

        let server = try await SMTPTestServer(port: port)
        defer { server.stop() }
        clock.advance(by: 1)
        #expect(await worker.deliverDue() == 2)
        #expect(try await fetch(first, in: database).status == .sent)
        #expect(try await fetch(second, in: database).status == .sent)
        // The untried row was due earlier, so it goes first.
        #expect(try server.messages().map(\.rcpt_tos) == [["bia@cliente.example"], ["ana@cliente.example"]])
    }

    @Test("550 for a recipient fails the message at once, with the server's reason")
    func permanentRecipientFailure() async throws {
        let server = try await SMTPTestServer()
        defer { server.stop() }
        let url = server.url(query: "tls=none")
        let error = await #expect(throws: MailDeliveryError.self) {
            try await SMTPMailTransport(url: url).send(try message(to: ["unknown@cliente.example"]), from: sender)
        }
        #expect(error?.kind == .permanent)
        #expect(error?.replyCode == 550)
        #expect(error?.scope == .message)

        let worker = try worker(url)
        let id = try await enqueue(try message(to: ["unknown@cliente.example"]), in: database, at: clock.milliseconds)
        #expect(await worker.deliverDue() == 0)
        let row = try await fetch(id, in: database)
        #expect(row.status == .failed)
        #expect(row.attempts == 1)
        #expect(row.lastError?.contains("550") == true)
        #expect(row.lastError?.contains("User unknown") == true)
        clock.advance(by: 24 * 3_600_000)
        #expect(await worker.deliverDue() == 0)
        #expect(try await fetch(id, in: database).attempts == 1)
    }

    @Test("554 after the data is permanent too")
    func permanentDataFailure() async throws {
        let server = try await SMTPTestServer()
        defer { server.stop() }
        let error = await #expect(throws: MailDeliveryError.self) {
            try await SMTPMailTransport(url: server.url(query: "tls=none")).send(try message(to: ["reject-data@cliente.example"]), from: sender)
        }
        #expect(error?.kind == .permanent)
        #expect(error?.replyCode == 554)
        #expect(error?.message.contains("spam") == true)
    }

    @Test("a message that keeps failing transiently is failed after the last attempt")
    func attemptsRunOut() async throws {
        let server = try await SMTPTestServer()
        defer { server.stop() }
        let policy = MailRetryPolicy(initialDelayMilliseconds: 1_000, maximumDelayMilliseconds: 4_000, maximumAttempts: 4)
        #expect((1...5).map { policy.delayMilliseconds(afterAttempt: $0) } == [1_000, 2_000, 4_000, 4_000, 4_000])
        let worker = try worker(server.url(query: "tls=none"), retry: policy)
        let id = try await enqueue(try message(to: ["full@cliente.example"]), in: database, at: clock.milliseconds)
        for attempt in 1...4 {
            #expect(await worker.deliverDue() == 0)
            let row = try await fetch(id, in: database)
            #expect(row.attempts == attempt)
            #expect(row.status == (attempt < 4 ? .queued : .failed))
            clock.advance(by: 4_000)
        }
        let row = try await fetch(id, in: database)
        #expect(row.lastError?.contains("452") == true && row.lastError?.contains("gave up after 4 attempts") == true)

        // An operator requeues it once the cause is fixed.
        #expect(try await database.pool.write { db in try MailOutbox.requeue(id: id, nowMilliseconds: clock.milliseconds, in: db) })
        let requeued = try await fetch(id, in: database)
        #expect(requeued.status == .queued && requeued.attempts == 0)
    }

    @Test("the default backoff: 30 s doubling, capped at 1 h")
    func defaultBackoff() {
        let delays = (1...9).map { MailRetryPolicy.default.delayMilliseconds(afterAttempt: $0) / 1000 }
        #expect(delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600])
        #expect(MailRetryPolicy.default.maximumAttempts == 12)
    }
}
