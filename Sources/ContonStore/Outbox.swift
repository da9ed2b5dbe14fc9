import Foundation
import GRDB

/// The transactional outbox: an event row is written inside the business transaction that
/// causes it, and delivered to subscribers after commit. A crash between commit and delivery
/// loses nothing: undelivered rows are delivered at the next start.
public enum Outbox {
    /// Creates the outbox table (the host's own migration).
    public static func migrate(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("host.1_outbox") { db in
            try db.create(table: "host_outbox") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("topic", .text).notNull()
                t.column("payload", .blob).notNull()
                t.column("created_at_ms", .integer).notNull()
                t.column("delivered_at_ms", .integer)
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("last_error", .text)
            }
            try db.create(index: "host_outbox_pending", on: "host_outbox", columns: ["delivered_at_ms", "id"])
        }
        // Who caused each event (the principal's kind and id: `staff`/`client`/`service`/`system`),
        // so a subscriber can leave the author out of those it tells.
        migrator.registerMigration("host.2_outbox_actor") { db in
            try db.alter(table: "host_outbox") { t in
                t.add(column: "actor_kind", .text).notNull().defaults(to: "system")
                t.add(column: "actor_id", .text).notNull().defaults(to: "")
            }
        }
    }

    /// Appends an event in the caller's transaction, with who caused it.
    public static func append(topic: String, payload: Data, actorKind: String = "system", actorID: String = "",
                              nowMilliseconds: Int64, in db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO host_outbox (topic, payload, created_at_ms, actor_kind, actor_id) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [topic, payload, nowMilliseconds, actorKind, actorID])
    }

    /// One undelivered event.
    public struct Pending: Sendable, Hashable {
        public var id: Int64
        public var topic: String
        public var payload: Data
        public var actorKind: String
        public var actorID: String
    }

    /// Oldest undelivered events first.
    public static func pending(limit: Int, in db: Database) throws -> [Pending] {
        try Row.fetchAll(db, sql: "SELECT id, topic, payload, actor_kind, actor_id FROM host_outbox WHERE delivered_at_ms IS NULL ORDER BY id LIMIT ?",
                         arguments: [limit]).map {
            Pending(id: $0["id"], topic: $0["topic"], payload: $0["payload"], actorKind: $0["actor_kind"], actorID: $0["actor_id"])
        }
    }

    public static func markDelivered(id: Int64, nowMilliseconds: Int64, in db: Database) throws {
        try db.execute(sql: "UPDATE host_outbox SET delivered_at_ms = ? WHERE id = ?", arguments: [nowMilliseconds, id])
    }

    public static func markFailed(id: Int64, error: String, in db: Database) throws {
        try db.execute(sql: "UPDATE host_outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?", arguments: [error, id])
    }
}
