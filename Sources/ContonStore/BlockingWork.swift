import Foundation

/// Runs blocking work (a libcurl transfer, an fsync, a rename, hashing a file) on a thread of its
/// own, never on a thread of Swift concurrency's cooperative pool, and resumes the caller with
/// the result.
public enum BlockingWork {
    public static func run<T: Sendable>(name: String, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let thread = Thread {
                continuation.resume(with: Result { try work() })
            }
            thread.name = name
            thread.start()
        }
    }
}
