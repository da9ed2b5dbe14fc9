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
    /// The CA clients should trust, when the development certificate is in use.
    public let developmentCAPath: String?

    public init(configuration: ServerConfiguration, logger: Logger = Logger(label: "conton")) throws {
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

        var services: [any RegistrableRPCService] = []
        if configuration.enableTestService { services.append(TestService()) }
        var router = RPCRouter<ContonServerTransport>()
        for service in services { service.registerMethods(with: &router) }
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
        router.registerInterceptors(pipeline: [.apply(CallLogInterceptor(logger: logger), to: .all)])
        self.server = GRPCServer(transport: self.transport, router: router)
    }

    /// Serves until cancelled or shut down.
    public func run() async throws {
        try await self.server.serve()
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
