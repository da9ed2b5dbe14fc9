import GRPCCore

/// A call's inbound parts, reporting the size of each message its handler takes (so that the
/// connection can stop reading while handlers are behind).
struct ConsumptionTrackingSequence: AsyncSequence, Sendable {
    typealias Element = RPCRequestPart<[UInt8]>
    let base: AsyncThrowingStream<RPCRequestPart<[UInt8]>, any Error>
    let onConsume: @Sendable (Int) -> Void

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<RPCRequestPart<[UInt8]>, any Error>.AsyncIterator
        let onConsume: @Sendable (Int) -> Void

        mutating func next() async throws -> RPCRequestPart<[UInt8]>? {
            let part = try await base.next()
            if case .message(let bytes)? = part { onConsume(bytes.count) }
            return part
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), onConsume: onConsume)
    }
}
