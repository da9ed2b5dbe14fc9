import ContonKit
import GRDB

/// The clients plugin's tables.
///
/// `clients_client` keeps the columns lists filter and sort on, and the whole normalised
/// `Client` message as protobuf bytes (`data`). `clients_search` is an FTS5 index with the
/// trigram tokenizer over `search_key` (name, razão social and nome fantasia folded to lower case
/// without accents), kept in step by triggers: substring matching at index speed.
enum ClientsSchema {
    static func register(_ migrations: inout PluginMigrations) {
        migrations.register("clients.1_client") { db in
            try db.execute(sql: """
                CREATE TABLE clients_client (
                  seq INTEGER PRIMARY KEY,
                  id TEXT NOT NULL UNIQUE,
                  person_type INTEGER NOT NULL,
                  name TEXT NOT NULL,
                  document TEXT NOT NULL UNIQUE,
                  email TEXT NOT NULL,
                  tax_regime INTEGER NOT NULL,
                  name_key TEXT NOT NULL,
                  search_key TEXT NOT NULL,
                  data BLOB NOT NULL,
                  version INTEGER NOT NULL,
                  created_at_ms INTEGER NOT NULL,
                  updated_at_ms INTEGER NOT NULL,
                  archived_at_ms INTEGER
                );
                CREATE INDEX clients_client_order ON clients_client (name_key, id);
                CREATE INDEX clients_client_active_order ON clients_client (name_key, id) WHERE archived_at_ms IS NULL;
                CREATE INDEX clients_client_archived ON clients_client (archived_at_ms) WHERE archived_at_ms IS NOT NULL;
                CREATE VIRTUAL TABLE clients_search USING fts5(
                  search_key, content='clients_client', content_rowid='seq', tokenize='trigram');
                CREATE TRIGGER clients_client_ai AFTER INSERT ON clients_client BEGIN
                  INSERT INTO clients_search (rowid, search_key) VALUES (new.seq, new.search_key);
                END;
                CREATE TRIGGER clients_client_ad AFTER DELETE ON clients_client BEGIN
                  INSERT INTO clients_search (clients_search, rowid, search_key) VALUES ('delete', old.seq, old.search_key);
                END;
                CREATE TRIGGER clients_client_au AFTER UPDATE OF search_key ON clients_client BEGIN
                  INSERT INTO clients_search (clients_search, rowid, search_key) VALUES ('delete', old.seq, old.search_key);
                  INSERT INTO clients_search (rowid, search_key) VALUES (new.seq, new.search_key);
                END;
                """)
        }
    }
}
