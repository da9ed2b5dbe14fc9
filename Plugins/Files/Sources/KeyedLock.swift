import Synchronization

/// An async mutual exclusion per key: the files plugin holds the lock of a blob's address while
/// it places the blob and commits the row that points to it, and while it decides to remove a
/// blob nothing points to any more — so a blob is never removed under a new row.
final class KeyedLock: Sendable {
    private struct State {
        var held: Set<String> = []
        var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]
    }

    private let state = Mutex(State())

    /// Runs `body` holding the lock of `key`.
    func withLock<T: Sendable>(_ key: String, _ body: () async throws -> T) async rethrows -> T {
        await acquire(key)
        defer { release(key) }
        return try await body()
    }

    private func acquire(_ key: String) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted = state.withLock { s -> Bool in
                if s.held.insert(key).inserted { return true }
                s.waiters[key, default: []].append(continuation)
                return false
            }
            if granted { continuation.resume() }
        }
    }

    private func release(_ key: String) {
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if var queue = s.waiters[key], !queue.isEmpty {
                let first = queue.removeFirst()
                s.waiters[key] = queue.isEmpty ? nil : queue
                return first  // the lock passes to the next waiter, still held
            }
            s.held.remove(key)
            return nil
        }
        next?.resume()
    }
}
