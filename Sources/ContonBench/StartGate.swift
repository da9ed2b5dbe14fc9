import Synchronization

/// Starts a run's clock once every worker has made its first call: until then connections may
/// still be opening, and that is not what a run measures.
final class StartGate: Sendable {
    private struct State {
        var arrived = 0
        var window: LoadGenerator.Window?
        var waiters: [CheckedContinuation<LoadGenerator.Window, Never>] = []
    }

    private let state = Mutex(State())
    private let workers: Int
    private let warmup: Duration
    private let duration: Duration
    private let clock: ContinuousClock

    init(workers: Int, warmup: Duration, duration: Duration, clock: ContinuousClock) {
        self.workers = workers
        self.warmup = warmup
        self.duration = duration
        self.clock = clock
    }

    /// A worker is ready; returns the window once every worker is (or the gate was forced open).
    func arrive() async -> LoadGenerator.Window {
        await self.wait(arriving: true)
    }

    /// The window, once the gate opens (without counting as a worker).
    func window() async -> LoadGenerator.Window {
        await self.wait(arriving: false)
    }

    /// Opens the gate now, whoever has arrived.
    func open() {
        let (window, waiters) = state.withLock { s in self.opening(&s) }
        for waiter in waiters { waiter.resume(returning: window) }
    }

    private func wait(arriving: Bool) async -> LoadGenerator.Window {
        await withCheckedContinuation { continuation in
            let ready: (LoadGenerator.Window, [CheckedContinuation<LoadGenerator.Window, Never>])? = state.withLock { s in
                if arriving { s.arrived += 1 }
                if let window = s.window { return (window, [continuation]) }
                s.waiters.append(continuation)
                return s.arrived >= workers ? self.opening(&s) : nil
            }
            if let (window, waiters) = ready {
                for waiter in waiters { waiter.resume(returning: window) }
            }
        }
    }

    /// Sets the window (if not yet set) and hands back the waiters to resume outside the lock.
    private func opening(_ s: inout State) -> (LoadGenerator.Window, [CheckedContinuation<LoadGenerator.Window, Never>]) {
        if s.window == nil {
            let start = clock.now
            s.window = LoadGenerator.Window(opens: start + warmup, closes: start + warmup + duration)
        }
        let waiters = s.waiters
        s.waiters = []
        return (s.window!, waiters)
    }
}
