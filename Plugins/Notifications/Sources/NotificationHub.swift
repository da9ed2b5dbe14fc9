import ContonAPI
import Synchronization

/// The live subscribers in this process, by recipient: ``NotificationsService/subscribe`` registers
/// a stream per call; a commit that made or changed a recipient's notifications wakes that
/// recipient's streams (after commit, so a woken stream reads what was committed); the heartbeat
/// ticker wakes every stream. A signal carries nothing: the stream reads the rows past its cursor,
/// so a wake-up that is coalesced or arrives late loses nothing. Each stream buffers at most one
/// signal, so a subscriber that does not read never holds the hub up.
///
/// The streams of one recipient woken by the same commit usually stand at the same cursor: they
/// share one read (``sharedRead(_:after:generation:_:)``) instead of one each. A stream joins a
/// read only if it began after the wake-up the stream is answering (each wake bumps the
/// recipient's generation before signalling), so a shared answer never misses a commit.
final class NotificationHub: Sendable {
    typealias Message = Conton_Notifications_V1_SubscribeResponse

    private struct Key: Hashable {
        var recipient: String
        var after: Int64
    }
    enum Signal: Sendable {
        case changed
        case heartbeat
    }

    private struct State {
        var next = 0
        var streams: [String: [Int: AsyncStream<Signal>.Continuation]] = [:]
        var count = 0
        var generations: [String: UInt64] = [:]
        var reads: [Key: (generation: UInt64, task: Task<Message?, any Error>)] = [:]
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
            if s.streams[recipient]?.isEmpty == true {
                s.streams[recipient] = nil
                s.generations[recipient] = nil
            }
            s.count -= 1
            return c
        }
        removed?.finish()
    }

    /// Wakes the streams of `recipients`.
    func wake(_ recipients: some Sequence<String>) {
        let targets = state.withLock { s in
            recipients.flatMap { r -> [AsyncStream<Signal>.Continuation] in
                guard let streams = s.streams[r] else { return [] }
                s.generations[r, default: 0] += 1
                return Array(streams.values)
            }
        }
        for c in targets { c.yield(.changed) }
    }

    /// `recipient`'s wake-up count: read after a signal, it covers that signal's commit.
    func generation(of recipient: String) -> UInt64 {
        state.withLock { $0.generations[recipient] ?? 0 }
    }

    /// The changes past `after` for `recipient`: joins a read of the same changes that began at
    /// `generation` or later, or runs `read` (and lets later callers join it).
    func sharedRead(_ recipient: String, after: Int64, generation: UInt64,
                    _ read: @escaping @Sendable () async throws -> Message?) async throws -> Message? {
        let key = Key(recipient: recipient, after: after)
        let task = state.withLock { s -> Task<Message?, any Error> in
            if let running = s.reads[key], running.generation >= generation { return running.task }
            let task = Task { try await read() }
            s.reads[key] = (generation, task)
            return task
        }
        defer {
            state.withLock { s in
                if let entry = s.reads[key], entry.task == task { s.reads[key] = nil }
            }
        }
        return try await task.value
    }

    /// Wakes every stream with a heartbeat.
    func heartbeat() {
        let all = state.withLock { s in s.streams.values.flatMap(\.values) }
        for c in all { c.yield(.heartbeat) }
    }

    /// Live streams now.
    var subscribers: Int { state.withLock { $0.count } }
}
