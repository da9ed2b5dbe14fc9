import ContonKit
import ContonThreads
import GRDB

/// The attendances plugin's tables: attendances, their responsible history, and their threads
/// (``ContonThreads/MessageThreads`` with the prefix `attendances`).
enum AttendancesSchema {
    static func register(_ migrations: inout PluginMigrations, threads: MessageThreads) {
        migrations.register("attendances.1_create") { db in
            try db.execute(sql: """
                CREATE TABLE attendances_attendance (
                  id INTEGER PRIMARY KEY,
                  number INTEGER NOT NULL UNIQUE,
                  client_id TEXT NOT NULL,
                  channel INTEGER NOT NULL,
                  department INTEGER NOT NULL,
                  subject TEXT NOT NULL,
                  priority INTEGER NOT NULL,
                  status INTEGER NOT NULL,
                  responsible_user_id TEXT NOT NULL,
                  responsible_name TEXT NOT NULL,
                  deadline TEXT NOT NULL,
                  visible INTEGER NOT NULL,
                  opened_at_ms INTEGER NOT NULL,
                  opened_by TEXT NOT NULL,
                  first_answer_at_ms INTEGER,
                  -- Set while CLOSED or CANCELLED; closed_total_ms sums the closed periods before a reopen.
                  closed_at_ms INTEGER,
                  closed_total_ms INTEGER NOT NULL DEFAULT 0,
                  -- Set while WAITING_CLIENT; waiting_total_ms sums the finished waiting periods.
                  waiting_since_ms INTEGER,
                  waiting_total_ms INTEGER NOT NULL DEFAULT 0,
                  overdue_notified_at_ms INTEGER,
                  -- What it came from ("request 12"), or ''.
                  origin TEXT NOT NULL DEFAULT '',
                  version INTEGER NOT NULL DEFAULT 1,
                  idempotency_key TEXT UNIQUE
                );
                CREATE INDEX attendances_attendance_client ON attendances_attendance (client_id, id);
                CREATE INDEX attendances_attendance_status ON attendances_attendance (status, id);
                CREATE INDEX attendances_attendance_responsible ON attendances_attendance (responsible_user_id, id);
                -- A department's or a channel's page in id order, and its counts per status from the index alone.
                CREATE INDEX attendances_attendance_department ON attendances_attendance (department, id);
                CREATE INDEX attendances_attendance_department_status ON attendances_attendance (department, status);
                CREATE INDEX attendances_attendance_channel ON attendances_attendance (channel, id);
                CREATE INDEX attendances_attendance_channel_status ON attendances_attendance (channel, status);
                CREATE INDEX attendances_attendance_deadline ON attendances_attendance (deadline, status) WHERE deadline <> '';
                CREATE TABLE attendances_assignment (
                  id INTEGER PRIMARY KEY,
                  attendance_id INTEGER NOT NULL REFERENCES attendances_attendance (id) ON DELETE CASCADE,
                  responsible_user_id TEXT NOT NULL,
                  responsible_name TEXT NOT NULL,
                  at_ms INTEGER NOT NULL,
                  by TEXT NOT NULL
                );
                CREATE INDEX attendances_assignment_attendance ON attendances_assignment (attendance_id, id);
                """)
            try threads.createTables(in: db)
        }
        migrations.register("attendances.2_open_by_deadline") { db in
            try db.execute(sql: """
                -- Active attendances (OPEN, IN_PROGRESS, WAITING_CLIENT) with a deadline, counted per
                -- (deadline, status) by trigger in the transaction that changes them: the counts of the
                -- "overdue" list add up a few hundred rows instead of reading every overdue attendance.
                CREATE TABLE attendances_open_by_deadline (
                  deadline TEXT NOT NULL,
                  status INTEGER NOT NULL,
                  n INTEGER NOT NULL,
                  PRIMARY KEY (deadline, status)
                ) WITHOUT ROWID;
                INSERT INTO attendances_open_by_deadline
                  SELECT deadline, status, count(*) FROM attendances_attendance
                  WHERE status IN (1, 2, 3) AND deadline <> '' GROUP BY deadline, status;
                CREATE TRIGGER attendances_open_by_deadline_insert AFTER INSERT ON attendances_attendance
                WHEN NEW.status IN (1, 2, 3) AND NEW.deadline <> '' BEGIN
                  INSERT INTO attendances_open_by_deadline VALUES (NEW.deadline, NEW.status, 1)
                  ON CONFLICT (deadline, status) DO UPDATE SET n = n + 1;
                END;
                CREATE TRIGGER attendances_open_by_deadline_delete AFTER DELETE ON attendances_attendance
                WHEN OLD.status IN (1, 2, 3) AND OLD.deadline <> '' BEGIN
                  UPDATE attendances_open_by_deadline SET n = n - 1 WHERE deadline = OLD.deadline AND status = OLD.status;
                END;
                CREATE TRIGGER attendances_open_by_deadline_update AFTER UPDATE OF status, deadline ON attendances_attendance
                WHEN OLD.status IS NOT NEW.status OR OLD.deadline IS NOT NEW.deadline BEGIN
                  UPDATE attendances_open_by_deadline SET n = n - 1 WHERE deadline = OLD.deadline AND status = OLD.status;
                  INSERT INTO attendances_open_by_deadline SELECT NEW.deadline, NEW.status, 1
                    WHERE NEW.status IN (1, 2, 3) AND NEW.deadline <> ''
                  ON CONFLICT (deadline, status) DO UPDATE SET n = n + 1;
                END;
                -- The overdue page in id order: newest first, stopping at the page's size when most
                -- active attendances are overdue, and reading only active ones when few are.
                CREATE INDEX attendances_attendance_active ON attendances_attendance (id, deadline)
                  WHERE status IN (1, 2, 3) AND deadline <> '';
                """)
        }
        migrations.register("attendances.3_thread_counters") { db in
            try threads.addCounters(in: db)
        }
        migrations.register("attendances.4_status_counts") { db in
            try db.execute(sql: """
                -- Attendances counted per (department, channel, status) by trigger in the transaction
                -- that changes them: the counts per status of the whole office, of a status, a
                -- department or a channel add up at most 180 rows instead of reading every attendance.
                CREATE TABLE attendances_status_count (
                  department INTEGER NOT NULL,
                  channel INTEGER NOT NULL,
                  status INTEGER NOT NULL,
                  n INTEGER NOT NULL,
                  PRIMARY KEY (department, channel, status)
                ) WITHOUT ROWID;
                INSERT INTO attendances_status_count
                  SELECT department, channel, status, count(*) FROM attendances_attendance GROUP BY department, channel, status;
                CREATE TRIGGER attendances_status_count_insert AFTER INSERT ON attendances_attendance BEGIN
                  INSERT INTO attendances_status_count VALUES (NEW.department, NEW.channel, NEW.status, 1)
                  ON CONFLICT (department, channel, status) DO UPDATE SET n = n + 1;
                END;
                CREATE TRIGGER attendances_status_count_delete AFTER DELETE ON attendances_attendance BEGIN
                  UPDATE attendances_status_count SET n = n - 1
                  WHERE department = OLD.department AND channel = OLD.channel AND status = OLD.status;
                END;
                CREATE TRIGGER attendances_status_count_update AFTER UPDATE OF department, channel, status ON attendances_attendance
                WHEN OLD.department IS NOT NEW.department OR OLD.channel IS NOT NEW.channel OR OLD.status IS NOT NEW.status BEGIN
                  UPDATE attendances_status_count SET n = n - 1
                  WHERE department = OLD.department AND channel = OLD.channel AND status = OLD.status;
                  INSERT INTO attendances_status_count VALUES (NEW.department, NEW.channel, NEW.status, 1)
                  ON CONFLICT (department, channel, status) DO UPDATE SET n = n + 1;
                END;
                -- The counts of a filter the table above cannot answer (overdue of a department, of
                -- a channel, of a responsible user) read these indexes alone, never the rows.
                DROP INDEX attendances_attendance_department_status;
                DROP INDEX attendances_attendance_channel_status;
                CREATE INDEX attendances_attendance_department_status ON attendances_attendance (department, status, deadline);
                CREATE INDEX attendances_attendance_channel_status ON attendances_attendance (channel, status, deadline);
                CREATE INDEX attendances_attendance_responsible_status ON attendances_attendance (responsible_user_id, status, deadline);
                """)
        }
    }
}
