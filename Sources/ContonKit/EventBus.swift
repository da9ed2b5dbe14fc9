import ContonStore
import Foundation
import GRDB
import Logging
import Synchronization

/// Publishes domain events into the outbox and delivers them to subscribers after commit.
public final class EventBus: Sendable {
    private let database: ContonDatabase
    private let clock: any Clock
    private let logger: Logger
    private let handlers = Mutex<[String: [@Sendable (DeliveredEvent) async throws -> Void]]>([:])
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    init(database: ContonDatabase, clock: any Clock, logger: Logger) {
        self.database = database
        self.clock = clock
        self.logger = logger
        (self.wakeups, self.wake) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    func add(_ subscriptions: EventSubscriptions) {
        handlers.withLock { h in
            for (topic, list) in subscriptions.handlers { h[topic, default: []] += list }
        }
    }

    /// Writes `event` to the outbox without scheduling delivery (``Mutation`` schedules it once
    /// per transaction: every `afterNextTransaction` hook is a GRDB transaction observer, and
    /// thousands of them make every later statement of the transaction slower).
    func append<E: DomainEvent>(_ event: E, actor: AuditLog.Actor, in db: Database) throws {
        let payload = try JSONEncoder().encode(event)
        try Outbox.append(topic: E.topic, payload: payload, actorKind: actor.kind, actorID: actor.id, nowMilliseconds: clock.nowMilliseconds, in: db)
    }

    /// Runs delivery once `db`'s transaction commits.
    func wakeAfterCommit(_ db: Database) {
        db.afterNextTransaction { [wake] _ in wake.yield() }
    }

    /// Delivers every pending event once; returns how many were delivered.
    @discardableResult
    public func deliverPending() async throws -> Int {
        var delivered = 0
        while true {
            let batch = try await database.read { db in try Outbox.pending(limit: 100, in: db) }
            if batch.isEmpty { return delivered }
            var progressed = false
            for event in batch {
                // Stops between events at shutdown (database work itself is not interrupted).
                try Task.checkCancellation()
                let subscribers = handlers.withLock { $0[event.topic] ?? [] }
                do {
                    let envelope = DeliveredEvent(id: event.id, topic: event.topic, payload: event.payload, actorKind: event.actorKind, actorID: event.actorID)
                    for subscriber in subscribers { try await subscriber(envelope) }
                    let now = clock.nowMilliseconds
                    try await database.write { db in try Outbox.markDelivered(id: event.id, nowMilliseconds: now, in: db) }
                    delivered += 1
                    progressed = true
                } catch {
                    logger.warning("event delivery failed; will retry", metadata: ["topic": "\(event.topic)", "error": "\(error)"])
                    let message = "\(error)"
                    try await database.write { db in try Outbox.markFailed(id: event.id, error: message, in: db) }
                }
            }
            if !progressed { return delivered }
        }
    }

    /// Runs delivery after each commit that published, and once at start (leftovers of a crash),
    /// until cancelled.
    func run() async {
        wake.yield()
        for await _ in wakeups {
            do {
                try await deliverPending()
            } catch is CancellationError {
                return
            } catch {
                logger.error("outbox delivery failed; will retry at the next event", metadata: ["error": "\(error)"])
            }
        }
    }

    func finish() { wake.finish() }
}
