import ContonKit
import ContonStore
import ContonTLS
import ContonTransport
import GRPCCore
import Logging
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// The server: TLS setup, the transport, the built-in services, GRPCCore's server.
///
/// `run()` serves until the task is cancelled or `beginGracefulShutdown()` is called; on
/// shutdown it stops accepting, sends GOAWAY, and lets in-flight calls finish within the grace
/// period.
public final class ContonServer: Sendable {
    public let configuration: ServerConfiguration
    public let transport: ContonServerTransport
    public let health: HealthService
    private let server: GRPCServer<ContonServerTransport>
    private let logger: Logger
    /// The feature plugins, migrated and registered.
    public let host: PluginHost
    /// Every method's access policy (plugins' and the built-in services').
    public let policies: [MethodDescriptor: AccessPolicy]
    /// The CA clients should trust, when the development certificate is in use.
    public let developmentCAPath: String?

    /// - Parameter plugins: the feature plugins (the composition root lists them explicitly).
    public init(configuration: ServerConfiguration, plugins: [any Plugin] = [], logger: Logger = Logger(label: "conton")) throws {
        self.configuration = configuration
        self.logger = logger
        mkdir(configuration.dataDirectory, 0o700)
        var certificate = configuration.certificatePath, key = configuration.keyPath
        if certificate == nil && key == nil {
            let dev = configuration.developmentCertificates
            if try dev.ensure() {
                logger.info("generated a development CA and server certificate", metadata: ["dir": "\(configuration.dataDirectory)/tls"])
            }
            certificate = dev.serverCertificatePath
            key = dev.serverKeyPath
            self.developmentCAPath = dev.caCertificatePath
        } else {
            self.developmentCAPath = nil
        }
        guard let certificate, let key else {
            throw TLSError.configuration("--cert and --key go together")
        }
        let tls = try SSLContext(server: TLSServerConfiguration(
            certificateChainPath: certificate, privateKeyPath: key,
            minimumVersion: configuration.allowTLS12 ? .tls12 : .tls13,
            clientCAPath: configuration.clientCAPath, requireClientCertificate: false))
        self.transport = ContonServerTransport(host: configuration.host, port: configuration.port, tls: tls,
                                               limits: configuration.limits, logger: logger)

        let database = try ContonDatabase(dataDirectory: configuration.dataDirectory)
        self.host = try PluginHost(plugins: plugins, database: database, logger: logger)
        try self.host.migrate()

        var router = RPCRouter<ContonServerTransport>()
        var policies: [MethodDescriptor: AccessPolicy] = [:]
        if configuration.enableTestService {
            TestService().registerMethods(with: &router)
            for method in router.methods { policies[method] = .public }
        }
        policies.merge(try self.host.registerServices(on: &router)) { a, _ in a }
        // Health and reflection describe everything, themselves included.
        let healthNames = ["conton.health.v1.Health", "conton.reflection.v1.Reflection"]
            + Set(router.methods.map(\.service.fullyQualifiedService)).sorted()
        self.health = HealthService(services: healthNames)
        self.health.registerMethods(with: &router)
        var all = router.methods
        var reflectionRouter = RPCRouter<ContonServerTransport>()
        ReflectionService(methods: []).registerMethods(with: &reflectionRouter)
        all += reflectionRouter.methods
        ReflectionService(methods: all).registerMethods(with: &router)
        for method in router.methods where policies[method] == nil { policies[method] = .public }
        self.policies = policies
        router.registerInterceptors(pipeline: [.apply(CallLogInterceptor(logger: logger), to: .all)])
        self.server = GRPCServer(transport: self.transport, router: router)
    }

    /// Serves until cancelled or shut down.
    public func run() async throws {
        try await self.host.start()
        let outcome: Result<Void, any Error> = await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.host.runEventDelivery() }
            let outcome: Result<Void, any Error>
            do {
                try await self.server.serve()
                outcome = .success(())
            } catch {
                outcome = .failure(error)
            }
            await self.host.stop()
            group.cancelAll()
            return outcome
        }
        try self.host.database.close()
        try outcome.get()
    }

    /// The bound address, once listening.
    public var listeningAddress: SocketAddress {
        get async throws { try await self.transport.listeningAddress }
    }

    /// Stops accepting, GOAWAY to every connection, lets in-flight calls finish.
    public func beginGracefulShutdown() {
        self.health.markAllNotServing()
        self.server.beginGracefulShutdown()
    }
}
