import GRPCCore
import Synchronization

/// Bridges a call's cancellation between the connection (which may learn of a CANCEL, a deadline
/// or a closed connection before the handler task starts) and GRPCCore's handle, which exists
/// only inside the handler task.
final class CallCancellation: Sendable {
    private struct State {
        var handle: ServerContext.RPCCancellationHandle?
        var cancelled = false
    }
    private let state = Mutex(State())

    /// Called by the handler task once it has its handle; cancels at once if already cancelled.
    func attach(_ handle: ServerContext.RPCCancellationHandle) {
        let cancelled = state.withLock { s in
            s.handle = handle
            return s.cancelled
        }
        if cancelled { handle.cancel() }
    }

    func cancel() {
        let handle = state.withLock { s in
            s.cancelled = true
            return s.handle
        }
        handle?.cancel()
    }
}
