import ContonAPI
import ContonKit
import GRDB

/// Reads and writes of `notifications_*` inside the caller's transaction.
enum NotificationStore {
    typealias Record = Conton_Notifications_V1_Notification
    typealias Kind = Conton_Notifications_V1_NotificationKind
    typealias Channel = Conton_Notifications_V1_Channel

    /// The seven kinds, in kind order.
    static let kinds: [Kind] = [.agenda, .payments, .receivables, .protocols, .attendances, .files, .requests]

    static let columns = "id, kind, topic, title, body, client_id, subject_type, subject_id, created_at_ms, read_at_ms, resolved_at_ms, created_seq, seq"

    static func record(_ row: Row) -> Record {
        var n = Record()
        n.id = String(row[0] as Int64)
        n.kind = Kind(rawValue: row[1])
        (n.topic, n.title, n.body, n.clientId, n.subjectType, n.subjectId) = (row[2], row[3], row[4], row[5], row[6], row[7])
        n.createdAtMs = row[8]
        n.readAtMs = row[9] ?? 0
        n.resolvedAtMs = row[10] ?? 0
        return n
    }

    // MARK: Sequence and cursor

    struct State: Sendable {
        var lastSeq: Int64
        var prunedSeq: Int64
        var epoch: String

        var cursor: NotificationCursor { NotificationCursor(epoch: epoch, seq: lastSeq) }
    }

    static func state(in db: Database) throws -> State {
        let row = try Row.fetchOne(db, sql: "SELECT last_seq, pruned_seq, epoch FROM notifications_state WHERE id = 1")!
        return State(lastSeq: row[0], prunedSeq: row[1], epoch: row[2])
    }

    /// The next change sequence (bumps the counter in this transaction).
    static func nextSeq(in db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "UPDATE notifications_state SET last_seq = last_seq + 1 WHERE id = 1 RETURNING last_seq")!
    }

    /// Marks notifications `ids` read at `now`, each with the next change sequence (so live
    /// streams send them as changed).
    static func markRead(_ ids: [Int64], at now: Int64, in db: Database) throws {
        for id in ids {
            let seq = try nextSeq(in: db)
            try db.execute(sql: "UPDATE notifications_notification SET read_at_ms = ?, seq = ? WHERE id = ?", arguments: [now, seq, id])
        }
    }

    // MARK: Counts

    /// `recipient`'s unread, open, in-app notifications: the total and every kind.
    static func counts(of recipient: String, in db: Database) throws -> Conton_Notifications_V1_UnreadCounts {
        var byKind: [Int32: Int32] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT kind, count(*) FROM notifications_notification
            WHERE recipient_id = ? AND read_at_ms IS NULL AND resolved_at_ms IS NULL AND in_app = 1 GROUP BY kind
            """, arguments: [recipient]) {
            byKind[row[0]] = row[1]
        }
        var counts = Conton_Notifications_V1_UnreadCounts()
        counts.kinds = kinds.map { kind in
            var c = Conton_Notifications_V1_KindCount()
            c.kind = kind
            c.unread = byKind[Int32(kind.rawValue)] ?? 0
            return c
        }
        counts.total = counts.kinds.reduce(0) { $0 + $1.unread }
        return counts
    }

    // MARK: Preferences

    /// Every kind's channel for `user` (IN_APP where nothing was chosen).
    static func channels(of user: String, in db: Database) throws -> [Kind: Channel] {
        var chosen: [Kind: Channel] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT kind, channel FROM notifications_preference WHERE user_id = ?", arguments: [user]) {
            chosen[Kind(rawValue: row[0])] = Channel(rawValue: row[1])
        }
        return Dictionary(uniqueKeysWithValues: kinds.map { ($0, chosen[$0] ?? .inApp) })
    }

    static func channel(of user: String, kind: Kind, in db: Database) throws -> Channel {
        try Int32.fetchOne(db, sql: "SELECT channel FROM notifications_preference WHERE user_id = ? AND kind = ?", arguments: [user, kind.rawValue])
            .map(Channel.init(rawValue:)) ?? .inApp
    }

    struct Digest: Sendable {
        var enabled: Bool
        var hour: Int32
    }

    /// `user`'s digest setting (off, at 8 h, by default).
    static func digest(of user: String, in db: Database) throws -> Digest {
        try Row.fetchOne(db, sql: "SELECT enabled, hour FROM notifications_digest WHERE user_id = ?", arguments: [user])
            .map { Digest(enabled: $0[0], hour: $0[1]) } ?? Digest(enabled: false, hour: 8)
    }

    static func preferences(of user: String, in db: Database) throws -> Conton_Notifications_V1_Preferences {
        let channels = try channels(of: user, in: db)
        var p = Conton_Notifications_V1_Preferences()
        p.kinds = kinds.map { kind in
            var k = Conton_Notifications_V1_KindPreference()
            k.kind = kind
            k.channel = channels[kind] ?? .inApp
            return k
        }
        let digest = try digest(of: user, in: db)
        p.digestEnabled = digest.enabled
        p.digestHour = digest.hour
        return p
    }
}
