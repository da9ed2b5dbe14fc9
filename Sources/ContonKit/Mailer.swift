import ContonMailQueue
import GRDB
import Synchronization

/// How plugins send e-mail: a message is queued in the mail outbox inside the caller's
/// transaction (``Mutation/mail(_:)``, the only way in) and the delivery worker is woken once it
/// commits. Nothing is sent for a request that fails.
public final class Mailer: Sendable {
    private let wakeDelivery = Mutex<(@Sendable () -> Void)?>(nil)

    public init() {}

    /// Connects the delivery worker (the server does this once it has started it).
    public func attach(wake: @escaping @Sendable () -> Void) {
        wakeDelivery.withLock { $0 = wake }
    }

    /// Wakes the delivery worker once `db`'s transaction commits.
    func wakeAfterCommit(_ db: Database) {
        db.afterNextTransaction { [weak self] _ in
            self?.wakeDelivery.withLock { $0 }?()
        }
    }
}

extension Mutation {
    /// Queues an e-mail in this transaction (sent only if the request commits).
    public func mail(_ message: MailMessage) throws {
        try MailOutbox.enqueue(message, nowMilliseconds: now, in: db)
        if !wakes.mail {
            wakes.mail = true
            mailer.wakeAfterCommit(db)
        }
    }
}
