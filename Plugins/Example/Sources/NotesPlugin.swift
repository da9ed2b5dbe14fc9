import Foundation
import ContonAPI
import ContonKit
import GRDB
import GRPCCore

/// Published when a note is created.
public struct NoteCreated: DomainEvent {
    public static let topic = "note.created"
    public var id: Int64
    public var text: String
}

/// The example plugin of docs/PLUGINS.md: a board of notes. It shows every part a plugin has:
/// a proto service, a migration, access policies, a transaction per request, an event.
public struct NotesPlugin: Plugin {
    public init() {}

    public var id: String { "notes" }

    public func registerMigrations(_ migrations: inout PluginMigrations) {
        migrations.register("notes.1_create") { db in
            try db.create(table: "notes_note") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("text", .text).notNull()
                t.column("created_at_ms", .integer).notNull()
            }
        }
    }

    public func registerServices(_ services: inout ServiceRegistrar, context: PluginContext) {
        services.register(NotesService(context: context))
    }
}

/// `conton.example.v1.Notes`.
struct NotesService: Conton_Example_V1_Notes.SimpleServiceProtocol {
    let context: PluginContext

    func createNote(request: Conton_Example_V1_CreateNoteRequest, context: ServerContext) async throws -> Conton_Example_V1_CreateNoteResponse {
        let text = request.text.trimmingCharacters(in: .whitespacesAndNewlines)
        var errors = FieldErrors()
        if text.isEmpty || text.count > 2000 { errors.add("text", "must have 1 to 2000 characters") }
        try errors.check()
        // One request, one transaction: the row, its audit entry and its event commit together.
        let note = try await self.context.write { m -> Conton_Example_V1_Note in
            try m.db.execute(sql: "INSERT INTO notes_note (text, created_at_ms) VALUES (?, ?)", arguments: [text, m.now])
            var note = Conton_Example_V1_Note()
            note.id = m.db.lastInsertedRowID
            note.text = text
            note.createdAtMs = m.now
            m.audit("note", String(note.id), "created a note")
            try m.publish(NoteCreated(id: note.id, text: text))
            return note
        }
        var response = Conton_Example_V1_CreateNoteResponse()
        response.note = note
        return response
    }

    func listNotes(request: Conton_Example_V1_ListNotesRequest, context: ServerContext) async throws -> Conton_Example_V1_ListNotesResponse {
        let notes = try await self.context.read { db in
            try Row.fetchAll(db, sql: "SELECT id, text, created_at_ms FROM notes_note ORDER BY id").map { row in
                var note = Conton_Example_V1_Note()
                note.id = row["id"]
                note.text = row["text"]
                note.createdAtMs = row["created_at_ms"]
                return note
            }
        }
        var response = Conton_Example_V1_ListNotesResponse()
        response.notes = notes
        return response
    }
}
