import ContonAPI
import ContonTLS
import ContonWire
import GRPCCore
import NIOCore
import NIOPosix
import Synchronization

/// GRPCCore's `ClientTransport` speaking the ContOn wire protocol over one TLS connection.
///
/// `connect()` opens the connection and holds it until `beginGracefulShutdown()`; calls made
/// before it is up wait for it. One connection, no automatic reconnection: when it drops, new
/// calls fail with UNAVAILABLE (a caller that needs a fresh one makes a new client).
public final class ContonClientTransport: ClientTransport, Sendable {
    public typealias Bytes = [UInt8]

    private let host: String
    private let port: Int
    private let sslContext: SSLContext
    private let serverHostname: String
    private let maxMessageSize: Int
    private let firstCallID: UInt32
    private let group: any EventLoopGroup
    private let connection: EventLoopPromise<(any Channel, NIOLoopBound<ClientConnectionHandler>)>
    private let connectionResolved = Mutex(false)
    private let shutdown: AsyncStream<Void>
    private let shutdownContinuation: AsyncStream<Void>.Continuation

    public var retryThrottle: RetryThrottle? { nil }

    /// - Parameters:
    ///   - serverHostname: the name (or IP) the server certificate must match; defaults to `host`.
    ///   - maxMessageSize: the largest response message accepted; a larger one fails its call
    ///     with RESOURCE_EXHAUSTED (and cancels it). The server's default limit is the same.
    public convenience init(host: String, port: Int, tls: SSLContext, serverHostname: String? = nil,
                            maxMessageSize: Int = 4 * 1024 * 1024, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.init(host: host, port: port, tls: tls, serverHostname: serverHostname, maxMessageSize: maxMessageSize, group: group, firstCallID: 1)
    }

    /// - Parameter firstCallID: the connection's first call id (odd); tests start near the end.
    init(host: String, port: Int, tls: SSLContext, serverHostname: String? = nil, maxMessageSize: Int = 4 * 1024 * 1024,
         group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, firstCallID: UInt32) {
        self.host = host
        self.port = port
        self.sslContext = tls
        self.serverHostname = serverHostname ?? host
        self.maxMessageSize = maxMessageSize
        self.firstCallID = firstCallID
        self.group = group
        self.connection = group.any().makePromise()
        (self.shutdown, self.shutdownContinuation) = AsyncStream.makeStream()
    }

    public func connect() async throws {
        let tls = self.sslContext, hostname = self.serverHostname, limit = self.maxMessageSize, firstCallID = self.firstCallID
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: self.group)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connectTimeout(.seconds(10))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        try sync.addHandler(OpenSSLHandler(context: tls, serverHostname: hostname))
                        try sync.addHandler(ByteToMessageHandler(FrameDecoder(maxMessageSize: limit)))
                        try sync.addHandler(MessageToByteHandler(FrameEncoder()))
                        try sync.addHandler(ClientConnectionHandler(firstCallID: firstCallID))
                    }
                }
                .connect(host: self.host, port: self.port).get()
            let handler = try await channel.eventLoop.submit {
                NIOLoopBound(try channel.pipeline.syncOperations.handler(type: ClientConnectionHandler.self), eventLoop: channel.eventLoop)
            }.get()
            self.resolveConnection(.success((channel, handler)))
        } catch {
            let rpcError = RPCError(code: .unavailable, message: "cannot connect to \(self.host):\(self.port): \(error)")
            self.resolveConnection(.failure(rpcError))
            throw rpcError
        }
        // Hold the connection until shutdown or until it drops.
        channel.closeFuture.whenComplete { _ in self.shutdownContinuation.finish() }
        for await _ in self.shutdown {}
        try? await channel.close()
    }

    public func beginGracefulShutdown() {
        self.shutdownContinuation.finish()
        self.resolveConnection(.failure(RPCError(code: .unavailable, message: "the client is shutting down")))
    }

    deinit {
        self.resolveConnection(.failure(RPCError(code: .unavailable, message: "the client is gone")))
    }

    /// Completes the connection promise once; later outcomes are ignored.
    private func resolveConnection(_ result: Result<(any Channel, NIOLoopBound<ClientConnectionHandler>), any Error>) {
        let first = self.connectionResolved.withLock { done in
            defer { done = true }
            return !done
        }
        if first { self.connection.completeWith(result) }
    }

    public func config(forMethod descriptor: MethodDescriptor) -> MethodConfig? { nil }

    public func withStream<T: Sendable>(
        descriptor: MethodDescriptor,
        options: CallOptions,
        _ closure: (RPCStream<Inbound, Outbound>, ClientContext) async throws -> T
    ) async throws -> T {
        let (channel, handler) = try await self.connection.futureResult.get()
        let (inbound, continuation) = AsyncThrowingStream.makeStream(of: RPCResponsePart<[UInt8]>.self)
        let call = ClientCall(inbound: continuation)
        let writer = ClientCallWriter(call: call, method: descriptor.fullyQualifiedMethod, handler: handler, channel: channel)
        let stream = RPCStream(descriptor: descriptor, inbound: RPCAsyncSequence(wrapping: inbound), outbound: RPCWriter.Closable(wrapping: writer))
        let context = ClientContext(descriptor: descriptor, remotePeer: channel.remoteAddress.map { "\($0)" } ?? "",
                                    localPeer: channel.localAddress.map { "\($0)" } ?? "")
        defer {
            // A call whose task ends before TRAILERS arrived is cancelled on the wire.
            channel.eventLoop.execute { handler.value.cancel(call) }
        }
        return try await closure(stream, context)
    }
}

/// The outbound side of one client call.
struct ClientCallWriter: ClosableRPCWriterProtocol {
    typealias Element = RPCRequestPart<[UInt8]>

    let call: ClientCall
    let method: String
    let handler: NIOLoopBound<ClientConnectionHandler>
    let channel: any Channel

    func write(_ element: RPCRequestPart<[UInt8]>) async throws {
        let frame: Frame
        switch element {
        case .metadata(var metadata):
            var headers = Conton_Rpc_V1_CallHeaders()
            headers.method = method
            if let timeout = metadata[stringValues: GRPCTimeout.metadataKey].first(where: { _ in true }) {
                headers.timeoutMicros = GRPCTimeout.microseconds(timeout) ?? 0
                metadata.removeAllValues(forKey: GRPCTimeout.metadataKey)
            }
            if let key = metadata[stringValues: "idempotency-key"].first(where: { _ in true }) {
                headers.idempotencyKey = key
                metadata.removeAllValues(forKey: "idempotency-key")
            }
            // Other `grpc-` keys are GRPCCore's own (e.g. `grpc-previous-rpc-attempts` on a
            // retry); the prefix is reserved on the wire and the server refuses it.
            for key in Set(metadata.map { $0.key }) where key.lowercased().hasPrefix("grpc-") {
                metadata.removeAllValues(forKey: key)
            }
            headers.metadata = WireMetadata.entries(metadata)
            let handler = self.handler, call = self.call, opened = headers
            let future = self.channel.eventLoop.flatSubmit {
                handler.value.open(call, headers: opened) ?? handler.eventLoop.makeFailedFuture(RPCError(code: .unavailable, message: "connection is going away"))
            }
            if !self.channel.isWritable { try await future.get() }
        case .message(let bytes):
            try await self.send(.message, payload: ByteBuffer(bytes: bytes))
        }
    }

    func write(contentsOf elements: some Sequence<RPCRequestPart<[UInt8]>>) async throws {
        for element in elements { try await self.write(element) }
    }

    func finish() async {
        try? await self.send(.halfClose, payload: ByteBuffer())
    }

    func finish(throwing error: any Error) async {
        let handler = self.handler, call = self.call
        self.channel.eventLoop.execute { handler.value.cancel(call) }
    }

    private func send(_ type: FrameType, payload: ByteBuffer) async throws {
        let handler = self.handler, call = self.call
        let future = self.channel.eventLoop.flatSubmit { () -> EventLoopFuture<Void> in
            guard let id = call.id, let sent = handler.value.send(Frame(type: type, callID: id, payload: payload)) else {
                return handler.eventLoop.makeFailedFuture(RPCError(code: .unavailable, message: "call is not open"))
            }
            return sent
        }
        if !self.channel.isWritable { try await future.get() }
    }
}
