import GRDB

/// One request's write transaction, as a handler sees it inside ``PluginContext/write(_:)``:
/// the database, the time, and what the change causes — audit rows, events — all committed
/// together or not at all.
public struct Mutation {
    /// The open write transaction.
    public let db: Database
    /// The request's time (UTC ms), the same for every row it writes.
    public let now: Int64
    /// Who is calling.
    public let actor: AuditLog.Actor
    /// What plugins offer one another (e.g. the office's name for an e-mail in this transaction).
    public let capabilities: Capabilities
    let events: EventBus
    let mailer: Mailer
    private(set) var entries: [AuditLog.Entry] = []
    /// Which after-commit wake-ups this transaction has scheduled (each at most once).
    let wakes = Wakes()

    final class Wakes {
        var events = false
        var mail = false
    }

    init(db: Database, now: Int64, actor: AuditLog.Actor, capabilities: Capabilities, events: EventBus, mailer: Mailer) {
        self.db = db
        self.capabilities = capabilities
        self.now = now
        self.actor = actor
        self.events = events
        self.mailer = mailer
    }

    /// Records the change in the audit log: entity type (`client`, `user`, …), its id and a short
    /// human summary. Every mutation must record at least one entry.
    public mutating func audit(_ entityType: String, _ entityID: String, _ summary: String) {
        entries.append(AuditLog.Entry(entityType: entityType, entityID: entityID, summary: summary))
    }

    /// Publishes a domain event, delivered to subscribers after commit.
    public func publish<E: DomainEvent>(_ event: E) throws {
        try events.append(event, actor: actor, in: db)
        if !wakes.events {
            wakes.events = true
            events.wakeAfterCommit(db)
        }
    }
}

/// Why ``PluginContext/write(_:)`` refused to commit.
public enum MutationError: Error, Sendable, CustomStringConvertible {
    /// The body changed data without recording an audit entry (a programming error: rolled back).
    case notAudited(method: String)

    public var description: String {
        switch self {
        case .notAudited(let method): "\(method) wrote without an audit entry; rolled back"
        }
    }
}

extension PluginContext {
    /// Runs `body` in one write transaction with the audit rows it records; nothing is written
    /// unless the body returns and — if it changed any row — recorded at least one audit entry. The actor is the current
    /// call's principal (``CallIdentity/current``), or `system` outside a call. A transaction
    /// that has started completes even if the call is cancelled meanwhile (see ``read(_:)``).
    public func write<T: Sendable>(_ body: @escaping @Sendable (inout Mutation) throws -> T) async throws -> T {
        let actor = CallIdentity.current.map(AuditLog.Actor.init) ?? .system("plugin:\(pluginID)")
        let now = clock.nowMilliseconds
        let events = self.events, mailer = self.mailer, capabilities = self.capabilities
        return try await database.write { db in
            var mutation = Mutation(db: db, now: now, actor: actor, capabilities: capabilities, events: events, mailer: mailer)
            let changesBefore = db.totalChangesCount
            let result = try body(&mutation)
            if mutation.entries.isEmpty && db.totalChangesCount != changesBefore {
                throw MutationError.notAudited(method: actor.method)
            }
            for entry in mutation.entries {
                try AuditLog.record(entry, by: actor, at: now, in: db)
            }
            return result
        }
    }

    /// Runs `body` in one read transaction (a consistent snapshot), to completion even when the
    /// call is cancelled (``ContonStore/ContonDatabase/read(_:)`` says why).
    public func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await database.read(body)
    }
}
