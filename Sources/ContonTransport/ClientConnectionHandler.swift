import ContonAPI
import ContonWire
import GRPCCore
import NIOCore

/// The client side of one connection: opens calls, routes response frames to them.
final class ClientConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = InboundFrame
    typealias OutboundOut = Frame

    typealias Inbound = AsyncThrowingStream<RPCResponsePart<[UInt8]>, any Error>.Continuation

    private var calls: [UInt32: Inbound] = [:]
    private var nextCallID: UInt32
    private var context: ChannelHandlerContext?
    private var goAway: RPCError?
    private let flusher = FlushCoalescer()

    /// - Parameter firstCallID: odd; tests start near the end of the id space.
    init(firstCallID: UInt32 = 1) { self.nextCallID = firstCallID }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelInactive(context: ChannelHandlerContext) {
        self.failAll(RPCError(code: .unavailable, message: "connection closed"))
        self.goAway = self.goAway ?? RPCError(code: .unavailable, message: "connection closed")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.failAll(RPCError(code: .unavailable, message: "connection failed: \(error)"))
        context.close(promise: nil)
    }

    private func failAll(_ error: RPCError) {
        let calls = self.calls
        self.calls.removeAll()
        for (_, inbound) in calls { inbound.finish(throwing: error) }
    }

    /// Opens a call: assigns the next call id (ids go out in order because this runs on the
    /// event loop when HEADERS is written), registers its inbound stream, sends HEADERS.
    ///
    /// The call that takes the last id (0xFFFFFFFF) is followed by GOAWAY: the connection can
    /// open no more calls, the server finishes the open ones and closes it, and later calls
    /// fail with UNAVAILABLE (docs/PROTOCOL.md §3).
    func open(_ call: ClientCall, headers: Conton_Rpc_V1_CallHeaders) -> EventLoopFuture<Void>? {
        if let goAway = self.goAway {
            call.inbound.finish(throwing: goAway)
            return nil
        }
        let id = self.nextCallID
        call.id = id
        self.calls[id] = call.inbound
        let sent = self.send(Frame(type: .headers, callID: id, payload: ByteBuffer(bytes: headers.serializedBytes())))
        let (next, overflow) = id.addingReportingOverflow(2)
        if overflow {
            self.goAway = RPCError(code: .unavailable, message: "call ids exhausted on this connection; open a new one")
            var goAway = Conton_Rpc_V1_GoAway()
            goAway.lastCallId = id
            goAway.message = "call ids exhausted"
            self.send(Frame(type: .goAway, callID: 0, payload: ByteBuffer(bytes: goAway.serializedBytes())))
        } else {
            self.nextCallID = next
        }
        return sent
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .oversizedMessage(let callID, let length):
            if let inbound = self.calls.removeValue(forKey: callID) {
                inbound.finish(throwing: RPCError(code: .resourceExhausted, message: "response message of \(length) bytes exceeds the limit"))
                self.send(Frame(type: .cancel, callID: callID))
            }
        case .frame(let frame):
            self.handle(frame)
        }
    }

    private func handle(_ frame: Frame) {
        switch frame.type {
        case .headers:
            guard let inbound = self.calls[frame.callID],
                  let headers = try? Conton_Rpc_V1_CallHeaders(serializedBytes: frame.payload.readableBytesView) else { return }
            inbound.yield(.metadata(WireMetadata.metadata(headers.metadata)))
        case .message:
            self.calls[frame.callID]?.yield(.message(Array(frame.payload.readableBytesView)))
        case .trailers:
            guard let inbound = self.calls.removeValue(forKey: frame.callID) else { return }
            let wire = (try? Conton_Rpc_V1_Status(serializedBytes: frame.payload.readableBytesView)) ?? Conton_Rpc_V1_Status()
            let metadata = WireMetadata.metadata(wire.metadata)
            let code = Status.Code(rawValue: Int(wire.code)) ?? .unknown
            inbound.yield(.status(Status(code: code, message: wire.message), metadata))
            inbound.finish()
        case .ping:
            self.send(Frame(type: .pong, callID: 0, payload: frame.payload))
        case .goAway:
            let wire = (try? Conton_Rpc_V1_GoAway(serializedBytes: frame.payload.readableBytesView)) ?? Conton_Rpc_V1_GoAway()
            let error = RPCError(code: .unavailable, message: "server sent GOAWAY: \(wire.message)")
            self.goAway = error
            for (id, inbound) in self.calls where id > wire.lastCallId {
                self.calls.removeValue(forKey: id)
                inbound.finish(throwing: error)
            }
        case .pong, .halfClose, .cancel:
            break
        }
    }

    /// Writes a frame; flushes are coalesced within one event-loop tick.
    @discardableResult
    func send(_ frame: Frame) -> EventLoopFuture<Void>? {
        guard let context = self.context else { return nil }
        return self.flusher.write(frame, context: context)
    }

    /// The client abandons a call (a no-op once it has ended).
    func cancel(_ call: ClientCall) {
        guard let callID = call.id else {
            call.inbound.finish(throwing: RPCError(code: .cancelled, message: "cancelled before it started"))
            return
        }
        guard self.calls.removeValue(forKey: callID) != nil else { return }
        self.send(Frame(type: .cancel, callID: callID))
    }
}

/// One client call's state, touched only on its connection's event loop.
final class ClientCall: @unchecked Sendable {
    /// Assigned when HEADERS is written.
    var id: UInt32?
    let inbound: ClientConnectionHandler.Inbound

    init(inbound: ClientConnectionHandler.Inbound) { self.inbound = inbound }
}
