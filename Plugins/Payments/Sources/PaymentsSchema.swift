import ContonBrazil
import ContonKit
import GRDB

/// The payments plugin's tables (docs/PAYMENTS.md).
///
/// - `payments_supplier`: the supplier as its protobuf encoding (`record`) beside the columns
///   searched and ordered by; the document is unique.
/// - `payments_classifier`: expense categories (kind 1, a default set inserted) and cost centres
///   (kind 2); names unique per kind, folded.
/// - `payments_payable`: every payable. `status` stores pending (1), paid (2) or cancelled (3);
///   overdue is derived from `due_date` and today. The sums of its payments live on the row, so
///   lists and totals need no join. Instalments share `group_id` (the first one's id).
/// - `payments_due_totals`: count and sums per (due date, status), for the totals of lists
///   filtered by due date and status alone; kept by ``PayableStore/insert`` and by triggers on
///   update and delete.
/// - `payments_payment`: one row per settlement; reopening marks them reversed.
/// - `payments_recurrence`: monthly templates; at most one payable per (recurrence, competence).
/// - `payments_request`: idempotency keys of CreatePayables with the stored answer.
/// - `payments_settings`: one row.
enum PaymentsSchema {
    /// The expense categories shipped (the office edits the list).
    static let defaultCategories = [
        "Aluguel", "Energia", "Água", "Telefone/Internet", "Salários", "Pró-labore", "Impostos", "Software",
        "Material de escritório", "Serviços de terceiros", "Tarifas bancárias", "Outros",
    ]

    static func register(_ migrations: inout PluginMigrations) {
        migrations.register("payments.1_create") { db in
            try db.execute(sql: """
                CREATE TABLE payments_supplier (
                  id INTEGER PRIMARY KEY,
                  document TEXT NOT NULL UNIQUE,
                  name_key TEXT NOT NULL,
                  search_key TEXT NOT NULL,
                  emails_key TEXT NOT NULL,
                  archived_at_ms INTEGER,
                  version INTEGER NOT NULL,
                  record BLOB NOT NULL
                );
                CREATE INDEX payments_supplier_name ON payments_supplier (name_key, id);
                CREATE TABLE payments_classifier (
                  id INTEGER PRIMARY KEY,
                  kind INTEGER NOT NULL CHECK (kind IN (1, 2)),
                  name TEXT NOT NULL,
                  name_key TEXT NOT NULL,
                  archived_at_ms INTEGER,
                  created_at_ms INTEGER NOT NULL,
                  UNIQUE (kind, name_key)
                );
                CREATE TABLE payments_recurrence (
                  id INTEGER PRIMARY KEY,
                  supplier_id INTEGER NOT NULL REFERENCES payments_supplier (id),
                  description TEXT NOT NULL,
                  category_id INTEGER REFERENCES payments_classifier (id),
                  cost_center_id INTEGER REFERENCES payments_classifier (id),
                  amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
                  due_day INTEGER NOT NULL CHECK (due_day BETWEEN 1 AND 31),
                  start_month TEXT NOT NULL,
                  end_month TEXT NOT NULL DEFAULT '',
                  method INTEGER NOT NULL DEFAULT 0,
                  notes TEXT NOT NULL DEFAULT '',
                  generated_through TEXT NOT NULL DEFAULT '',
                  version INTEGER NOT NULL,
                  created_at_ms INTEGER NOT NULL,
                  updated_at_ms INTEGER NOT NULL
                );
                CREATE TABLE payments_payable (
                  id INTEGER PRIMARY KEY,
                  supplier_id INTEGER NOT NULL REFERENCES payments_supplier (id),
                  supplier_name TEXT NOT NULL,
                  supplier_document TEXT NOT NULL,
                  payee_document TEXT NOT NULL,
                  description TEXT NOT NULL,
                  category_id INTEGER REFERENCES payments_classifier (id),
                  cost_center_id INTEGER REFERENCES payments_classifier (id),
                  amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
                  competence TEXT NOT NULL,
                  due_date TEXT NOT NULL,
                  expected_payment_date TEXT NOT NULL DEFAULT '',
                  status INTEGER NOT NULL CHECK (status IN (1, 2, 3)),
                  paid_cents INTEGER NOT NULL DEFAULT 0,
                  discount_cents INTEGER NOT NULL DEFAULT 0,
                  interest_cents INTEGER NOT NULL DEFAULT 0,
                  settled_cents INTEGER NOT NULL DEFAULT 0,
                  payment_date TEXT,
                  method INTEGER NOT NULL DEFAULT 0,
                  document_number TEXT NOT NULL DEFAULT '',
                  boleto_line TEXT NOT NULL DEFAULT '',
                  attachments TEXT NOT NULL DEFAULT '',
                  notes TEXT NOT NULL DEFAULT '',
                  instalment_number INTEGER NOT NULL DEFAULT 0,
                  instalment_count INTEGER NOT NULL DEFAULT 0,
                  group_id INTEGER,
                  recurrence_id INTEGER REFERENCES payments_recurrence (id),
                  search_key TEXT NOT NULL,
                  version INTEGER NOT NULL DEFAULT 1,
                  created_at_ms INTEGER NOT NULL,
                  updated_at_ms INTEGER NOT NULL,
                  cancelled_at_ms INTEGER,
                  cancel_reason TEXT NOT NULL DEFAULT '',
                  due_soon_notified_at_ms INTEGER,
                  overdue_notified_at_ms INTEGER,
                  CHECK (settled_cents >= 0 AND settled_cents <= amount_cents)
                );
                -- Pages in due-date order (due_date, id) stop after the page, however long the period; the
                -- sweeps walk it too. Every index costs each of a batch's inserts (docs/BENCHMARKS.md).
                CREATE INDEX payments_payable_due ON payments_payable (due_date);
                CREATE INDEX payments_payable_payment_date ON payments_payable (payment_date) WHERE payment_date IS NOT NULL;
                CREATE INDEX payments_payable_supplier ON payments_payable (supplier_id, due_date);
                CREATE INDEX payments_payable_group ON payments_payable (group_id, instalment_number) WHERE group_id IS NOT NULL;
                CREATE UNIQUE INDEX payments_payable_recurrence ON payments_payable (recurrence_id, competence) WHERE recurrence_id IS NOT NULL;
                CREATE INDEX payments_payable_boleto ON payments_payable (boleto_line) WHERE boleto_line != '';
                CREATE INDEX payments_payable_category ON payments_payable (category_id) WHERE category_id IS NOT NULL;
                CREATE INDEX payments_payable_cost_center ON payments_payable (cost_center_id) WHERE cost_center_id IS NOT NULL;
                -- Count and sums per (due date, stored status): the totals of a list filtered by due date
                -- and status alone add up at most a few hundred of these rows instead of scanning every
                -- payable of the period (docs/PAYMENTS.md, "ListPayables"). Updates and deletes keep it
                -- by trigger; inserts (always pending, nothing paid) add their sums once per due date
                -- in PayableStore.insert — 12,000 trigger runs cost a batch 90 ms.
                CREATE TABLE payments_due_totals (
                  due_date TEXT NOT NULL,
                  status INTEGER NOT NULL,
                  n INTEGER NOT NULL,
                  amount INTEGER NOT NULL,
                  settled INTEGER NOT NULL,
                  paid INTEGER NOT NULL,
                  PRIMARY KEY (due_date, status)
                ) WITHOUT ROWID;
                CREATE TRIGGER payments_due_totals_delete AFTER DELETE ON payments_payable BEGIN
                  UPDATE payments_due_totals SET n = n - 1, amount = amount - OLD.amount_cents, settled = settled - OLD.settled_cents,
                    paid = paid - OLD.paid_cents WHERE due_date = OLD.due_date AND status = OLD.status;
                END;
                CREATE TRIGGER payments_due_totals_update AFTER UPDATE OF due_date, status, amount_cents, settled_cents, paid_cents
                ON payments_payable BEGIN
                  UPDATE payments_due_totals SET n = n - 1, amount = amount - OLD.amount_cents, settled = settled - OLD.settled_cents,
                    paid = paid - OLD.paid_cents WHERE due_date = OLD.due_date AND status = OLD.status;
                  INSERT INTO payments_due_totals VALUES (NEW.due_date, NEW.status, 1, NEW.amount_cents, NEW.settled_cents, NEW.paid_cents)
                  ON CONFLICT (due_date, status) DO UPDATE SET n = n + 1, amount = amount + excluded.amount,
                    settled = settled + excluded.settled, paid = paid + excluded.paid;
                END;
                CREATE TABLE payments_payment (
                  id INTEGER PRIMARY KEY,
                  payable_id INTEGER NOT NULL REFERENCES payments_payable (id) ON DELETE CASCADE,
                  payment_date TEXT NOT NULL,
                  amount_paid_cents INTEGER NOT NULL,
                  discount_cents INTEGER NOT NULL,
                  interest_cents INTEGER NOT NULL,
                  principal_cents INTEGER NOT NULL,
                  method INTEGER NOT NULL,
                  notes TEXT NOT NULL,
                  created_at_ms INTEGER NOT NULL,
                  reversed_at_ms INTEGER
                );
                CREATE INDEX payments_payment_payable ON payments_payment (payable_id, id);
                CREATE TABLE payments_request (
                  idempotency_key TEXT PRIMARY KEY,
                  request_hash TEXT NOT NULL,
                  response BLOB NOT NULL,
                  created_at_ms INTEGER NOT NULL
                );
                CREATE TABLE payments_settings (
                  id INTEGER PRIMARY KEY CHECK (id = 1),
                  due_soon_days INTEGER NOT NULL,
                  updated_at_ms INTEGER NOT NULL
                );
                """)
            for name in defaultCategories {
                try db.execute(sql: "INSERT INTO payments_classifier (kind, name, name_key, created_at_ms) VALUES (1, ?, ?, 0)",
                               arguments: [name, SearchKey.fold(name)])
            }
        }
    }
}
