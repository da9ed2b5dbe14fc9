import CContonShim
import NIOCore

/// TLS by the system OpenSSL, run over two memory BIOs inside a SwiftNIO pipeline.
///
/// Ciphertext from the network is written into the read BIO; OpenSSL's output is drained from
/// the write BIO and written to the channel. Plaintext flows to and from the next handler as
/// `ByteBuffer`s. Behaviour worth knowing:
/// - Writes and flushes issued before the handshake completes are held, then sent in order.
/// - Backpressure: ciphertext goes straight to the channel's outbound buffer, so the channel's
///   writability (its water marks) reflects bytes not yet on the wire; upper layers wait on it.
/// - `close` sends `close_notify`, then closes TCP once it is written. A second `close` joins
///   the first. Writes after `close` fail with `ChannelError.ioOnClosedChannel`.
/// - EOF before the handshake completes fires ``TLSError/eofDuringHandshake``; EOF without
///   `close_notify` afterwards fires ``TLSError/uncleanShutdown``; both then close.
/// - A completed handshake fires ``TLSEvent/handshakeCompleted(_:)`` with the ``TLSPeer``.
public final class OpenSSLHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private enum State {
        case idle, handshaking, active, closing, closed
    }

    private let sslContext: SSLContext
    /// `SSL*`; owns both BIOs.
    private let ssl: OpaquePointer
    private let readBIO: OpaquePointer
    private let writeBIO: OpaquePointer
    private var state: State = .idle
    private var pendingWrites: [(ByteBuffer, EventLoopPromise<Void>?)] = []
    private var flushPending = false
    private var handshakeTimer: Scheduled<Void>?
    private var closeFuture: EventLoopFuture<Void>?
    /// What the handshake established; nil until it completes.
    public private(set) var peer: TLSPeer?

    /// - Parameters:
    ///   - context: the shared `SSL_CTX`.
    ///   - serverHostname: for a client, the name or IP address the certificate must match
    ///     (also sent as SNI when it is a name).
    public init(context: SSLContext, serverHostname: String? = nil) throws(TLSError) {
        guard let ssl = SSL_new(context.handle) else { throw .configuration(SSLContext.lastError()) }
        guard let rbio = BIO_new(BIO_s_mem()), let wbio = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw .configuration("cannot allocate memory BIOs")
        }
        SSL_set_bio(ssl, rbio, wbio)
        self.ssl = ssl
        self.readBIO = rbio
        self.writeBIO = wbio
        self.sslContext = context
        if context.isServer {
            SSL_set_accept_state(ssl)
        } else {
            SSL_set_connect_state(ssl)
            if let host = serverHostname {
                if Self.isIPAddress(host) {
                    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host)
                } else {
                    _ = conton_SSL_set_tlsext_host_name(ssl, host)
                    SSL_set1_host(ssl, host)
                }
            }
            if !context.alpnWire.isEmpty {
                _ = context.alpnWire.withUnsafeBufferPointer { SSL_set_alpn_protos(ssl, $0.baseAddress, UInt32($0.count)) }
            }
        }
    }

    deinit {
        SSL_free(ssl)
    }

    static func isIPAddress(_ host: String) -> Bool {
        host.contains(":") || host.split(separator: ".").count == 4 && host.allSatisfy { $0 == "." || $0.isNumber }
    }

    // MARK: lifecycle

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { self.startHandshake(context: context) }
    }

    public func channelActive(context: ChannelHandlerContext) {
        self.startHandshake(context: context)
        context.fireChannelActive()
    }

    private func startHandshake(context: ChannelHandlerContext) {
        guard self.state == .idle else { return }
        self.state = .handshaking
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        self.handshakeTimer = context.eventLoop.scheduleTask(in: .nanoseconds(self.sslContext.handshakeTimeoutNanoseconds)) {
            let (handler, context) = bound.value
            guard handler.state == .handshaking || handler.state == .idle else { return }
            handler.state = .closed
            handler.failPendingWrites(TLSError.handshakeTimeout)
            context.fireErrorCaught(TLSError.handshakeTimeout)
            context.close(promise: nil)
        }
        self.doHandshake(context: context)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        let previous = self.state
        self.state = .closed
        self.handshakeTimer?.cancel()
        self.failPendingWrites(ChannelError.ioOnClosedChannel)
        switch previous {
        case .idle, .handshaking: context.fireErrorCaught(TLSError.eofDuringHandshake)
        case .active: context.fireErrorCaught(TLSError.uncleanShutdown)
        case .closing, .closed: break
        }
        context.fireChannelInactive()
    }

    // MARK: inbound

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = self.unwrapInboundIn(data)
        guard self.state != .closed else { return }
        buffer.withUnsafeReadableBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = BIO_write(self.readBIO, bytes.baseAddress! + offset, Int32(bytes.count - offset))
                if n <= 0 { break }
                offset += Int(n)
            }
        }
        switch self.state {
        case .idle, .handshaking: self.doHandshake(context: context)
        case .active, .closing: self.readApplicationData(context: context)
        case .closed: break
        }
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        self.writeNetworkOutput(context: context, promise: nil)
        context.flush()
        context.fireChannelReadComplete()
    }

    private func doHandshake(context: ChannelHandlerContext) {
        ERR_clear_error()
        let rc = SSL_do_handshake(self.ssl)
        if rc == 1 {
            self.writeNetworkOutput(context: context, promise: nil)
            context.flush()
            self.handshakeCompleted(context: context)
            return
        }
        let error = SSL_get_error(self.ssl, rc)
        if error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE {
            self.writeNetworkOutput(context: context, promise: nil)
            context.flush()
            return
        }
        let reason = Self.describeFailure(ssl: self.ssl)
        // Send the alert OpenSSL queued, then close.
        self.writeNetworkOutput(context: context, promise: nil)
        context.flush()
        self.handshakeTimer?.cancel()
        self.state = .closed
        self.failPendingWrites(TLSError.handshakeFailed(reason))
        context.fireErrorCaught(TLSError.handshakeFailed(reason))
        context.close(promise: nil)
    }

    private func handshakeCompleted(context: ChannelHandlerContext) {
        self.handshakeTimer?.cancel()
        self.handshakeTimer = nil
        self.state = .active
        let peer = self.readPeer()
        self.peer = peer
        context.fireUserInboundEventTriggered(TLSEvent.handshakeCompleted(peer))
        // A close issued from the event handler ends here.
        guard self.state == .active else { return }
        let writes = self.pendingWrites
        self.pendingWrites = []
        for (data, promise) in writes { self.encryptAndWrite(context: context, data: data, promise: promise) }
        if self.flushPending || !writes.isEmpty {
            self.flushPending = false
            context.flush()
        }
        // Application data may have arrived together with the peer's Finished.
        self.readApplicationData(context: context)
    }

    private func readApplicationData(context: ChannelHandlerContext) {
        while self.state == .active || self.state == .closing {
            ERR_clear_error()
            var buffer = context.channel.allocator.buffer(capacity: 16 * 1024)
            var rc: Int32 = 0
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 16 * 1024) { ptr in
                rc = SSL_read(self.ssl, ptr.baseAddress, Int32(ptr.count))
                return rc > 0 ? Int(rc) : 0
            }
            if rc > 0 {
                context.fireChannelRead(self.wrapInboundOut(buffer))
                continue
            }
            let error = SSL_get_error(self.ssl, rc)
            switch error {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
                self.writeNetworkOutput(context: context, promise: nil)
                return
            case SSL_ERROR_ZERO_RETURN:
                // The peer sent close_notify: answer with ours and close.
                self.closeWithNotify(context: context, promise: nil)
                return
            default:
                let reason = Self.describeFailure(ssl: self.ssl)
                self.state = .closed
                context.fireErrorCaught(TLSError.failure(reason))
                context.close(promise: nil)
                return
            }
        }
    }

    // MARK: outbound

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let buffer = self.unwrapOutboundIn(data)
        switch self.state {
        case .idle, .handshaking:
            self.pendingWrites.append((buffer, promise))
        case .active:
            self.encryptAndWrite(context: context, data: buffer, promise: promise)
        case .closing, .closed:
            promise?.fail(ChannelError.ioOnClosedChannel)
        }
    }

    public func flush(context: ChannelHandlerContext) {
        switch self.state {
        case .idle, .handshaking: self.flushPending = true
        case .active, .closing: context.flush()
        case .closed: break
        }
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard mode == .all else {
            context.close(mode: mode, promise: promise)
            return
        }
        switch self.state {
        case .idle, .handshaking:
            self.state = .closed
            self.handshakeTimer?.cancel()
            self.failPendingWrites(ChannelError.ioOnClosedChannel)
            context.close(mode: .all, promise: promise)
        case .active:
            self.closeWithNotify(context: context, promise: promise)
        case .closing:
            if let future = self.closeFuture {
                future.cascade(to: promise)
            } else {
                promise?.succeed()
            }
        case .closed:
            promise?.fail(ChannelError.alreadyClosed)
        }
    }

    /// Sends `close_notify`, then closes TCP once it is written.
    private func closeWithNotify(context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        guard self.state == .active || self.state == .closing else {
            promise?.succeed()
            return
        }
        self.state = .closing
        ERR_clear_error()
        SSL_shutdown(self.ssl)
        let written = context.eventLoop.makePromise(of: Void.self)
        self.writeNetworkOutput(context: context, promise: written)
        context.flush()
        let closed = context.eventLoop.makePromise(of: Void.self)
        self.closeFuture = closed.futureResult
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        written.futureResult.whenComplete { _ in
            bound.value.close(mode: .all, promise: closed)
        }
        closed.futureResult.cascade(to: promise)
    }

    private func encryptAndWrite(context: ChannelHandlerContext, data: ByteBuffer, promise: EventLoopPromise<Void>?) {
        guard data.readableBytes > 0 else {
            promise?.succeed()
            return
        }
        ERR_clear_error()
        let rc = data.withUnsafeReadableBytes { SSL_write(self.ssl, $0.baseAddress, Int32($0.count)) }
        guard rc == data.readableBytes else {
            let reason = Self.describeFailure(ssl: self.ssl)
            promise?.fail(TLSError.failure(reason))
            return
        }
        self.writeNetworkOutput(context: context, promise: promise)
    }

    /// Moves whatever OpenSSL produced into one channel write (not flushed).
    private func writeNetworkOutput(context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        let pending = conton_BIO_pending(self.writeBIO)
        guard pending > 0 else {
            promise?.succeed()
            return
        }
        var out = context.channel.allocator.buffer(capacity: pending)
        out.writeWithUnsafeMutableBytes(minimumWritableBytes: pending) { ptr in
            Int(max(0, BIO_read(self.writeBIO, ptr.baseAddress, Int32(pending))))
        }
        context.write(self.wrapOutboundOut(out), promise: promise)
    }

    private func failPendingWrites(_ error: any Error) {
        let writes = self.pendingWrites
        self.pendingWrites = []
        for (_, promise) in writes { promise?.fail(error) }
    }

    // MARK: helpers

    private func readPeer() -> TLSPeer {
        let version = String(cString: SSL_get_version(self.ssl))
        let cipher = SSL_get_current_cipher(self.ssl).map { String(cString: SSL_CIPHER_get_name($0)) } ?? ""
        var alpnBuf = [CChar](repeating: 0, count: 256)
        let alpn = conton_ssl_alpn_selected(self.ssl, &alpnBuf, alpnBuf.count) == 1 ? Self.string(alpnBuf) : nil
        var subjectBuf = [CChar](repeating: 0, count: 1024)
        var digest = [CChar](repeating: 0, count: 65)
        var subject: String?
        var fingerprint: String?
        if conton_ssl_peer_subject(self.ssl, &subjectBuf, subjectBuf.count, &digest) == 1 {
            subject = Self.string(subjectBuf)
            fingerprint = Self.string(digest)
        }
        return TLSPeer(version: version, cipher: cipher, applicationProtocol: alpn, certificateSubject: subject, certificateSHA256: fingerprint)
    }

    private static func string(_ buf: [CChar]) -> String {
        String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func describeFailure(ssl: OpaquePointer) -> String {
        let reason = SSLContext.lastError()
        let verify = SSL_get_verify_result(ssl)
        if verify != X509_V_OK {
            return "\(reason) (certificate: \(String(cString: X509_verify_cert_error_string(verify))))"
        }
        return reason
    }
}
