import GRPCCore
import NIOCore

/// The outbound side of one server call: parts hop to the connection's event loop and become
/// frames. A write waits for the network only when the channel is not writable (backpressure).
struct ServerCallWriter: ClosableRPCWriterProtocol {
    typealias Element = RPCResponsePart<[UInt8]>

    let callID: UInt32
    let handler: NIOLoopBound<ServerConnectionHandler>
    let channel: any Channel
    /// Largest response message the call may send (``ServerLimits/maxResponseMessageSize``).
    let maxMessageSize: Int

    /// - Throws: RESOURCE_EXHAUSTED for a message over ``maxMessageSize``; the call has then
    ///   ended with that status on the wire and the message was not sent.
    func write(_ element: RPCResponsePart<[UInt8]>) async throws {
        let handler = self.handler, callID = self.callID
        if case .message(let bytes) = element, bytes.count > self.maxMessageSize {
            let size = bytes.count
            self.channel.eventLoop.execute { handler.value.responseTooLarge(callID: callID, size: size) }
            var metadata = Metadata()
            metadata.addString(String(self.maxMessageSize), forKey: ServerLimits.messageLimitMetadataKey)
            throw RPCError(code: .resourceExhausted, message: ServerConnectionHandler.responseTooLargeMessage(size: size, limit: self.maxMessageSize),
                           metadata: metadata)
        }
        let future = self.channel.eventLoop.flatSubmit {
            handler.value.write(element, callID: callID) ?? handler.eventLoop.makeSucceededVoidFuture()
        }
        if !self.channel.isWritable { try await future.get() }
    }

    func write(contentsOf elements: some Sequence<RPCResponsePart<[UInt8]>>) async throws {
        for element in elements { try await self.write(element) }
    }

    func finish() async {
        let handler = self.handler, callID = self.callID
        self.channel.eventLoop.execute { handler.value.finish(callID: callID, error: nil) }
    }

    func finish(throwing error: any Error) async {
        let handler = self.handler, callID = self.callID
        let sendable = error as? RPCError
        self.channel.eventLoop.execute { handler.value.finish(callID: callID, error: sendable) }
    }
}
