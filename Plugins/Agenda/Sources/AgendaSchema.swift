import ContonKit
import GRDB

/// The agenda plugin's tables (docs/AGENDA.md): events and their exceptions, the office's
/// holidays and calendar settings, obligation templates, feed tokens and the reminders sent.
enum AgendaSchema {
    static func register(_ migrations: inout PluginMigrations) {
        migrations.register("agenda.1_create") { db in
            try db.execute(sql: """
                CREATE TABLE agenda_event (
                  id INTEGER PRIMARY KEY,
                  -- '' for an office event.
                  client_id TEXT NOT NULL,
                  kind INTEGER NOT NULL,
                  title TEXT NOT NULL,
                  description TEXT NOT NULL,
                  all_day INTEGER NOT NULL,
                  start_date TEXT NOT NULL,
                  -- Minutes after midnight (timed events), 0 for all-day ones.
                  start_minute INTEGER NOT NULL,
                  duration_minutes INTEGER NOT NULL,
                  -- Canonical RRULE, '' for a single occurrence.
                  recurrence TEXT NOT NULL,
                  -- The last day an occurrence can fall on (UNTIL, or the COUNT-th date); NULL: no end.
                  last_date TEXT,
                  shared_with_client INTEGER NOT NULL,
                  responsible_user_id TEXT NOT NULL,
                  -- Comma-separated minutes before the start.
                  reminders TEXT NOT NULL,
                  template_id INTEGER,
                  competence TEXT NOT NULL DEFAULT '',
                  delivered_at_ms INTEGER,
                  version INTEGER NOT NULL DEFAULT 1,
                  created_at_ms INTEGER NOT NULL,
                  updated_at_ms INTEGER NOT NULL
                );
                CREATE INDEX agenda_event_client ON agenda_event (client_id, start_date);
                CREATE INDEX agenda_event_start ON agenda_event (start_date);
                CREATE UNIQUE INDEX agenda_event_obligation ON agenda_event (client_id, template_id, competence) WHERE template_id IS NOT NULL;
                CREATE TABLE agenda_exception (
                  event_id INTEGER NOT NULL REFERENCES agenda_event (id) ON DELETE CASCADE,
                  original_date TEXT NOT NULL,
                  cancelled INTEGER NOT NULL,
                  -- A moved occurrence's day and start minute.
                  new_date TEXT,
                  new_start_minute INTEGER,
                  PRIMARY KEY (event_id, original_date)
                ) WITHOUT ROWID;
                CREATE INDEX agenda_exception_new_date ON agenda_exception (new_date) WHERE new_date IS NOT NULL;
                CREATE TABLE agenda_holiday (
                  id INTEGER PRIMARY KEY,
                  name TEXT NOT NULL,
                  -- 0: every year.
                  year INTEGER NOT NULL,
                  month INTEGER NOT NULL,
                  day INTEGER NOT NULL,
                  scope INTEGER NOT NULL
                );
                CREATE TABLE agenda_settings (
                  id INTEGER PRIMARY KEY CHECK (id = 1),
                  -- Comma-separated OptionalPoint raw values the office closes on.
                  closed_points TEXT NOT NULL
                );
                INSERT INTO agenda_settings (id, closed_points) VALUES (1, 'carnival_monday,carnival_tuesday,corpus_christi');
                CREATE TABLE agenda_obligation_template (
                  id INTEGER PRIMARY KEY,
                  code TEXT NOT NULL UNIQUE,
                  name TEXT NOT NULL,
                  due_day INTEGER NOT NULL,
                  non_business_day TEXT NOT NULL,
                  -- Comma-separated conton.clients.v1.TaxRegime numbers; '' for every regime.
                  tax_regimes TEXT NOT NULL,
                  requires_employees INTEGER NOT NULL,
                  source TEXT NOT NULL,
                  active INTEGER NOT NULL,
                  shared_with_client INTEGER NOT NULL
                );
                CREATE TABLE agenda_feed (
                  id INTEGER PRIMARY KEY,
                  -- SHA-256 of the token, hex.
                  token_hash TEXT NOT NULL UNIQUE,
                  client_id TEXT NOT NULL,
                  created_by TEXT NOT NULL,
                  created_at_ms INTEGER NOT NULL,
                  revoked_at_ms INTEGER
                );
                CREATE TABLE agenda_reminder_sent (
                  event_id INTEGER NOT NULL,
                  original_date TEXT NOT NULL,
                  minutes INTEGER NOT NULL,
                  sent_at_ms INTEGER NOT NULL,
                  PRIMARY KEY (event_id, original_date, minutes)
                ) WITHOUT ROWID;
                """)
            for template in ObligationTemplates.shipped {
                try db.execute(sql: """
                    INSERT INTO agenda_obligation_template (code, name, due_day, non_business_day, tax_regimes, requires_employees, source, active, shared_with_client)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 1, 1)
                    """, arguments: [template.code, template.name, template.dueDay, template.rule.rawValue,
                                     template.taxRegimes.map(String.init).joined(separator: ","), template.requiresEmployees, template.source])
            }
        }
    }
}
