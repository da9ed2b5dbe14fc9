import Synchronization

/// The live subscribers in this process, by recipient: ``NotificationsService/subscribe`` registers
/// a stream per call; a commit that made or changed a recipient's notifications wakes that
/// recipient's streams (after commit, so a woken stream reads what was committed); the heartbeat
/// ticker wakes every stream. A signal carries nothing: the stream reads the rows past its cursor,
/// so a wake-up that is coalesced or arrives late loses nothing. Each stream buffers at most one
/// signal, so a subscriber that does not read never holds the hub up.
final class NotificationHub: Sendable {
    enum Signal: Sendable {
        case changed
        case heartbeat
    }

    private struct State {
        var next = 0
        var streams: [String: [Int: AsyncStream<Signal>.Continuation]] = [:]
        var count = 0
    }

    private let state = Mutex(State())

    /// A new stream for `recipient`'s subscriber; unregister it with the token when done.
    func register(_ recipient: String) -> (token: Int, signals: AsyncStream<Signal>) {
        let (stream, continuation) = AsyncStream<Signal>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let token = state.withLock { s in
            s.next += 1
            s.streams[recipient, default: [:]][s.next] = continuation
            s.count += 1
            return s.next
        }
        return (token, stream)
    }

    func unregister(_ recipient: String, token: Int) {
        let removed = state.withLock { s -> AsyncStream<Signal>.Continuation? in
            guard let c = s.streams[recipient]?.removeValue(forKey: token) else { return nil }
            if s.streams[recipient]?.isEmpty == true { s.streams[recipient] = nil }
            s.count -= 1
            return c
        }
        removed?.finish()
    }

    /// Wakes the streams of `recipients`.
    func wake(_ recipients: some Sequence<String>) {
        let targets = state.withLock { s in recipients.flatMap { s.streams[$0].map { Array($0.values) } ?? [] } }
        for c in targets { c.yield(.changed) }
    }

    /// Wakes every stream with a heartbeat.
    func heartbeat() {
        let all = state.withLock { s in s.streams.values.flatMap(\.values) }
        for c in all { c.yield(.heartbeat) }
    }

    /// Live streams now.
    var subscribers: Int { state.withLock { $0.count } }
}
