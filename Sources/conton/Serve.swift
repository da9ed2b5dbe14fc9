import ArgumentParser
import Configuration
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

    @Option(name: .customLong("config"), help: "A JSON file of settings, {\"listen\": \"0.0.0.0:7443\", …}: the flags' names without --; the command line, then the environment, win over it (env CONTON_CONFIG).")
    var config: String?

    /// What ArgumentParser parsed, for ``ServeSettings``: only the options actually given, so
    /// that the environment and the file are read for the others. ArgumentParser keeps the
    /// command tree, `--help` and the options' types; swift-configuration decides precedence.
    var commandLine: [ServeSettings.Key: ConfigContent] {
        var given: [ServeSettings.Key: ConfigContent] = [:]
        given[.config] = config.map(ConfigContent.string)
        given[.dataDir] = dataDir.map(ConfigContent.string)
        given[.listen] = listen.map(ConfigContent.string)
        given[.cert] = cert.map(ConfigContent.string)
        given[.key] = key.map(ConfigContent.string)
        given[.clientCA] = clientCA.map(ConfigContent.string)
        if enableTestService { given[.enableTestService] = .bool(true) }
        if allowTLS12 { given[.allowTLS12] = .bool(true) }
        given[.maxMessageBytes] = maxMessageBytes.map(ConfigContent.int)
        given[.maxResponseMessageBytes] = maxResponseMessageBytes.map(ConfigContent.int)
        given[.maxConcurrentCalls] = maxConcurrentCalls.map(ConfigContent.int)
        given[.idleTimeoutMs] = idleTimeoutMs.map { .int(Int($0)) }
        given[.keepaliveIntervalMs] = keepaliveIntervalMs.map { .int(Int($0)) }
        given[.keepaliveTimeoutMs] = keepaliveTimeoutMs.map { .int(Int($0)) }
        given[.shutdownGraceMs] = shutdownGraceMs.map { .int(Int($0)) }
        given[.ownerEmail] = ownerEmail.map(ConfigContent.string)
        given[.smtpURL] = smtpURL.map(ConfigContent.string)
        given[.mailFrom] = mailFrom.map(ConfigContent.string)
        given[.filesMaxFileBytes] = filesMaxFileBytes.map { .int(Int($0)) }
        given[.filesQuotaBytes] = filesQuotaBytes.map { .int(Int($0)) }
        return given
    }

    /// The settings from the command line, `CONTON_*` and the `--config` file (README.md,
    /// "Configuration"); a bad one is reported like any bad option.
    func settings() async throws -> ServeSettings {
        do {
            return try await ServeSettings.resolve(commandLine: commandLine)
        } catch let error as ServeSettings.Invalid {
            throw ValidationError(error.description)
        }
    }

    /// The files plugin's limits (docs/FILES.md).
    static func filesSettings(_ settings: ServeSettings) -> FilesSettings {
        var files = FilesSettings()
        if let n = settings.filesMaxFileBytes { files.maxFileBytes = n }
        if let n = settings.filesQuotaBytes { files.quotaBytes = n }
        return files
    }

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let logger = Logger(label: "conton")
        let settings = try await settings()
        let config = settings.server
        let server = try ContonServer(configuration: config, plugins: CompositionRoot.plugins(config, files: Self.filesSettings(settings)), logger: logger)
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
