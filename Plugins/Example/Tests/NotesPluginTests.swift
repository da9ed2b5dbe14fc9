import ContonAPI
import ContonKit
import ContonTesting
import ExamplePlugin
import GRDB
import GRPCCore
import Testing

/// The example plugin through the real stack: TLS, transport, host, SQLite, outbox.
@Suite struct NotesPluginTests {
    @Test func createdNotesAreListedAndPublishAnEvent() async throws {
        try await withTestServer(plugins: [NotesPlugin()]) { test in
            let notes = Conton_Example_V1_Notes.Client(wrapping: test.client)
            var request = Conton_Example_V1_CreateNoteRequest()
            request.text = "  Entregar DCTFWeb até dia 15  "
            let created = try await notes.createNote(request).note
            #expect(created.text == "Entregar DCTFWeb até dia 15")
            #expect(created.id > 0)
            let listed = try await notes.listNotes(Conton_Example_V1_ListNotesRequest()).notes
            #expect(listed == [created])
            // The event was written to the outbox in the note's transaction.
            let topics = try await test.server.host.database.pool.read { db in
                try String.fetchAll(db, sql: "SELECT topic FROM host_outbox")
            }
            #expect(topics == ["note.created"])
        }
    }

    @Test func blankTextIsInvalidAndWritesNothing() async throws {
        try await withTestServer(plugins: [NotesPlugin()]) { test in
            let notes = Conton_Example_V1_Notes.Client(wrapping: test.client)
            var request = Conton_Example_V1_CreateNoteRequest()
            request.text = "   "
            let error = await #expect(throws: RPCError.self) { try await notes.createNote(request) }
            #expect(error?.code == .invalidArgument)
            let listed = try await notes.listNotes(Conton_Example_V1_ListNotesRequest()).notes
            #expect(listed.isEmpty)
        }
    }

    @Test func everyMethodHasAPolicy() async throws {
        try await withTestServer(plugins: [NotesPlugin()]) { test in
            #expect(test.server.policies[Conton_Example_V1_Notes.Method.CreateNote.descriptor] == .staff())
            #expect(test.server.policies[Conton_Example_V1_Notes.Method.ListNotes.descriptor] == .staffOrClient())
        }
    }
}
