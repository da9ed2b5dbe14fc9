import ContonKit
import GRDB

/// The notifications plugin's tables.
///
/// - `notifications_source`: one row per event handled, written in the same transaction as the
///   notifications it made — a second delivery of the same event finds it and does nothing.
/// - `notifications_notification`: one row per recipient and event (`UNIQUE (event_id,
///   recipient_id)` besides). `created_seq` is the change sequence when it was made and `seq`
///   that of its last change (made, read, resolved): a subscriber at cursor *c* is sent the rows
///   with `seq > c`, as new when `created_seq > c`, as changed otherwise.
/// - `notifications_state`: the sequence (one row), the highest sequence the janitor pruned, and
///   the database's epoch (a random id: a cursor from another database is stale, not trusted).
/// - `notifications_preference`, `notifications_digest`: per user.
enum NotificationsSchema {
    static func register(_ migrations: inout PluginMigrations) {
        migrations.register("notifications.1_create") { db in
            try db.execute(sql: """
                CREATE TABLE notifications_source (
                  event_id INTEGER PRIMARY KEY,
                  topic TEXT NOT NULL,
                  recipients INTEGER NOT NULL,
                  handled_at_ms INTEGER NOT NULL
                );
                CREATE TABLE notifications_notification (
                  id INTEGER PRIMARY KEY AUTOINCREMENT,
                  recipient_id TEXT NOT NULL,
                  recipient_kind TEXT NOT NULL CHECK (recipient_kind IN ('staff', 'client')),
                  kind INTEGER NOT NULL,
                  topic TEXT NOT NULL,
                  event_id INTEGER NOT NULL,
                  client_id TEXT NOT NULL,
                  subject_type TEXT NOT NULL,
                  subject_id TEXT NOT NULL,
                  title TEXT NOT NULL,
                  body TEXT NOT NULL,
                  in_app INTEGER NOT NULL,
                  created_at_ms INTEGER NOT NULL,
                  created_seq INTEGER NOT NULL,
                  seq INTEGER NOT NULL UNIQUE,
                  read_at_ms INTEGER,
                  resolved_at_ms INTEGER,
                  UNIQUE (event_id, recipient_id)
                );
                CREATE INDEX notifications_recipient_seq ON notifications_notification (recipient_id, seq);
                CREATE INDEX notifications_unread ON notifications_notification (recipient_id, kind)
                  WHERE read_at_ms IS NULL AND resolved_at_ms IS NULL AND in_app = 1;
                CREATE INDEX notifications_open_subject ON notifications_notification (subject_type, subject_id)
                  WHERE resolved_at_ms IS NULL;
                CREATE INDEX notifications_recipient_list ON notifications_notification (recipient_id, (read_at_ms IS NULL) DESC, id DESC)
                  WHERE in_app = 1;
                CREATE TABLE notifications_state (
                  id INTEGER PRIMARY KEY CHECK (id = 1),
                  last_seq INTEGER NOT NULL,
                  pruned_seq INTEGER NOT NULL,
                  epoch TEXT NOT NULL
                );
                INSERT INTO notifications_state (id, last_seq, pruned_seq, epoch) VALUES (1, 0, 0, lower(hex(randomblob(6))));
                CREATE TABLE notifications_preference (
                  user_id TEXT NOT NULL,
                  kind INTEGER NOT NULL,
                  channel INTEGER NOT NULL,
                  PRIMARY KEY (user_id, kind)
                ) WITHOUT ROWID;
                CREATE TABLE notifications_digest (
                  user_id TEXT PRIMARY KEY NOT NULL,
                  enabled INTEGER NOT NULL,
                  hour INTEGER NOT NULL,
                  last_sent_date TEXT,
                  last_sent_at_ms INTEGER
                );
                """)
        }
    }
}
