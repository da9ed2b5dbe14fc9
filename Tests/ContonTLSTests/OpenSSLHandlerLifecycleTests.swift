import ContonTLS
import NIOCore
import NIOEmbedded
import Testing

/// Records what reaches the application side of the TLS handler.
final class Recorder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    var received = ByteBuffer()
    var events: [TLSEvent] = []
    var errors: [TLSError] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        received.writeBuffer(&buffer)
    }
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let e = event as? TLSEvent { events.append(e) }
    }
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let e = error as? TLSError { errors.append(e) }
    }
}

/// Deterministic lifecycle tests: a client and a server handler in two embedded channels, bytes
/// moved between them by hand.
@Suite struct OpenSSLHandlerLifecycleTests {
    let pki: TestPKI
    let server: EmbeddedChannel
    let client: EmbeddedChannel
    let serverRecorder = Recorder()
    let clientRecorder = Recorder()

    init() throws {
        pki = try TestPKI()
        let serverContext = try SSLContext(server: pki.serverConfiguration())
        let clientContext = try SSLContext(client: TLSClientConfiguration(trustRootsPath: pki.certs.caCertificatePath))
        server = EmbeddedChannel()
        client = EmbeddedChannel()
        try server.pipeline.syncOperations.addHandler(OpenSSLHandler(context: serverContext))
        try server.pipeline.syncOperations.addHandler(serverRecorder)
        try client.pipeline.syncOperations.addHandler(OpenSSLHandler(context: clientContext, serverHostname: "localhost"))
        try client.pipeline.syncOperations.addHandler(clientRecorder)
    }

    func connect(_ channel: EmbeddedChannel) throws {
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 7443)).wait()
    }

    /// Moves bytes both ways until neither side has anything to send.
    func pump() throws {
        var moved = true
        while moved {
            moved = false
            while let bytes = try client.readOutbound(as: ByteBuffer.self) {
                moved = true
                if server.isActive { try server.writeInbound(bytes) }
            }
            while let bytes = try server.readOutbound(as: ByteBuffer.self) {
                moved = true
                if client.isActive { try client.writeInbound(bytes) }
            }
        }
    }

    func handshake() throws {
        try connect(server)
        try connect(client)
        try pump()
    }

    @Test func handshakeCompletesOnBothSidesWithALPN() throws {
        try handshake()
        guard case .handshakeCompleted(let peer)? = serverRecorder.events.first else {
            Issue.record("no handshake event: \(serverRecorder.errors)")
            return
        }
        #expect(peer.version == "TLSv1.3")
        #expect(peer.applicationProtocol == "conton/1")
        #expect(clientRecorder.events.count == 1)
    }

    @Test func writesBeforeTheHandshakeAreHeldThenSentInOrder() throws {
        try connect(server)
        try connect(client)
        let first = client.write(ByteBuffer(string: "one,"))
        let second = client.writeAndFlush(ByteBuffer(string: "two"))
        try pump()
        try first.wait()
        try second.wait()
        #expect(serverRecorder.received == ByteBuffer(string: "one,two"))
    }

    @Test func closeSendsCloseNotifyAndThePeerClosesToo() throws {
        try handshake()
        let closed = client.close()
        try pump()
        try closed.wait()
        #expect(!client.isActive)
        #expect(!server.isActive)
        // A clean close: no unclean-shutdown error on either side.
        #expect(serverRecorder.errors.isEmpty)
    }

    @Test func doubleCloseAndWritesDuringTeardownFailCleanly() throws {
        try handshake()
        let first = client.close()
        let second = client.close()
        let late = client.writeAndFlush(ByteBuffer(string: "too late"))
        try pump()
        try first.wait()
        #expect(throws: (any Error).self) { try late.wait() }
        _ = try? second.wait()
        #expect(!client.isActive)
        #expect(serverRecorder.received.readableBytes == 0)
    }

    @Test func eofDuringHandshakeIsReported() throws {
        try connect(server)
        try connect(client)
        // Deliver only part of the ClientHello, then the peer goes away.
        let hello = try #require(try client.readOutbound(as: ByteBuffer.self))
        try server.writeInbound(hello.getSlice(at: hello.readerIndex, length: 20)!)
        server.pipeline.fireChannelInactive()
        #expect(serverRecorder.errors.contains(.eofDuringHandshake))
    }

    @Test func handshakeTimeoutClosesTheConnection() throws {
        try connect(server)
        #expect(server.isActive)
        server.embeddedEventLoop.advanceTime(by: .milliseconds(499))
        #expect(server.isActive)
        server.embeddedEventLoop.advanceTime(by: .milliseconds(2))
        #expect(serverRecorder.errors.contains(.handshakeTimeout))
        #expect(!server.isActive)
    }

    @Test func uncleanShutdownAfterTheHandshakeIsReported() throws {
        try handshake()
        server.pipeline.fireChannelInactive()
        #expect(serverRecorder.errors.contains(.uncleanShutdown))
    }
}
