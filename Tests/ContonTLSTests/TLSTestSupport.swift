import ContonTLS
import Foundation
import NIOCore
import NIOPosix

/// A temporary directory with a development CA, server certificate and helpers, removed at deinit.
final class TestPKI: @unchecked Sendable {
    let dir: String
    let certs: DevelopmentCertificates

    init() throws {
        dir = NSTemporaryDirectory() + "conton-tls-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        certs = DevelopmentCertificates(directory: dir + "/tls")
        try certs.ensure()
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    /// A second, unrelated CA with a client certificate, for "wrong certificate" cases.
    func foreignClientCertificate() throws -> (cert: String, key: String) {
        let other = DevelopmentCertificates(directory: dir + "/other")
        try other.ensure()
        let cert = dir + "/foreign-client.pem", key = dir + "/foreign-client-key.pem"
        try other.issueClientCertificate(commonName: "intruder", certificatePath: cert, keyPath: key)
        return (cert, key)
    }

    func clientCertificate(commonName: String) throws -> (cert: String, key: String) {
        let cert = dir + "/\(commonName).pem", key = dir + "/\(commonName)-key.pem"
        try certs.issueClientCertificate(commonName: commonName, certificatePath: cert, keyPath: key)
        return (cert, key)
    }

    func serverConfiguration(_ minimum: TLSMinimumVersion = .tls13, clientCA: Bool = false) -> TLSServerConfiguration {
        TLSServerConfiguration(
            certificateChainPath: certs.serverCertificatePath, privateKeyPath: certs.serverKeyPath,
            minimumVersion: minimum, clientCAPath: clientCA ? certs.caCertificatePath : nil,
            requireClientCertificate: clientCA, handshakeTimeout: .milliseconds(500))
    }
}

/// Answers each read with "peer=<subject or ->;" once, then echoes bytes back.
final class EchoHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private var subject = "-"
    private var greeted = false

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted(let peer)? = event as? TLSEvent {
            subject = peer.certificateSubject ?? "-"
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var out = context.channel.allocator.buffer(capacity: 64)
        if !greeted {
            greeted = true
            out.writeString("peer=\(subject);")
        }
        var data = unwrapInboundIn(data)
        out.writeBuffer(&data)
        context.writeAndFlush(wrapOutboundOut(out), promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// A TLS echo server on 127.0.0.1 with an ephemeral port.
final class EchoServer: @unchecked Sendable {
    let channel: any Channel
    var port: Int { channel.localAddress!.port! }

    init(configuration: TLSServerConfiguration) throws {
        let context = try SSLContext(server: configuration)
        channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(OpenSSLHandler(context: context))
                    try channel.pipeline.syncOperations.addHandler(EchoHandler())
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
    }

    deinit { try? channel.close().wait() }
}

/// Runs a command to completion with `input` on stdin; returns exit status and stdout+stderr.
///
/// The blocking pipe reads and `waitUntilExit` run on a thread of their own: on the cooperative
/// pool (two threads on a two-core machine) they would stall every other test of the run.
func run(_ arguments: [String], input: String = "", timeout: TimeInterval = 60) async throws -> (status: Int32, output: String) {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try runBlocking(arguments, input: input, timeout: timeout) })
        }
    }
}

private func runBlocking(_ arguments: [String], input: String, timeout: TimeInterval) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
    process.arguments = ["-k", "2", String(Int(timeout))] + arguments
    let stdin = Pipe(), stdout = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stdout
    try process.run()
    // The child may exit before reading its stdin (openssl after a failed handshake): the throwing
    // write reports EPIPE where the old `write(_:)` would trap the whole test process.
    signal(SIGPIPE, SIG_IGN)
    try? stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8))
    try? stdin.fileHandleForWriting.close()
    let output = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
}

