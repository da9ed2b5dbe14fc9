import ContonKit
import GRDB

/// The fees plugin's tables (docs/FEES.md).
///
/// - `fees_receivable`: every receivable, from a fee or entered by hand. `status` stores open (1),
///   paid (3) or cancelled (4); overdue (2) is derived from `due_date` and today. The running sums
///   of its payments live on the row so lists and totals need no join.
/// - `fees_fee`: a monthly fee; its id is its receivable's id (one receivable per fee, so no
///   second sequence and no back-pointer to update). At most one fee that is not cancelled per
///   (client, competence): a partial unique index.
/// - `fees_payment`: one row per settlement, with its receipt fixed at settlement (protobuf
///   bytes) and a unique receipt number.
/// - `fees_counter`: the receipt sequence, advanced in the settlement's transaction.
/// - `fees_generation`: one row per generation: the idempotency key and the stored answer.
/// - `fees_settings`: the office's fee settings (one row).
/// - `fees_readjustment`, `fees_fee_change` (`fees.2`): each ReadjustFees (its idempotency key and
///   stored answer) and each client's fee change it made — the history that tells which fee was
///   in force for a competence before a readjustment.
/// - `fees_fee.kind` (`fees.2`): monthly (1) or 13th fee (2, with its year and instalment); the
///   one-fee-per-competence rule holds for monthly fees, one 13th per (client, year, instalment).
enum FeesSchema {
    static func register(_ migrations: inout PluginMigrations) {
        migrations.register("fees.1_create") { db in
            try db.execute(sql: """
                CREATE TABLE fees_settings (
                  id INTEGER PRIMARY KEY CHECK (id = 1),
                  due_in_following_month INTEGER NOT NULL,
                  default_due_day INTEGER NOT NULL,
                  default_description_template TEXT NOT NULL,
                  updated_at_ms INTEGER NOT NULL
                );
                CREATE TABLE fees_generation (
                  id INTEGER PRIMARY KEY,
                  idempotency_key TEXT UNIQUE,
                  request_hash TEXT NOT NULL,
                  response BLOB,
                  created INTEGER NOT NULL DEFAULT 0,
                  skipped INTEGER NOT NULL DEFAULT 0,
                  created_at_ms INTEGER NOT NULL
                );
                CREATE TABLE fees_receivable (
                  id INTEGER PRIMARY KEY,
                  client_id TEXT NOT NULL,
                  client_name TEXT NOT NULL,
                  client_document TEXT NOT NULL,
                  fee_id INTEGER,
                  competence TEXT NOT NULL,
                  description TEXT NOT NULL,
                  amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
                  due_date TEXT NOT NULL,
                  status INTEGER NOT NULL CHECK (status IN (1, 3, 4)),
                  settled_cents INTEGER NOT NULL DEFAULT 0,
                  received_cents INTEGER NOT NULL DEFAULT 0,
                  discount_cents INTEGER NOT NULL DEFAULT 0,
                  interest_cents INTEGER NOT NULL DEFAULT 0,
                  fine_cents INTEGER NOT NULL DEFAULT 0,
                  payment_date TEXT,
                  notes TEXT NOT NULL DEFAULT '',
                  search_key TEXT NOT NULL,
                  created_at_ms INTEGER NOT NULL,
                  updated_at_ms INTEGER NOT NULL,
                  cancelled_at_ms INTEGER,
                  cancel_reason TEXT NOT NULL DEFAULT '',
                  overdue_notified_at_ms INTEGER,
                  CHECK (settled_cents >= 0 AND settled_cents <= amount_cents)
                );
                CREATE INDEX fees_receivable_due ON fees_receivable (due_date, id);
                CREATE INDEX fees_receivable_client ON fees_receivable (client_id, due_date, id);
                CREATE INDEX fees_receivable_payment_date ON fees_receivable (payment_date) WHERE payment_date IS NOT NULL;
                CREATE TABLE fees_fee (
                  id INTEGER PRIMARY KEY REFERENCES fees_receivable (id),
                  client_id TEXT NOT NULL,
                  competence TEXT NOT NULL,
                  amount_cents INTEGER NOT NULL,
                  due_date TEXT NOT NULL,
                  description TEXT NOT NULL,
                  generation_id INTEGER NOT NULL REFERENCES fees_generation (id),
                  created_at_ms INTEGER NOT NULL,
                  cancelled_at_ms INTEGER,
                  cancel_reason TEXT NOT NULL DEFAULT ''
                );
                CREATE UNIQUE INDEX fees_fee_client_competence ON fees_fee (client_id, competence) WHERE cancelled_at_ms IS NULL;
                CREATE INDEX fees_fee_competence ON fees_fee (competence, id);
                CREATE TABLE fees_payment (
                  id INTEGER PRIMARY KEY,
                  receivable_id INTEGER NOT NULL REFERENCES fees_receivable (id),
                  client_id TEXT NOT NULL,
                  payment_date TEXT NOT NULL,
                  amount_paid_cents INTEGER NOT NULL,
                  discount_cents INTEGER NOT NULL,
                  interest_cents INTEGER NOT NULL,
                  fine_cents INTEGER NOT NULL,
                  principal_cents INTEGER NOT NULL,
                  method INTEGER NOT NULL,
                  notes TEXT NOT NULL,
                  receipt_number INTEGER NOT NULL UNIQUE,
                  receipt BLOB NOT NULL,
                  created_at_ms INTEGER NOT NULL,
                  reversed_at_ms INTEGER,
                  reverse_reason TEXT NOT NULL DEFAULT ''
                );
                CREATE INDEX fees_payment_receivable ON fees_payment (receivable_id, id);
                CREATE INDEX fees_payment_client ON fees_payment (client_id, receipt_number);
                CREATE TABLE fees_counter (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
                INSERT INTO fees_counter (name, value) VALUES ('receipt', 0);
                """)
        }
        migrations.register("fees.2_readjustment_thirteenth") { db in
            try db.execute(sql: """
                ALTER TABLE fees_fee ADD COLUMN kind INTEGER NOT NULL DEFAULT 1 CHECK (kind IN (1, 2));
                ALTER TABLE fees_fee ADD COLUMN thirteenth_year INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE fees_fee ADD COLUMN instalment INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE fees_fee ADD COLUMN instalments INTEGER NOT NULL DEFAULT 0;
                DROP INDEX fees_fee_client_competence;
                CREATE UNIQUE INDEX fees_fee_client_competence ON fees_fee (client_id, competence)
                  WHERE cancelled_at_ms IS NULL AND kind = 1;
                CREATE UNIQUE INDEX fees_fee_client_thirteenth ON fees_fee (client_id, thirteenth_year, instalment)
                  WHERE cancelled_at_ms IS NULL AND kind = 2;
                CREATE TABLE fees_readjustment (
                  id INTEGER PRIMARY KEY,
                  idempotency_key TEXT UNIQUE,
                  request_hash TEXT NOT NULL,
                  response BLOB,
                  created_at_ms INTEGER NOT NULL
                );
                CREATE TABLE fees_fee_change (
                  id INTEGER PRIMARY KEY,
                  readjustment_id INTEGER NOT NULL REFERENCES fees_readjustment (id),
                  client_id TEXT NOT NULL,
                  client_name TEXT NOT NULL,
                  effective_from TEXT NOT NULL,
                  previous_cents INTEGER NOT NULL,
                  new_cents INTEGER NOT NULL,
                  percent TEXT NOT NULL,
                  index_name TEXT NOT NULL,
                  created_at_ms INTEGER NOT NULL
                );
                CREATE INDEX fees_fee_change_client ON fees_fee_change (client_id, effective_from);
                """)
        }
    }
}
