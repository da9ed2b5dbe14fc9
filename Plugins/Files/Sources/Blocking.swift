import Foundation

/// Runs blocking file work (fsync, rename, re-reading a file to hash it) on a thread of its own,
/// never on a thread of Swift concurrency's cooperative pool, and resumes the caller with the
/// result.
enum Blocking {
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let thread = Thread {
                continuation.resume(with: Result { try work() })
            }
            thread.name = "conton-files-io"
            thread.start()
        }
    }
}

/// Hands a value that is not `Sendable` (a blob writer or reader, a request iterator) from one
/// task to the next. Sound only because exactly one task uses the value at any time: the call's
/// handler, then the response producer it returns, or a blocking thread the task is waiting on.
final class Handoff<Value>: @unchecked Sendable {
    var value: Value

    init(_ value: Value) {
        self.value = value
    }
}
