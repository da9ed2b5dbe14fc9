import ContonKit
import GRDB

/// The identity plugin's tables (`identity_*`), see docs/STORAGE.md.
enum IdentitySchema {
    static func register(_ migrations: inout PluginMigrations) {
        migrations.register("identity.1_create") { db in
            try db.execute(sql: """
                CREATE TABLE identity_user (
                  id TEXT PRIMARY KEY NOT NULL,
                  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
                  name TEXT NOT NULL,
                  kind TEXT NOT NULL CHECK (kind IN ('staff', 'client')),
                  role TEXT CHECK (role IN ('owner', 'admin', 'staff')),
                  client_id TEXT,
                  password_hash TEXT,
                  password_change_required INTEGER NOT NULL DEFAULT 0,
                  disabled INTEGER NOT NULL DEFAULT 0,
                  created_at_ms INTEGER NOT NULL,
                  activated_at_ms INTEGER,
                  last_login_at_ms INTEGER,
                  password_changed_at_ms INTEGER,
                  CHECK ((kind = 'staff' AND role IS NOT NULL AND client_id IS NULL)
                      OR (kind = 'client' AND role IS NULL AND client_id IS NOT NULL))
                );
                CREATE INDEX identity_user_client ON identity_user (client_id) WHERE client_id IS NOT NULL;

                CREATE TABLE identity_session (
                  id TEXT PRIMARY KEY NOT NULL,
                  token_hash TEXT NOT NULL UNIQUE,
                  user_id TEXT NOT NULL REFERENCES identity_user (id) ON DELETE CASCADE,
                  created_at_ms INTEGER NOT NULL,
                  last_seen_at_ms INTEGER NOT NULL,
                  expires_at_ms INTEGER NOT NULL,
                  revoked_at_ms INTEGER,
                  peer TEXT NOT NULL
                );
                CREATE INDEX identity_session_user ON identity_session (user_id);

                CREATE TABLE identity_code (
                  code_hash TEXT PRIMARY KEY NOT NULL,
                  user_id TEXT NOT NULL REFERENCES identity_user (id) ON DELETE CASCADE,
                  purpose TEXT NOT NULL CHECK (purpose IN ('activation', 'reset')),
                  created_at_ms INTEGER NOT NULL,
                  expires_at_ms INTEGER NOT NULL,
                  used_at_ms INTEGER
                );
                CREATE INDEX identity_code_user ON identity_code (user_id, purpose);

                CREATE TABLE identity_service_account (
                  id TEXT PRIMARY KEY NOT NULL,
                  name TEXT NOT NULL,
                  scopes TEXT NOT NULL,
                  key_hash TEXT NOT NULL UNIQUE,
                  certificate_sha256 TEXT UNIQUE,
                  created_at_ms INTEGER NOT NULL,
                  revoked_at_ms INTEGER,
                  last_used_at_ms INTEGER
                );

                CREATE TABLE identity_login_throttle (
                  key TEXT PRIMARY KEY NOT NULL,
                  failures INTEGER NOT NULL,
                  last_failure_at_ms INTEGER NOT NULL,
                  blocked_until_ms INTEGER NOT NULL
                );
                """)
        }
    }
}
