import ContonAPI
import ContonKit
import GRDB

/// The files plugin's tables (`files_folder`, `files_blob`, `files_file`) and their rows as
/// API messages.
enum FileRecord {
    static let columns = """
        f.id, f.client_id, f.folder_id, d.name AS folder_name, f.file_name, f.size, f.sha256, f.content_type,
        f.declared_content_type, f.direction, f.uploaded_at_ms, f.uploaded_by_kind, f.uploaded_by, f.read_at_ms
        """
    static let from = "files_file f JOIN files_folder d ON d.id = f.folder_id"

    static func file(_ row: Row) -> Conton_Files_V1_File {
        var file = Conton_Files_V1_File()
        file.id = row["id"]
        file.clientId = row["client_id"]
        file.folderId = row["folder_id"]
        file.folderName = row["folder_name"]
        file.fileName = row["file_name"]
        file.size = row["size"]
        file.sha256 = row["sha256"]
        file.contentType = row["content_type"]
        file.declaredContentType = row["declared_content_type"]
        file.direction = Conton_Files_V1_FileDirection(rawValue: row["direction"])
        file.uploadedAtMs = row["uploaded_at_ms"]
        file.uploadedByKind = row["uploaded_by_kind"]
        file.uploadedBy = row["uploaded_by"]
        file.readAtMs = row["read_at_ms"] ?? 0
        return file
    }

    /// The file `id`, or nil.
    static func find(_ id: String, in db: Database) throws -> Conton_Files_V1_File? {
        try Row.fetchOne(db, sql: "SELECT \(columns) FROM \(from) WHERE f.id = ?", arguments: [id]).map(file)
    }

    /// Bytes of distinct content stored: what the quota counts.
    static func storedBytes(in db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT COALESCE(SUM(size), 0) FROM files_blob") ?? 0
    }

    static func blobKnown(_ sha256: String, in db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM files_blob WHERE sha256 = ?", arguments: [sha256]) ?? false
    }

    static func migrate(_ migrations: inout PluginMigrations) {
        migrations.register("files.1_create") { db in
            try db.execute(sql: """
                CREATE TABLE files_folder (
                  id TEXT PRIMARY KEY,
                  name TEXT NOT NULL,
                  name_key TEXT NOT NULL UNIQUE,
                  kind INTEGER NOT NULL,
                  created_at_ms INTEGER NOT NULL
                );
                INSERT INTO files_folder (id, name, name_key, kind, created_at_ms) VALUES
                  ('general', 'Geral', 'geral', 1, 0),
                  ('received', 'Recebidos do cliente', 'recebidos do cliente', 2, 0);
                -- One row per distinct content stored under <data-dir>/blobs/files/sha256/.
                CREATE TABLE files_blob (
                  sha256 TEXT PRIMARY KEY,
                  size INTEGER NOT NULL,
                  created_at_ms INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE files_file (
                  id TEXT PRIMARY KEY,
                  client_id TEXT NOT NULL,
                  folder_id TEXT NOT NULL REFERENCES files_folder(id),
                  file_name TEXT NOT NULL,
                  name_key TEXT NOT NULL,
                  size INTEGER NOT NULL,
                  sha256 TEXT NOT NULL REFERENCES files_blob(sha256),
                  content_type TEXT NOT NULL,
                  declared_content_type TEXT NOT NULL,
                  direction INTEGER NOT NULL,
                  uploaded_at_ms INTEGER NOT NULL,
                  uploaded_by_kind TEXT NOT NULL,
                  uploaded_by_id TEXT NOT NULL,
                  uploaded_by TEXT NOT NULL,
                  read_at_ms INTEGER,
                  read_by_user_id TEXT
                );
                CREATE INDEX files_file_client ON files_file (client_id, uploaded_at_ms DESC, id DESC);
                CREATE INDEX files_file_uploaded ON files_file (uploaded_at_ms DESC, id DESC);
                CREATE INDEX files_file_sha256 ON files_file (sha256);
                CREATE INDEX files_file_folder ON files_file (folder_id);
                """)
        }
    }
}
