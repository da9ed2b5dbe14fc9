import ContonAPI
import ContonBrazil
import ContonKit
import GRDB
import GRPCCore

/// Folders: office-wide and flat; two are built in (`general`, `received`).
enum FolderRecord {
    static let general = "general"
    static let received = "received"

    static func folder(_ row: Row) -> Conton_Files_V1_Folder {
        var folder = Conton_Files_V1_Folder()
        folder.id = row["id"]
        folder.name = row["name"]
        folder.kind = Conton_Files_V1_FolderKind(rawValue: row["kind"])
        folder.fileCount = row["file_count"] ?? 0
        folder.createdAtMs = row["created_at_ms"]
        return folder
    }

    /// Every folder with the files of `scope` (and, when given, of one client) it holds:
    /// built-in ones first, then by name.
    static func list(scope: ClientScope, clientID: String?, in db: Database) throws -> [Conton_Files_V1_Folder] {
        var condition = scope.sql("x.client_id")
        var arguments = StatementArguments(scope.arguments)
        if let clientID {
            condition += " AND x.client_id = ?"
            arguments += [clientID]
        }
        return try Row.fetchAll(db, sql: """
            SELECT d.id, d.name, d.kind, d.created_at_ms,
              (SELECT count(*) FROM files_file x WHERE x.folder_id = d.id AND \(condition)) AS file_count
            FROM files_folder d ORDER BY d.kind, d.name_key
            """, arguments: arguments).map(folder)
    }

    static func find(_ id: String, in db: Database) throws -> Conton_Files_V1_Folder? {
        try Row.fetchOne(db, sql: "SELECT id, name, kind, created_at_ms FROM files_folder WHERE id = ?", arguments: [id]).map(folder)
    }

    /// ALREADY_EXISTS when another folder has the same name, ignoring case and accents.
    static func checkUnique(_ name: String, except id: String?, in db: Database) throws {
        let key = SearchKey.fold(name)
        if let other = try Row.fetchOne(db, sql: "SELECT id, name FROM files_folder WHERE name_key = ? AND id != ?", arguments: [key, id ?? ""]) {
            throw ServiceError.alreadyExists("a folder named '\(other["name"] as String)' already exists", reason: "FOLDER_NAME_TAKEN",
                                             existing: ErrorDetails.Resource(type: "conton.files.v1.Folder", name: other["id"], description: other["name"]))
        }
    }
}
