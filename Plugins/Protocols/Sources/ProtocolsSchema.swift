import ContonBrazil
import ContonKit
import GRDB

/// The protocols plugin's tables: the document-type catalogue, protocols and their items, the
/// append-only evidence log (triggers refuse UPDATE and DELETE), and the settings row.
enum ProtocolsSchema {
    /// The shipped catalogue: name and kind (1 payment, 2 declaration, 3 registration).
    static let defaultTypes: [(String, Int32)] = [
        ("DAS", 1), ("DARF", 1), ("DCTFWeb", 1), ("FGTS", 1), ("GPS", 1),
        ("Folha de pagamento", 2), ("Pró-labore", 2), ("Recibo de férias", 2), ("Rescisão", 2), ("Nota fiscal", 2),
        ("Balancete", 2), ("DRE", 2), ("Balanço", 2),
        ("Contrato social", 3), ("Alteração contratual", 3), ("Certidão", 3),
        ("Outro", 2),
    ]

    static func register(_ migrations: inout PluginMigrations) {
        migrations.register("protocols.1_create") { db in
            try db.execute(sql: """
                CREATE TABLE protocols_doc_type (
                  id INTEGER PRIMARY KEY,
                  name TEXT NOT NULL,
                  name_key TEXT NOT NULL UNIQUE,
                  kind INTEGER NOT NULL,
                  archived INTEGER NOT NULL DEFAULT 0,
                  builtin INTEGER NOT NULL DEFAULT 0
                );
                CREATE TABLE protocols_protocol (
                  id INTEGER PRIMARY KEY,
                  number INTEGER NOT NULL UNIQUE,
                  client_id TEXT NOT NULL,
                  title TEXT NOT NULL,
                  message TEXT NOT NULL,
                  delivery_method INTEGER NOT NULL,
                  receiver_name TEXT NOT NULL,
                  receiver_document TEXT NOT NULL,
                  other_description TEXT NOT NULL,
                  status INTEGER NOT NULL,
                  first_due_date TEXT NOT NULL,
                  -- The portal's order (unseen first, then newest sent first) as one ascending key;
                  -- NULL for drafts, which no client sees.
                  portal_sort INTEGER,
                  created_at_ms INTEGER NOT NULL,
                  created_by TEXT NOT NULL,
                  sent_at_ms INTEGER,
                  first_viewed_at_ms INTEGER,
                  acknowledged_at_ms INTEGER,
                  ack_comment TEXT NOT NULL DEFAULT '',
                  closing_reason TEXT NOT NULL DEFAULT '',
                  closed_at_ms INTEGER,
                  evidence_count INTEGER NOT NULL DEFAULT 0,
                  evidence_head TEXT NOT NULL DEFAULT '',
                  version INTEGER NOT NULL DEFAULT 1,
                  due_soon_notified_at_ms INTEGER,
                  overdue_notified_at_ms INTEGER,
                  idempotency_key TEXT UNIQUE
                );
                CREATE INDEX protocols_protocol_portal ON protocols_protocol (client_id, portal_sort, id) WHERE portal_sort IS NOT NULL;
                CREATE INDEX protocols_protocol_client ON protocols_protocol (client_id, id);
                CREATE INDEX protocols_protocol_due ON protocols_protocol (status, first_due_date);
                CREATE TABLE protocols_item (
                  id INTEGER PRIMARY KEY,
                  protocol_id INTEGER NOT NULL REFERENCES protocols_protocol(id) ON DELETE CASCADE,
                  position INTEGER NOT NULL,
                  doc_type_id INTEGER NOT NULL REFERENCES protocols_doc_type(id),
                  description TEXT NOT NULL,
                  competence TEXT NOT NULL,
                  due_date TEXT NOT NULL,
                  amount_cents INTEGER NOT NULL,
                  file_id TEXT NOT NULL,
                  file_name TEXT NOT NULL,
                  file_size INTEGER NOT NULL,
                  file_sha256 TEXT NOT NULL
                );
                CREATE INDEX protocols_item_protocol ON protocols_item (protocol_id, position);
                CREATE INDEX protocols_item_type ON protocols_item (doc_type_id, protocol_id);
                CREATE INDEX protocols_item_competence ON protocols_item (competence, protocol_id);
                CREATE INDEX protocols_item_due ON protocols_item (due_date, protocol_id);
                -- Append-only: every entry names the previous entry's hash (docs/PROTOCOLS.md).
                CREATE TABLE protocols_evidence (
                  protocol_id INTEGER NOT NULL,
                  sequence INTEGER NOT NULL,
                  at_ms INTEGER NOT NULL,
                  action INTEGER NOT NULL,
                  principal_kind TEXT NOT NULL,
                  principal_id TEXT NOT NULL,
                  principal_name TEXT NOT NULL,
                  peer TEXT NOT NULL,
                  user_agent TEXT NOT NULL,
                  item_id TEXT NOT NULL,
                  file_sha256 TEXT NOT NULL,
                  detail TEXT NOT NULL,
                  previous_sha256 TEXT NOT NULL,
                  sha256 TEXT NOT NULL,
                  PRIMARY KEY (protocol_id, sequence)
                ) WITHOUT ROWID;
                CREATE TRIGGER protocols_evidence_no_update BEFORE UPDATE ON protocols_evidence
                  BEGIN SELECT RAISE(ABORT, 'protocols_evidence is append-only'); END;
                CREATE TRIGGER protocols_evidence_no_delete BEFORE DELETE ON protocols_evidence
                  BEGIN SELECT RAISE(ABORT, 'protocols_evidence is append-only'); END;
                CREATE TABLE protocols_settings (
                  id INTEGER PRIMARY KEY CHECK (id = 1),
                  reminder_days INTEGER NOT NULL
                );
                INSERT INTO protocols_settings (id, reminder_days) VALUES (1, 3);
                """)
            for (name, kind) in defaultTypes {
                try db.execute(sql: "INSERT INTO protocols_doc_type (name, name_key, kind, builtin) VALUES (?, ?, ?, 1)",
                               arguments: [name, SearchKey.fold(name), kind])
            }
        }
        // The office's lists by status, newest first ("não visualizados": status 2 of 100,000
        // protocols), without sorting every match: docs/BENCHMARKS.md.
        migrations.register("protocols.2_status_index") { db in
            try db.execute(sql: "CREATE INDEX protocols_protocol_status ON protocols_protocol (status, id)")
        }
        // The agenda obligation an item delivers (an id of the agenda plugin's, never joined).
        migrations.register("protocols.3_item_obligation") { db in
            try db.execute(sql: "ALTER TABLE protocols_item ADD COLUMN obligation_event_id INTEGER")
        }
    }
}
