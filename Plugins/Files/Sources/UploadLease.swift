import ContonStore

/// One call's hold on an upload: the session, its open `.part` writer, and the right to write it
/// (released when the lease ends, however the call ends — even if the response producer never
/// runs). Used by one task at a time (the handler, then its response producer).
final class UploadLease: @unchecked Sendable {
    let session: UploadSession
    let writer: BlobStore.Writer
    private let sessions: UploadSessionStore
    private var released = false

    /// Whether the lease has ended (suspended, discarded or completed).
    var isReleased: Bool { released }

    init(session: UploadSession, writer: BlobStore.Writer, sessions: UploadSessionStore) {
        self.session = session
        self.writer = writer
        self.sessions = sessions
    }

    deinit {
        if !released {
            _ = writer.finish()
            sessions.release(session.id)
        }
    }

    /// Keeps what was received for a later call: fsyncs it, lets another call resume.
    func suspend() {
        guard !released else { return }
        released = true
        try? writer.sync()
        _ = writer.finish()
        sessions.release(session.id)
    }

    /// Drops the upload: nothing of it stays on disk.
    func discard() {
        guard !released else { return }
        released = true
        _ = writer.finish()
        sessions.remove(session.id)
        sessions.release(session.id)
    }

    /// The upload became a file (its `.part` is a blob now, or a duplicate of one): forget it.
    func complete() {
        guard !released else { return }
        released = true
        sessions.remove(session.id)
        sessions.release(session.id)
    }
}
