import ContonTLS
import ContonWire
import GRPCCore
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// GRPCCore's `ServerTransport` speaking the ContOn wire protocol (docs/PROTOCOL.md) over TLS.
///
/// `listen` binds, accepts connections, and hands each call to GRPCCore as an `RPCStream`.
/// `beginGracefulShutdown` stops accepting, sends GOAWAY on every connection, lets open calls
/// finish (each connection closes when its last call ends) and returns from `listen` once every
/// connection has closed.
public final class ContonServerTransport: ServerTransport, Sendable {
    public typealias Bytes = [UInt8]

    private struct State {
        var serverChannel: (any Channel)?
        var connections: [ObjectIdentifier: any Channel] = [:]
        var shuttingDown = false
        var listenerClosed = false
    }

    private let host: String
    private let port: Int
    private let sslContext: SSLContext
    private let limits: ServerLimits
    private let group: any EventLoopGroup
    private let logger: Logger
    private let state = Mutex(State())
    private let calls: AsyncStream<AcceptedCall>
    private let callsContinuation: AsyncStream<AcceptedCall>.Continuation
    private let boundAddress: EventLoopPromise<SocketAddress>

    /// - Parameters:
    ///   - host/port: where to listen; port 0 picks a free port (see ``listeningAddress``).
    public init(host: String, port: Int, tls: SSLContext, limits: ServerLimits = ServerLimits(),
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger = Logger(label: "conton.transport")) {
        self.host = host
        self.port = port
        self.sslContext = tls
        self.limits = limits
        self.group = group
        self.logger = logger
        (self.calls, self.callsContinuation) = AsyncStream.makeStream()
        self.boundAddress = group.any().makePromise(of: SocketAddress.self)
        RequestCardinality.load()
    }

    /// A transport that never listened must not leave its address promise unfulfilled (NIO
    /// treats a leaked promise as a bug).
    deinit {
        self.boundAddress.fail(CancellationError())
    }

    /// The address the server listens on, once `listen` has bound.
    public var listeningAddress: SocketAddress {
        get async throws { try await self.boundAddress.futureResult.get() }
    }

    public func listen(
        streamHandler: @escaping @Sendable (RPCStream<Inbound, Outbound>, ServerContext) async -> Void
    ) async throws {
        let channel: any Channel
        do {
            channel = try await self.bind()
        } catch {
            self.boundAddress.fail(error)
            throw RPCError(code: .unavailable, message: "cannot listen on \(self.host):\(self.port): \(error)")
        }
        let shutdownEarly = self.state.withLock { s in
            s.serverChannel = channel
            return s.shuttingDown
        }
        self.boundAddress.succeed(channel.localAddress!)
        channel.closeFuture.whenComplete { _ in
            self.state.withLock { $0.listenerClosed = true }
            self.finishIfDrained()
        }
        if shutdownEarly { self.beginGracefulShutdown() }

        await withDiscardingTaskGroup { group in
            for await call in self.calls {
                group.addTask {
                    await withServerContextRPCCancellationHandle { handle in
                        call.cancellation.attach(handle)
                        var context = ServerContext(descriptor: call.stream.descriptor, remotePeer: call.peer.remoteAddress,
                                                    localPeer: call.localAddress, cancellation: handle)
                        context.transportSpecific = call.peer
                        // RPC cancellation (client CANCEL, deadline, lost connection, shutdown
                        // grace period) also cancels the handler's task, so `Task.sleep`,
                        // `Task.checkCancellation()` and database work observe it.
                        let context2 = context
                        await withTaskGroup(of: Void.self) { calls in
                            calls.addTask { await streamHandler(call.stream, context2) }
                            calls.addTask { try? await handle.cancelled }
                            await calls.next()
                            calls.cancelAll()
                        }
                    }
                }
            }
        }
    }

    private func bind() async throws -> any Channel {
        let sslContext = self.sslContext, limits = self.limits, logger = self.logger
        let accept: @Sendable (AcceptedCall) -> Void = { [callsContinuation] call in callsContinuation.yield(call) }
        return try await ServerBootstrap(group: self.group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let refused = self.state.withLock { s -> Bool in
                        if s.shuttingDown { return true }
                        s.connections[ObjectIdentifier(channel)] = channel
                        return false
                    }
                    if refused { throw ChannelError.ioOnClosedChannel }
                    channel.closeFuture.whenComplete { _ in
                        self.state.withLock { _ = $0.connections.removeValue(forKey: ObjectIdentifier(channel)) }
                        self.finishIfDrained()
                    }
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(OpenSSLHandler(context: sslContext))
                    try sync.addHandler(ByteToMessageHandler(FrameDecoder(maxMessageSize: limits.maxMessageSize, maxControlPayload: limits.maxControlPayload)))
                    try sync.addHandler(MessageToByteHandler(FrameEncoder()))
                    try sync.addHandler(ServerConnectionHandler(limits: limits, logger: logger, accept: accept))
                }
            }
            .bind(host: self.host, port: self.port)
            .get()
    }

    public func beginGracefulShutdown() {
        let (listener, connections) = self.state.withLock { s in
            s.shuttingDown = true
            return (s.serverChannel, Array(s.connections.values))
        }
        listener?.close(promise: nil)
        for connection in connections {
            connection.triggerUserOutboundEvent(GracefulShutdownEvent(), promise: nil)
            // Calls that outlive the grace period are cut off.
            connection.eventLoop.scheduleTask(in: self.limits.shutdownGracePeriod) { connection.close(promise: nil) }
        }
        if listener == nil { self.callsContinuation.finish() }
        self.finishIfDrained()
    }

    private func finishIfDrained() {
        let drained = self.state.withLock { s in s.shuttingDown && s.listenerClosed && s.connections.isEmpty }
        if drained { self.callsContinuation.finish() }
    }
}
