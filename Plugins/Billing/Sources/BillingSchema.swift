import ContonKit
import GRDB

/// The billing plugin's tables:
/// - `billing_sequence`: the last nosso número sequence used per bank agreement (never reused:
///   it only grows, in the transaction that issues the boleto);
/// - `billing_boleto`: every boleto issued, with what it printed (`slip`, JSON) so a reprint or a
///   remessa shows what was issued, whatever changed since;
/// - `billing_remessa`: every remessa sent, with its file (a download again is byte for byte);
/// - `billing_retorno`: every retorno imported, by its SHA-256, with the answer it gave.
/// - `billing_boleto.write_off_remessa_id` (`billing.2`): the remessa that asked the bank to
///   write a WRITE_OFF_REQUESTED boleto off (null until one has).
enum BillingSchema {
    static func register(_ migrations: inout PluginMigrations) {
        migrations.register("billing.1_create") { db in
            try db.execute(sql: """
                CREATE TABLE billing_sequence (
                  agreement TEXT PRIMARY KEY,
                  last_value INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE billing_boleto (
                  id INTEGER PRIMARY KEY,
                  receivable_id INTEGER NOT NULL,
                  client_id TEXT NOT NULL,
                  agreement TEXT NOT NULL,
                  bank_code TEXT NOT NULL,
                  sequence INTEGER NOT NULL,
                  nosso_numero TEXT NOT NULL,
                  -- The digits the bank files carry (BB 17, Sicoob 8 with its digit, Itaú 8).
                  nosso_numero_digits TEXT NOT NULL,
                  barcode TEXT NOT NULL,
                  digitable_line TEXT NOT NULL,
                  due_date TEXT NOT NULL,
                  amount_cents INTEGER NOT NULL,
                  description TEXT NOT NULL,
                  status INTEGER NOT NULL,
                  rejection_reasons TEXT NOT NULL DEFAULT '',
                  pix_payload TEXT NOT NULL DEFAULT '',
                  remessa_id INTEGER,
                  fine_basis_points INTEGER NOT NULL,
                  monthly_interest_basis_points INTEGER NOT NULL,
                  slip TEXT NOT NULL,
                  issued_at_ms INTEGER NOT NULL,
                  cancelled_at_ms INTEGER,
                  cancel_reason TEXT NOT NULL DEFAULT '',
                  idempotency_key TEXT UNIQUE,
                  UNIQUE (agreement, sequence)
                );
                CREATE INDEX billing_boleto_client ON billing_boleto (client_id, id);
                CREATE INDEX billing_boleto_receivable ON billing_boleto (receivable_id, id);
                CREATE INDEX billing_boleto_status ON billing_boleto (status, id);
                -- One live boleto (pending, sent or registered) per receivable.
                CREATE UNIQUE INDEX billing_boleto_live ON billing_boleto (receivable_id) WHERE status IN (1, 2, 3);
                -- A nosso número names one boleto of an agreement: what a retorno's occurrence finds.
                CREATE UNIQUE INDEX billing_boleto_nosso_numero ON billing_boleto (agreement, nosso_numero_digits);
                CREATE INDEX billing_boleto_remessa ON billing_boleto (remessa_id) WHERE remessa_id IS NOT NULL;
                CREATE TABLE billing_remessa (
                  id INTEGER PRIMARY KEY,
                  agreement TEXT NOT NULL,
                  bank_code TEXT NOT NULL,
                  file_sequence INTEGER NOT NULL,
                  boletos INTEGER NOT NULL,
                  total_cents INTEGER NOT NULL,
                  file_name TEXT NOT NULL,
                  sha256 TEXT NOT NULL,
                  content BLOB NOT NULL,
                  created_at_ms INTEGER NOT NULL,
                  UNIQUE (agreement, file_sequence)
                );
                -- Every retorno imported, by the SHA-256 of its bytes: the same file again answers
                -- the stored result and changes nothing.
                CREATE TABLE billing_retorno (
                  id INTEGER PRIMARY KEY,
                  sha256 TEXT NOT NULL UNIQUE,
                  file_name TEXT NOT NULL,
                  bank_code TEXT NOT NULL,
                  file_sequence INTEGER NOT NULL,
                  result BLOB NOT NULL,
                  imported_at_ms INTEGER NOT NULL
                );
                """)
        }
        migrations.register("billing.2_write_off") { db in
            try db.execute(sql: """
                ALTER TABLE billing_boleto ADD COLUMN write_off_remessa_id INTEGER;
                ALTER TABLE billing_remessa ADD COLUMN write_offs INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX billing_boleto_write_off ON billing_boleto (agreement, id) WHERE status = 7 AND write_off_remessa_id IS NULL;
                """)
        }
    }
}
