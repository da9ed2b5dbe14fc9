import GRDB

/// The audit log: who changed what, when, through which method — one row per successful
/// mutation, written in the same transaction as the change (``Mutation/audit(_:_:_:)``).
public enum AuditLog {
    /// One audit row to write.
    public struct Entry: Sendable, Hashable {
        public var entityType: String
        public var entityID: String
        public var summary: String

        public init(entityType: String, entityID: String, summary: String) {
            self.entityType = entityType
            self.entityID = entityID
            self.summary = summary
        }
    }

    /// Who did it, as the audit log records it.
    public struct Actor: Sendable, Hashable {
        public var kind: String
        public var id: String
        public var name: String
        public var method: String
        public var peer: String

        public init(kind: String, id: String, name: String, method: String, peer: String) {
            self.kind = kind
            self.id = id
            self.name = name
            self.method = method
            self.peer = peer
        }

        /// The caller of the current RPC.
        public init(_ identity: CallIdentity) {
            self.init(kind: identity.principal.kind, id: identity.principal.id, name: identity.principal.displayName,
                      method: identity.method, peer: identity.peer)
        }

        /// The server itself or an operator's command (`conton admin …`, first-run bootstrap).
        public static func system(_ command: String) -> Actor {
            Actor(kind: "system", id: "", name: "system", method: command, peer: "")
        }
    }

    /// Creates the audit table (the host's own migration).
    public static func migrate(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("host.2_audit") { db in
            try db.create(table: "host_audit") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("at_ms", .integer).notNull()
                t.column("principal_kind", .text).notNull()
                t.column("principal_id", .text).notNull()
                t.column("principal_name", .text).notNull()
                t.column("method", .text).notNull()
                t.column("entity_type", .text).notNull()
                t.column("entity_id", .text).notNull()
                t.column("summary", .text).notNull()
                t.column("peer", .text).notNull()
            }
            try db.create(index: "host_audit_at", on: "host_audit", columns: ["at_ms"])
            try db.create(index: "host_audit_principal", on: "host_audit", columns: ["principal_id", "at_ms"])
            try db.create(index: "host_audit_entity", on: "host_audit", columns: ["entity_type", "entity_id", "at_ms"])
        }
    }

    /// Appends `entry` in the caller's transaction.
    public static func record(_ entry: Entry, by actor: Actor, at nowMilliseconds: Int64, in db: Database) throws {
        // Cached: a bulk call records one row per record it changes.
        try db.cachedStatement(sql: """
            INSERT INTO host_audit (at_ms, principal_kind, principal_id, principal_name, method, entity_type, entity_id, summary, peer)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [nowMilliseconds, actor.kind, actor.id, actor.name, actor.method,
                             entry.entityType, entry.entityID, String(entry.summary.prefix(500)), actor.peer])
    }
}
