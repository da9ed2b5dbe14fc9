import ArgumentParser
import FilesPlugin
import ContonIdentity
import ContonKit
import ContonServer
import Foundation
import Logging
import ServiceLifecycle

/// `conton serve`: runs the server until SIGTERM/SIGINT, then drains gracefully.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the RPC API over TLS.")

    @Option(name: .customLong("data-dir"), help: "Data directory (env CONTON_DATA_DIR).")
    var dataDir: String?
    @Option(help: "HOST:PORT to listen on (env CONTON_LISTEN).")
    var listen: String?
    @Option(help: "Server certificate chain, PEM (env CONTON_CERT).")
    var cert: String?
    @Option(help: "Server private key, PEM (env CONTON_KEY).")
    var key: String?
    @Option(name: .customLong("client-ca"), help: "CA for client certificates, PEM (env CONTON_CLIENT_CA).")
    var clientCA: String?
    @Flag(name: .customLong("enable-test-service"), help: "Serve conton.testing.v1.TestService (env CONTON_ENABLE_TEST_SERVICE=1).")
    var enableTestService = false
    @Flag(name: .customLong("allow-tls12"), help: "Accept TLS 1.2 with ECDHE+AEAD besides TLS 1.3 (env CONTON_ALLOW_TLS12=1).")
    var allowTLS12 = false

    @Option(name: .customLong("max-message-bytes"), help: "Largest request message accepted (env CONTON_MAX_MESSAGE_BYTES; default 4194304).")
    var maxMessageBytes: Int?
    @Option(name: .customLong("max-response-message-bytes"), help: "Largest response message sent (env CONTON_MAX_RESPONSE_MESSAGE_BYTES; default 4194304).")
    var maxResponseMessageBytes: Int?
    @Option(name: .customLong("max-concurrent-calls"), help: "Calls open at once per connection (env CONTON_MAX_CONCURRENT_CALLS; default 100).")
    var maxConcurrentCalls: Int?
    @Option(name: .customLong("idle-timeout-ms"), help: "Close connections with no call for this long (env CONTON_IDLE_TIMEOUT_MS; default 300000).")
    var idleTimeoutMs: Int64?
    @Option(name: .customLong("keepalive-interval-ms"), help: "Ping a silent connection after this long (env CONTON_KEEPALIVE_INTERVAL_MS; default 60000).")
    var keepaliveIntervalMs: Int64?
    @Option(name: .customLong("keepalive-timeout-ms"), help: "Close when a ping is unanswered this long (env CONTON_KEEPALIVE_TIMEOUT_MS; default 20000).")
    var keepaliveTimeoutMs: Int64?
    @Option(name: .customLong("shutdown-grace-ms"), help: "Time in-flight calls get at shutdown (env CONTON_SHUTDOWN_GRACE_MS; default 10000).")
    var shutdownGraceMs: Int64?
    @Option(name: .customLong("owner-email"), help: "E-mail of the first owner, on an empty data directory (env CONTON_OWNER_EMAIL; the password comes from CONTON_OWNER_PASSWORD or is generated).")
    var ownerEmail: String?
    @Option(name: .customLong("smtp-url"), help: "Outgoing mail server, smtp://user:pass@host:587 or smtps://… (env CONTON_SMTP_URL; default: .eml files in <data-dir>/outbox).")
    var smtpURL: String?
    @Option(name: .customLong("mail-from"), help: "Sender of outgoing mail (env CONTON_MAIL_FROM).")
    var mailFrom: String?
    @Option(name: .customLong("files-max-file-bytes"), help: "Largest file accepted by the files plugin (env CONTON_FILES_MAX_FILE_BYTES; default 104857600).")
    var filesMaxFileBytes: Int64?
    @Option(name: .customLong("files-quota-bytes"), help: "The office's storage quota for files, distinct content counted once; 0 for none (env CONTON_FILES_QUOTA_BYTES; default 21474836480).")
    var filesQuotaBytes: Int64?

    /// The files plugin's limits (docs/FILES.md).
    func filesSettings() throws -> FilesSettings {
        let env = ProcessInfo.processInfo.environment
        var settings = FilesSettings()
        func bytes(_ option: Int64?, _ flag: String, _ name: String, allowZero: Bool) throws -> Int64? {
            let raw = option.map(String.init) ?? env[name]
            guard let raw else { return nil }
            guard let value = Int64(raw), value > 0 || (allowZero && value == 0) else {
                throw ValidationError("\(flag) (\(name)) takes a number of bytes\(allowZero ? ", 0 or more" : " above 0"), got '\(raw)'")
            }
            return value
        }
        if let n = try bytes(filesMaxFileBytes, "--files-max-file-bytes", "CONTON_FILES_MAX_FILE_BYTES", allowZero: false) { settings.maxFileBytes = n }
        if let n = try bytes(filesQuotaBytes, "--files-quota-bytes", "CONTON_FILES_QUOTA_BYTES", allowZero: true) { settings.quotaBytes = n }
        return settings
    }

    func configuration() throws -> ServerConfiguration {
        let env = ProcessInfo.processInfo.environment
        func flag(_ name: String) -> Bool { ["1", "true", "yes"].contains(env[name]?.lowercased() ?? "") }
        var config = ServerConfiguration()
        config.dataDirectory = dataDir ?? env["CONTON_DATA_DIR"] ?? config.dataDirectory
        if let listen = listen ?? env["CONTON_LISTEN"] {
            guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]) else {
                throw ValidationError("--listen takes HOST:PORT, got '\(listen)'")
            }
            config.host = String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            config.port = port
        }
        config.certificatePath = cert ?? env["CONTON_CERT"]
        config.keyPath = key ?? env["CONTON_KEY"]
        if (config.certificatePath == nil) != (config.keyPath == nil) {
            throw ValidationError("--cert and --key go together")
        }
        config.clientCAPath = clientCA ?? env["CONTON_CLIENT_CA"]
        config.enableTestService = enableTestService || flag("CONTON_ENABLE_TEST_SERVICE")
        config.allowTLS12 = allowTLS12 || flag("CONTON_ALLOW_TLS12")
        func number<N: FixedWidthInteger>(_ option: N?, _ name: String) throws -> N? {
            if let option { return option }
            guard let raw = env[name] else { return nil }
            guard let value = N(raw), value > 0 else { throw ValidationError("\(name) must be a positive integer, got '\(raw)'") }
            return value
        }
        if let n = try number(maxMessageBytes, "CONTON_MAX_MESSAGE_BYTES") { config.limits.maxMessageSize = n }
        if let n = try number(maxResponseMessageBytes, "CONTON_MAX_RESPONSE_MESSAGE_BYTES") { config.limits.maxResponseMessageSize = n }
        if let n = try number(maxConcurrentCalls, "CONTON_MAX_CONCURRENT_CALLS") { config.limits.maxConcurrentCalls = n }
        if let n = try number(idleTimeoutMs, "CONTON_IDLE_TIMEOUT_MS") { config.limits.idleTimeout = .milliseconds(n) }
        if let n = try number(keepaliveIntervalMs, "CONTON_KEEPALIVE_INTERVAL_MS") { config.limits.keepaliveInterval = .milliseconds(n) }
        if let n = try number(keepaliveTimeoutMs, "CONTON_KEEPALIVE_TIMEOUT_MS") { config.limits.keepaliveTimeout = .milliseconds(n) }
        if let n = try number(shutdownGraceMs, "CONTON_SHUTDOWN_GRACE_MS") { config.limits.shutdownGracePeriod = .milliseconds(n) }
        func nonEmpty(_ value: String?) -> String? { value.flatMap { $0.isEmpty ? nil : $0 } }
        config.ownerEmail = nonEmpty(ownerEmail) ?? nonEmpty(env["CONTON_OWNER_EMAIL"])
        config.ownerPassword = nonEmpty(env["CONTON_OWNER_PASSWORD"])
        config.smtpURL = smtpURL ?? env["CONTON_SMTP_URL"]
        if let from = mailFrom ?? env["CONTON_MAIL_FROM"] { config.mailFrom = from }
        return config
    }

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let logger = Logger(label: "conton")
        let config = try configuration()
        let server = try ContonServer(configuration: config, plugins: CompositionRoot.plugins(config, files: try filesSettings()), logger: logger)
        if let ca = server.developmentCAPath {
            print("development CA: \(ca)  (clients trust it with --cacert)")
        }
        if let owner = try await server.bootstrapOwner() {
            if let password = owner.generatedPassword {
                print("first login (shown once): \(owner.email)  password: \(password)  — you will be asked to change it")
            } else {
                print("first login: \(owner.email) with the password from CONTON_OWNER_PASSWORD")
            }
        }
        let group = ServiceGroup(services: [ServerService(server: server)],
                                 gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}

/// Runs the server as a swift-service-lifecycle service: prints the ready line, and turns the
/// group's graceful shutdown into the server's.
struct ServerService: Service {
    let server: ContonServer

    func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await withGracefulShutdownHandler {
                    try await server.run()
                } onGracefulShutdown: {
                    server.beginGracefulShutdown()
                }
            }
            group.addTask {
                let address = try await server.listeningAddress
                let host = address.ipAddress.map { $0.contains(":") ? "[\($0)]" : $0 } ?? "?"
                print("listening on \(host):\(address.port ?? 0)")
                fflush(nil)
            }
            try await group.waitForAll()
        }
    }
}
