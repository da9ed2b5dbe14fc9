import ContonAPI
import ContonTLS
import ContonWire
import GRPCCore
import Logging
import NIOCore

/// Asks a connection to finish gracefully: GOAWAY, let open calls end, close.
struct GracefulShutdownEvent: Sendable {}

/// One server connection: turns frames into calls and call parts into frames.
///
/// Runs on the connection's event loop. Each call gets an inbound stream fed from `MESSAGE`
/// frames and an outbound writer whose parts come back here (through the event loop) as
/// `HEADERS`, `MESSAGE` and `TRAILERS` frames. Flushes are coalesced within an event-loop tick.
final class ServerConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = InboundFrame
    typealias OutboundIn = Never
    typealias OutboundOut = Frame

    private struct Call {
        var method: String
        var inbound: AsyncThrowingStream<RPCRequestPart<[UInt8]>, any Error>.Continuation
        var cancellation: CallCancellation
        var deadline: Scheduled<Void>?
        /// Message bytes handed to the call and not yet taken by its handler.
        var buffered = 0
        /// `.one` for a unary or server-streaming method of the compiled-in protos.
        var cardinality: RequestCardinality?
        /// Request messages received so far.
        var messages = 0
        /// The client sent `HALF_CLOSE` (or `END_STREAM`): its request is complete.
        var halfClosed = false
    }

    /// Inbound backpressure: message bytes handed to calls and not yet taken by their handlers,
    /// on this connection. Above the high watermark the handler stops asking the channel for
    /// reads (TCP then pushes back on the peer); below the low one it reads again.
    private var buffered = 0
    private var readDeferred = false
    static let highWatermark = 4 * 1024 * 1024
    static let lowWatermark = 1024 * 1024

    private let limits: ServerLimits
    private let accept: @Sendable (AcceptedCall) -> Void
    private let logger: Logger
    private var calls: [UInt32: Call] = [:]
    private var highestCallID: UInt32 = 0
    private var context: ChannelHandlerContext?
    private var tlsPeer: TLSPeer?
    private let flusher = FlushCoalescer()
    private var goingAway = false
    private var closed = false
    private var idleTimer: Scheduled<Void>?
    private var keepaliveTimer: Scheduled<Void>?
    /// When the peer last sent anything, and the payload of our unanswered PING, if any.
    private var lastRead = NIODeadline.now()
    private var outstandingPing: ByteBuffer?

    init(limits: ServerLimits, logger: Logger, accept: @escaping @Sendable (AcceptedCall) -> Void) {
        self.limits = limits
        self.logger = logger
        self.accept = accept
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.armIdleTimer()
        self.armKeepalive(in: self.limits.keepaliveInterval)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.closed = true
        self.idleTimer?.cancel()
        self.keepaliveTimer?.cancel()
        for (_, call) in self.calls {
            call.deadline?.cancel()
            call.cancellation.cancel()
            call.inbound.finish(throwing: RPCError(code: .unavailable, message: "connection closed"))
        }
        self.calls.removeAll()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted(let peer)? = event as? TLSEvent {
            self.tlsPeer = peer
        }
        context.fireUserInboundEventTriggered(event)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        if event is GracefulShutdownEvent {
            self.goAway(code: .ok, message: "server shutting down")
            promise?.succeed()
        } else {
            context.triggerUserOutboundEvent(event, promise: promise)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let violation = error as? ProtocolViolation {
            self.protocolError(violation.reason)
        } else if error is ByteToMessageDecoderError {
            // The decoder already reported the first error; later reads are refused.
            return
        } else {
            if case TLSError.uncleanShutdown? = error as? TLSError {} else {
                self.logger.debug("connection error", metadata: ["error": "\(error)"])
            }
            context.close(promise: nil)
        }
    }

    // MARK: inbound frames

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.closed else { return }
        self.lastRead = .now()
        switch self.unwrapInboundIn(data) {
        case .oversizedMessage(let callID, let length):
            self.failCall(callID, status: Status(code: .resourceExhausted, message: "message of \(length) bytes exceeds the limit of \(self.limits.maxMessageSize)"),
                          metadata: Self.limitMetadata(self.limits.maxMessageSize))
        case .frame(let frame):
            self.handle(frame: frame)
        }
    }

    private func handle(frame: Frame) {
        switch frame.type {
        case .headers: self.openCall(frame)
        case .message:
            guard let call = self.callFrame(frame) else { return }
            if let refusal = self.refusal(ofMessageOn: call) {
                self.failCall(frame.callID, status: Status(code: .internalError, message: refusal), cancelHandler: call.halfClosed)
                return
            }
            let size = frame.payload.readableBytes
            self.calls[frame.callID]?.messages += 1
            self.calls[frame.callID]?.buffered += size
            self.buffered += size
            call.inbound.yield(.message(Array(frame.payload.readableBytesView)))
            if frame.flags.contains(.endStream) { self.halfClose(frame.callID) }
        case .halfClose:
            guard self.callFrame(frame) != nil else { return }
            self.halfClose(frame.callID)
        case .cancel:
            guard let call = self.callFrame(frame) else { return }
            self.endCall(frame.callID)
            call.cancellation.cancel()
            call.inbound.finish(throwing: RPCError(code: .cancelled, message: "cancelled by the client"))
        case .ping:
            self.send(Frame(type: .pong, callID: 0, payload: frame.payload))
        case .pong:
            if frame.payload == self.outstandingPing { self.outstandingPing = nil }
        case .goAway:
            // The client will open no more calls: the open ones finish, then the connection closes.
            self.logger.debug("GOAWAY from the client", metadata: ["open calls": "\(self.calls.count)"])
            self.goingAway = true
            self.closeIfDone()
        case .trailers:
            self.protocolError("TRAILERS from a client")
        }
    }

    /// Why a request `MESSAGE` on this open call is refused (the call then ends with INTERNAL),
    /// or nil: nothing may follow the client's half-close, and a unary or server-streaming
    /// method takes one message.
    private func refusal(ofMessageOn call: Call) -> String? {
        if call.halfClosed { return "MESSAGE after HALF_CLOSE" }
        if call.cardinality == .one, call.messages >= 1 { return "\(call.method) takes exactly one request message; got a second" }
        return nil
    }

    /// The client's request is complete (`HALF_CLOSE`, or `END_STREAM` on its last `MESSAGE`).
    private func halfClose(_ callID: UInt32) {
        guard let call = self.calls[callID] else { return }
        if call.halfClosed {
            self.failCall(callID, status: Status(code: .internalError, message: "HALF_CLOSE after HALF_CLOSE"), cancelHandler: true)
        } else if call.cardinality == .one, call.messages == 0 {
            self.failCall(callID, status: Status(code: .internalError, message: "\(call.method) takes exactly one request message; got none before HALF_CLOSE"))
        } else {
            self.calls[callID]?.halfClosed = true
            call.inbound.finish()
        }
    }

    /// The open call a frame belongs to; nil for a call that already ended (frames may cross).
    private func callFrame(_ frame: Frame) -> Call? {
        if let call = self.calls[frame.callID] { return call }
        if frame.callID > self.highestCallID { self.protocolError("\(frame.type) for call \(frame.callID), which was never opened") }
        return nil
    }

    private func openCall(_ frame: Frame) {
        let callID = frame.callID
        if self.calls[callID] != nil {
            self.protocolError("HEADERS for call \(callID), which is already open")
            return
        }
        guard callID > self.highestCallID else {
            self.protocolError("call id \(callID) is not above \(self.highestCallID)")
            return
        }
        self.highestCallID = callID
        let headers: Conton_Rpc_V1_CallHeaders
        do {
            headers = try Conton_Rpc_V1_CallHeaders(serializedBytes: frame.payload.readableBytesView)
        } catch {
            self.protocolError("undecodable CallHeaders on call \(callID)")
            return
        }
        if self.goingAway {
            self.writeTrailers(callID, Status(code: .unavailable, message: "connection is going away"), [])
            return
        }
        if let refusal = RequestMetadataRules.violation(headers.metadata, idempotencyKey: headers.idempotencyKey) {
            self.writeTrailers(callID, Status(code: .invalidArgument, message: refusal), [])
            return
        }
        if self.calls.count >= self.limits.maxConcurrentCalls {
            self.writeTrailers(callID, Status(code: .resourceExhausted, message: "too many concurrent calls (limit \(self.limits.maxConcurrentCalls))"), [])
            return
        }
        guard let slash = headers.method.lastIndex(of: "/"), slash != headers.method.startIndex,
              headers.method.index(after: slash) != headers.method.endIndex else {
            self.writeTrailers(callID, Status(code: .unimplemented, message: "malformed method name '\(headers.method)'"), [])
            return
        }
        let service = String(headers.method[..<slash]).trimmingPrefix("/")
        let method = String(headers.method[headers.method.index(after: slash)...])
        let descriptor = MethodDescriptor(fullyQualifiedService: String(service), method: method)

        guard let context = self.context else { return }
        let (inbound, continuation) = AsyncThrowingStream.makeStream(of: RPCRequestPart<[UInt8]>.self)
        var metadata = WireMetadata.metadata(headers.metadata)
        if !headers.idempotencyKey.isEmpty { metadata.replaceOrAddString(headers.idempotencyKey, forKey: "idempotency-key") }
        continuation.yield(.metadata(metadata))
        let cancellation = CallCancellation()
        var call = Call(method: descriptor.fullyQualifiedMethod, inbound: continuation, cancellation: cancellation,
                        cardinality: RequestCardinality.of(method: descriptor.fullyQualifiedMethod))
        if headers.timeoutMicros > 0 {
            let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
            call.deadline = context.eventLoop.scheduleTask(in: .microseconds(Int64(clamping: headers.timeoutMicros))) {
                bound.value.deadlineExceeded(callID)
            }
        }
        self.calls[callID] = call
        self.idleTimer?.cancel()
        self.idleTimer = nil

        let writer = ServerCallWriter(callID: callID, handler: NIOLoopBound(self, eventLoop: context.eventLoop), channel: context.channel,
                                      maxMessageSize: self.limits.maxResponseMessageSize)
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let tracked = ConsumptionTrackingSequence(base: inbound) { size in
            bound.eventLoop.execute { bound.value.consumed(size, callID: callID) }
        }
        let stream = RPCStream(descriptor: descriptor, inbound: RPCAsyncSequence(wrapping: tracked), outbound: RPCWriter.Closable(wrapping: writer))
        let remote = PeerIdentity.describe(context.channel.remoteAddress)
        let local = context.channel.localAddress.map { "\($0)" } ?? "unknown"
        self.accept(AcceptedCall(stream: stream, cancellation: cancellation, peer: PeerIdentity(tls: self.tlsPeer, remoteAddress: remote), localAddress: local))
    }

    private func deadlineExceeded(_ callID: UInt32) {
        guard let call = self.calls[callID] else { return }
        call.cancellation.cancel()
        call.inbound.finish(throwing: RPCError(code: .deadlineExceeded, message: "deadline exceeded"))
        self.writeTrailers(callID, Status(code: .deadlineExceeded, message: "deadline exceeded"), [])
        self.endCall(callID)
    }

    /// Ends a call with `status` from the transport's side. The handler is not cancelled unless
    /// asked: it meets the same status as the error of its request stream, so the call log
    /// records what the client was told (a cancelled handler's stream would just end, and
    /// GRPCCore would report a unary request's missing message as INTERNAL "Empty stream.").
    /// A handler whose request stream had already ended would never learn of it, so it is
    /// cancelled (`cancelHandler`). Whatever it writes later is dropped: the call is over.
    private func failCall(_ callID: UInt32, status: Status, metadata: [Conton_Rpc_V1_MetadataEntry] = [], cancelHandler: Bool = false) {
        guard let call = self.calls[callID] else {
            if callID > self.highestCallID { self.protocolError("MESSAGE for call \(callID), which was never opened") }
            return
        }
        self.logger.debug("call ended by the transport", metadata: ["method": "\(call.method)", "status": "\(status.code)", "message": "\(status.message)"])
        if cancelHandler { call.cancellation.cancel() }
        call.inbound.finish(throwing: RPCError(code: RPCError.Code(status.code) ?? .unknown, message: status.message))
        self.writeTrailers(callID, status, metadata)
        self.endCall(callID)
    }

    /// A handler tried to send a response message over the limit (from ``ServerCallWriter``,
    /// which throws the same error to the handler): the call ends with RESOURCE_EXHAUSTED and
    /// the message is never sent.
    func responseTooLarge(callID: UInt32, size: Int) {
        self.failCall(callID, status: Status(code: .resourceExhausted, message: Self.responseTooLargeMessage(size: size, limit: self.limits.maxResponseMessageSize)),
                      metadata: Self.limitMetadata(self.limits.maxResponseMessageSize))
    }

    static func responseTooLargeMessage(size: Int, limit: Int) -> String {
        "response message of \(size) bytes exceeds the limit of \(limit)"
    }

    /// The trailing metadata announcing a size limit a call crossed.
    static func limitMetadata(_ limit: Int) -> [Conton_Rpc_V1_MetadataEntry] {
        var entry = Conton_Rpc_V1_MetadataEntry()
        entry.key = ServerLimits.messageLimitMetadataKey
        entry.value = Array(String(limit).utf8)
        return [entry]
    }

    private func endCall(_ callID: UInt32) {
        if let call = self.calls.removeValue(forKey: callID) {
            call.deadline?.cancel()
            self.release(call.buffered)
        }
        if self.calls.isEmpty {
            self.closeIfDone()
            self.armIdleTimer()
        }
    }

    // MARK: inbound backpressure

    func read(context: ChannelHandlerContext) {
        if self.buffered >= Self.highWatermark {
            self.readDeferred = true
            return
        }
        context.read()
    }

    /// A call's handler took a message of `size` bytes (on the event loop).
    func consumed(_ size: Int, callID: UInt32) {
        guard self.calls[callID] != nil else { return }  // ended: already released
        self.calls[callID]!.buffered -= size
        self.release(size)
    }

    private func release(_ size: Int) {
        self.buffered -= size
        if self.readDeferred && self.buffered < Self.lowWatermark, let context = self.context {
            self.readDeferred = false
            context.read()
        }
    }

    // MARK: outbound parts (from ServerCallWriter, on the event loop)

    func write(_ part: RPCResponsePart<[UInt8]>, callID: UInt32) -> EventLoopFuture<Void>? {
        guard self.calls[callID] != nil, let context = self.context else { return nil }
        switch part {
        case .metadata(let metadata):
            var headers = Conton_Rpc_V1_CallHeaders()
            headers.metadata = WireMetadata.entries(metadata)
            return self.send(Frame(type: .headers, callID: callID, payload: ByteBuffer(bytes: headers.serializedBytes())))
        case .message(let bytes):
            var buffer = context.channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            return self.send(Frame(type: .message, callID: callID, payload: buffer))
        case .status(let status, let metadata):
            // The error's details (`grpc-status-details-bin`) are metadata like any other.
            let future = self.writeTrailers(callID, status, WireMetadata.entries(metadata))
            self.endCall(callID)
            return future
        }
    }

    /// The handler finished without a status (it threw past GRPCCore, or the task ended).
    func finish(callID: UInt32, error: (any Error)?) {
        guard self.calls[callID] != nil else { return }
        let status = (error as? RPCError).map { Status(code: Status.Code($0.code), message: $0.message) }
            ?? Status(code: .unknown, message: "the call ended without a status")
        self.writeTrailers(callID, status, [])
        self.endCall(callID)
    }

    @discardableResult
    private func writeTrailers(_ callID: UInt32, _ status: Status, _ metadata: [Conton_Rpc_V1_MetadataEntry]) -> EventLoopFuture<Void>? {
        var wire = Conton_Rpc_V1_Status()
        wire.code = Int32(status.code.rawValue)
        wire.message = status.message
        wire.metadata = metadata
        return self.send(Frame(type: .trailers, callID: callID, payload: ByteBuffer(bytes: wire.serializedBytes())))
    }

    @discardableResult
    private func send(_ frame: Frame) -> EventLoopFuture<Void>? {
        guard let context = self.context, !self.closed else { return nil }
        return self.flusher.write(frame, context: context)
    }

    // MARK: connection lifecycle

    private func goAway(code: Status.Code, message: String) {
        guard !self.goingAway || code != .ok else { self.closeIfDone(); return }
        self.goingAway = true
        var goAway = Conton_Rpc_V1_GoAway()
        goAway.lastCallId = self.highestCallID
        goAway.code = Int32(code.rawValue)
        goAway.message = message
        self.send(Frame(type: .goAway, callID: 0, payload: ByteBuffer(bytes: goAway.serializedBytes())))
        self.closeIfDone()
    }

    private func closeIfDone() {
        guard self.goingAway, self.calls.isEmpty, let context = self.context, !self.closed else { return }
        self.closed = true
        context.flush()
        context.close(promise: nil)
    }

    private func protocolError(_ reason: String) {
        guard let context = self.context, !self.closed else { return }
        self.logger.warning("protocol violation; closing connection", metadata: ["reason": "\(reason)", "peer": "\(context.channel.remoteAddress.map { "\($0)" } ?? "?")"])
        var goAway = Conton_Rpc_V1_GoAway()
        goAway.lastCallId = self.highestCallID
        goAway.code = Int32(Status.Code.internalError.rawValue)
        goAway.message = "protocol violation: \(reason)"
        context.writeAndFlush(self.wrapOutboundOut(Frame(type: .goAway, callID: 0, payload: ByteBuffer(bytes: goAway.serializedBytes()))), promise: nil)
        self.goingAway = true
        for call in self.calls.values {
            call.deadline?.cancel()
            call.cancellation.cancel()
            call.inbound.finish(throwing: RPCError(code: .unavailable, message: "connection closed: protocol violation"))
        }
        self.calls.removeAll()
        self.closed = true
        context.close(promise: nil)
    }

    /// Every interval: a peer silent for the whole interval gets a PING; a PING still unanswered
    /// after the keepalive timeout closes the connection.
    private func armKeepalive(in delay: TimeAmount) {
        guard let context = self.context, !self.closed else { return }
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        self.keepaliveTimer = context.eventLoop.scheduleTask(in: delay) { bound.value.keepaliveTick() }
    }

    private func keepaliveTick() {
        guard let context = self.context, !self.closed else { return }
        if self.outstandingPing != nil {
            self.logger.info("keepalive ping unanswered; closing connection", metadata: ["peer": "\(context.channel.remoteAddress.map { "\($0)" } ?? "?")"])
            self.closed = true
            context.close(promise: nil)
            return
        }
        let silentFor = NIODeadline.now() - self.lastRead
        if silentFor >= self.limits.keepaliveInterval {
            var payload = context.channel.allocator.buffer(capacity: 8)
            payload.writeInteger(UInt64.random(in: .min ... .max))
            self.outstandingPing = payload
            self.send(Frame(type: .ping, callID: 0, payload: payload))
            self.armKeepalive(in: self.limits.keepaliveTimeout)
        } else {
            self.armKeepalive(in: self.limits.keepaliveInterval - silentFor)
        }
    }

    private func armIdleTimer() {
        guard let context = self.context, self.calls.isEmpty, !self.closed else { return }
        self.idleTimer?.cancel()
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        self.idleTimer = context.eventLoop.scheduleTask(in: self.limits.idleTimeout) {
            let handler = bound.value
            if handler.calls.isEmpty { handler.goAway(code: .ok, message: "idle") }
        }
    }
}
