import ContonBrazil
import ContonKit
import ContonThreads
import GRDB

/// The requests plugin's tables: the request-type catalogue, requests, their checklist items, the
/// settings row, and their threads (``ContonThreads/MessageThreads`` with the prefix `requests`).
enum RequestsSchema {
    /// The shipped catalogue of what a client may ask for.
    static let defaultTypes = ["Documento", "Certidão", "Alteração contratual", "Declaração", "Dúvida", "Outro"]

    static func register(_ migrations: inout PluginMigrations, threads: MessageThreads) {
        migrations.register("requests.1_create") { db in
            try db.execute(sql: """
                CREATE TABLE requests_type (
                  id INTEGER PRIMARY KEY,
                  name TEXT NOT NULL,
                  name_key TEXT NOT NULL UNIQUE,
                  archived INTEGER NOT NULL DEFAULT 0
                );
                CREATE TABLE requests_request (
                  id INTEGER PRIMARY KEY,
                  number INTEGER NOT NULL UNIQUE,
                  client_id TEXT NOT NULL,
                  kind INTEGER NOT NULL,
                  type_id INTEGER,
                  type_name TEXT NOT NULL,
                  subject TEXT NOT NULL,
                  status INTEGER NOT NULL,
                  opened_at_ms INTEGER NOT NULL,
                  opened_by TEXT NOT NULL,
                  closed_at_ms INTEGER,
                  reminders_sent INTEGER NOT NULL DEFAULT 0,
                  last_reminded_at_ms INTEGER,
                  version INTEGER NOT NULL DEFAULT 1,
                  -- The attendance it was turned into (the attendances plugin's id and number), or NULL.
                  attendance_id TEXT,
                  attendance_number INTEGER
                );
                CREATE INDEX requests_request_client ON requests_request (client_id, id);
                CREATE INDEX requests_request_status ON requests_request (status, id);
                CREATE INDEX requests_request_open_documents ON requests_request (kind, status) WHERE kind = 2 AND status = 1;
                CREATE TABLE requests_item (
                  id INTEGER PRIMARY KEY,
                  request_id INTEGER NOT NULL REFERENCES requests_request (id) ON DELETE CASCADE,
                  position INTEGER NOT NULL,
                  description TEXT NOT NULL,
                  due_date TEXT NOT NULL,
                  status INTEGER NOT NULL,
                  -- JSON array of {id, name, size, sha256}; '' when none.
                  files TEXT NOT NULL DEFAULT '',
                  note TEXT NOT NULL DEFAULT '',
                  answered_at_ms INTEGER
                );
                CREATE INDEX requests_item_request ON requests_item (request_id, position);
                CREATE TABLE requests_settings (
                  id INTEGER PRIMARY KEY CHECK (id = 1),
                  reminder_every_days INTEGER NOT NULL
                );
                INSERT INTO requests_settings (id, reminder_every_days) VALUES (1, 3);
                """)
            for name in defaultTypes {
                try db.execute(sql: "INSERT INTO requests_type (name, name_key) VALUES (?, ?)", arguments: [name, SearchKey.fold(name)])
            }
            try threads.createTables(in: db)
        }
        migrations.register("requests.2_thread_counters") { db in
            try threads.addCounters(in: db)
        }
    }
}
