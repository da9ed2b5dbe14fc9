import ContonStore
import Foundation
import GRDB
import Logging
import Synchronization

/// Delivers the mail outbox: takes due `queued` rows one at a time, hands each to the transport
/// and records the outcome — `sent`; a retry per ``MailRetryPolicy`` after a transient failure;
/// `failed` after a permanent one or when the attempts run out.
///
/// Delivery is **at-least-once**. Before sending, the row is claimed in its own transaction (its
/// attempt counted, its due time pushed `claimLease` ahead); the outcome is written after the
/// transport returns. A crash or restart before the send leaves the row queued and it goes out
/// when the lease has passed; a crash in the milliseconds between the server's acceptance and the
/// outcome's commit sends it again, with the same `Message-ID` (same `.eml` file name), which lets
/// receivers spot the duplicate. Nothing committed to the outbox is lost.
///
/// When an attempt fails for a reason that concerns every message (``MailDeliveryError/Scope/server``:
/// the server is unreachable, TLS or authentication fails, a timeout, a full disk), the pass stops
/// and the other due rows wait until that row's retry time, so a dead relay costs one attempt per
/// backoff step, not one per queued message.
///
/// Run one worker per database (``run()`` in the server's task group); call ``wake()`` after a
/// transaction that enqueued mail commits.
public final class MailDeliveryWorker: Sendable {
    private let database: ContonDatabase
    private let transport: any MailTransport
    private let from: MailAddress
    private let now: @Sendable () -> Int64
    private let retry: MailRetryPolicy
    private let logger: Logger
    private let signal = WakeSignal()
    private let lastPurge = Mutex<Int64>(0)
    /// Set after a failure of server scope (unreachable, TLS, authentication, timeout, disk): the
    /// other due rows wait until then instead of each failing in turn.
    private let pausedUntil = Mutex<Int64>(.min)

    /// How long sent rows are kept before ``run()`` deletes them (30 days): they hold codes.
    public static let sentRetentionMilliseconds: Int64 = 30 * 24 * 3_600_000
    /// The longest ``run()`` sleeps without looking at the outbox (60 s), so rows enqueued by
    /// another process (an admin command) go out without a wake-up.
    public static let maximumIdleMilliseconds: Int64 = 60_000

    /// A worker over `database`'s outbox, sending with `transport` as `from`; `now` gives UTC
    /// milliseconds (inject a clock in tests).
    public init(database: ContonDatabase, transport: any MailTransport, from: MailAddress,
                now: @escaping @Sendable () -> Int64, retry: MailRetryPolicy = .default,
                logger: Logger = Logger(label: "conton.mail")) {
        self.database = database
        self.transport = transport
        self.from = from
        self.now = now
        self.retry = retry
        self.logger = logger
    }

    /// Makes ``run()`` look at the outbox now (after a transaction that enqueued mail commits).
    public func wake() {
        signal.signal()
    }

    /// Loops until the task is cancelled: delivers every due row, purges old sent rows, then sleeps
    /// until the next row is due (at most ``maximumIdleMilliseconds``) or until ``wake()``.
    public func run() async {
        logger.info("mail delivery started", metadata: ["from": .string(from.address)])
        while !Task.isCancelled {
            _ = await deliverDue()
            await purgeIfDue()
            var sleep = Self.maximumIdleMilliseconds
            do {
                if let next = try await database.read({ db in try MailOutbox.nextAttemptAt(in: db) }) {
                    let due = max(next, pausedUntil.withLock { $0 })
                    sleep = min(sleep, max(100, due - now()))
                }
            } catch {
                logger.error("mail outbox unreadable", metadata: ["error": .string(String(describing: error))])
                sleep = 5_000
            }
            await signal.wait(milliseconds: sleep)
        }
        logger.info("mail delivery stopped")
    }

    /// One pass: sends every row due now, one at a time; returns how many were sent. Stops early
    /// when the task is cancelled (rows already claimed are retried after their lease) and after
    /// a failure of server scope (see the type's documentation).
    @discardableResult
    public func deliverDue() async -> Int {
        var sent = 0
        while !Task.isCancelled {
            if now() < pausedUntil.withLock({ $0 }) { break }
            let claimed: MailOutbox.Entry?
            do {
                let now = self.now, lease = retry.claimLeaseMilliseconds
                claimed = try await database.write { db in
                    try MailOutbox.claimNextDue(nowMilliseconds: now(), leaseMilliseconds: lease, in: db)
                }
            } catch {
                logger.error("mail outbox claim failed", metadata: ["error": .string(String(describing: error))])
                break
            }
            guard let entry = claimed else { break }
            if await deliver(entry) { sent += 1 }
        }
        return sent
    }

    /// Sends one claimed row and records the outcome; returns whether it was sent.
    private func deliver(_ entry: MailOutbox.Entry) async -> Bool {
        var metadata: Logger.Metadata = [
            "mail_id": .stringConvertible(entry.id), "to": .string(entry.recipients.joined(separator: ", ")),
            "attempt": .stringConvertible(entry.attempts),
        ]
        let failure: MailDeliveryError
        if var message = entry.message {
            message.date = message.date ?? Date(timeIntervalSince1970: Double(entry.createdAtMilliseconds) / 1000)
            message.messageID = message.messageID ?? "\(entry.messageToken)@\(from.domain)"
            do {
                try await transport.send(message, from: from)
                let now = self.now()
                if await record({ db in try MailOutbox.markSent(id: entry.id, nowMilliseconds: now, in: db) }) {
                    logger.info("mail sent", metadata: metadata.merging(["subject": .string(entry.subject)]) { a, _ in a })
                }
                return true
            } catch let error as MailDeliveryError {
                failure = error
            } catch {
                failure = .transient(String(describing: error), scope: .server)
            }
        } else {
            failure = .permanent("the stored message cannot be decoded")
        }

        metadata["error"] = .string(failure.message)
        let retryAt = now() + retry.delayMilliseconds(afterAttempt: entry.attempts)
        if failure.isPermanent || entry.attempts >= retry.maximumAttempts {
            let reason = failure.isPermanent ? failure.message : "\(failure.message) (gave up after \(entry.attempts) attempts)"
            if await record({ db in try MailOutbox.markFailed(id: entry.id, attempt: entry.attempts, error: reason, in: db) }) {
                logger.error("mail failed", metadata: metadata)
            }
        } else {
            if await record({ db in
                try MailOutbox.scheduleRetry(id: entry.id, attempt: entry.attempts, atMilliseconds: retryAt, error: failure.message, in: db)
            }) {
                metadata["retry_at_ms"] = .stringConvertible(retryAt)
                logger.warning("mail not delivered, will retry", metadata: metadata)
            }
        }
        if failure.scope == .server {
            pausedUntil.withLock { $0 = retryAt }
            logger.warning("mail delivery paused: the failure concerns every message", metadata: ["until_ms": .stringConvertible(retryAt)])
        }
        return false
    }

    /// Writes an outcome; a failure here leaves the row claimed, so it is retried after the lease.
    private func record(_ update: @escaping @Sendable (Database) throws -> Void) async -> Bool {
        do {
            try await database.write { db in try update(db) }
            return true
        } catch {
            logger.error("mail outbox update failed", metadata: ["error": .string(String(describing: error))])
            return false
        }
    }

    /// Deletes sent rows older than ``sentRetentionMilliseconds``, at most once an hour.
    private func purgeIfDue() async {
        let now = self.now()
        let due = lastPurge.withLock { last in
            guard now - last >= 3_600_000 else { return false }
            last = now
            return true
        }
        guard due else { return }
        let cutoff = now - Self.sentRetentionMilliseconds
        do {
            let purged = try await database.write { db in try MailOutbox.purgeSent(before: cutoff, in: db) }
            if purged > 0 { logger.info("purged old sent mail", metadata: ["rows": .stringConvertible(purged)]) }
        } catch {
            logger.error("mail outbox purge failed", metadata: ["error": .string(String(describing: error))])
        }
    }
}
