import Synchronization

/// The calls a run bounded by a number of calls (``LoadOptions/calls``) may still make: workers
/// take one before each measured call and hand it back when the call ends; once every call is
/// taken and has ended, the run is over.
final class CallBudget: Sendable {
    private struct State {
        var remaining: Int
        var outstanding = 0
        var lastEnd: ContinuousClock.Instant?
        var waiters: [CheckedContinuation<ContinuousClock.Instant?, Never>] = []
        var isDone: Bool { remaining == 0 && outstanding == 0 }
    }

    private let state: Mutex<State>

    init(calls: Int) {
        state = Mutex(State(remaining: calls))
    }

    /// Takes one call; false when none is left.
    func take() -> Bool {
        state.withLock { s in
            guard s.remaining > 0 else { return false }
            s.remaining -= 1
            s.outstanding += 1
            return true
        }
    }

    /// A taken call ended at `instant`.
    func finish(at instant: ContinuousClock.Instant) {
        let (waiters, end) = state.withLock { s -> ([CheckedContinuation<ContinuousClock.Instant?, Never>], ContinuousClock.Instant?) in
            s.outstanding -= 1
            if s.lastEnd.map({ instant > $0 }) ?? true { s.lastEnd = instant }
            guard s.isDone else { return ([], nil) }
            defer { s.waiters = [] }
            return (s.waiters, s.lastEnd)
        }
        for waiter in waiters { waiter.resume(returning: end) }
    }

    /// When the last call ended, once every call has been made.
    func done() async -> ContinuousClock.Instant? {
        await withCheckedContinuation { continuation in
            let end: ContinuousClock.Instant?? = state.withLock { s in
                if s.isDone { return .some(s.lastEnd) }
                s.waiters.append(continuation)
                return .none
            }
            if let end { continuation.resume(returning: end) }
        }
    }
}
