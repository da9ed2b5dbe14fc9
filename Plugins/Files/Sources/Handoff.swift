import Foundation

/// Hands a value that is not `Sendable` (a blob writer or reader, a request iterator) from one
/// task to the next. Sound only because exactly one task uses the value at any time: the call's
/// handler, then the response producer it returns, or a blocking thread the task is waiting on.
final class Handoff<Value>: @unchecked Sendable {
    var value: Value

    init(_ value: Value) {
        self.value = value
    }
}
