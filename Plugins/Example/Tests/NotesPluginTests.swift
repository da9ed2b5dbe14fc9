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
            let staff = TestServer.bearer(try await test.login())
            var request = Conton_Example_V1_CreateNoteRequest()
            request.text = "  Entregar DCTFWeb até dia 15  "
            // Signed-out callers are refused before the handler runs.
            let refused = await #expect(throws: RPCError.self) { try await notes.createNote(request) }
            #expect(refused?.code == .unauthenticated)
            let created = try await notes.createNote(request, metadata: staff).note
            #expect(created.text == "Entregar DCTFWeb até dia 15")
            #expect(created.id > 0)
            let listed = try await notes.listNotes(Conton_Example_V1_ListNotesRequest(), metadata: staff).notes
            #expect(listed == [created])
            // The event and the audit entry were written in the note's transaction.
            let (topics, audit) = try await test.server.host.database.pool.read { db in
                (try String.fetchAll(db, sql: "SELECT topic FROM host_outbox"),
                 try String.fetchAll(db, sql: "SELECT method || ' ' || entity_type || ' ' || entity_id FROM host_audit WHERE entity_type = 'note'"))
            }
            #expect(topics == ["note.created"])
            #expect(audit == ["conton.example.v1.Notes/CreateNote note \(created.id)"])
        }
    }

    /// In-process (no TLS, no sign-in): the caller is named per call.
    @Test func blankTextIsInvalidAndWritesNothing() async throws {
        try await withInProcessTestServer(plugins: [NotesPlugin()]) { test in
            let notes = Conton_Example_V1_Notes.Client(wrapping: test.client)
            let staff = InProcessTestServer.as(.staff())
            var request = Conton_Example_V1_CreateNoteRequest()
            request.text = "   "
            let error = await #expect(throws: RPCError.self) { try await notes.createNote(request, metadata: staff) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message == "text: must have 1 to 2000 characters")
            let listed = try await notes.listNotes(Conton_Example_V1_ListNotesRequest(), metadata: staff).notes
            #expect(listed.isEmpty)
        }
    }

    /// Who may call each method comes from the proto; the host enforces it before the handler.
    @Test func everyMethodHasItsPolicyFromTheProto() async throws {
        try await withInProcessTestServer(plugins: [NotesPlugin()]) { test in
            #expect(test.policies[Conton_Example_V1_Notes.Method.CreateNote.descriptor] == .staff())
            #expect(test.policies[Conton_Example_V1_Notes.Method.ListNotes.descriptor] == .staffOrClient())
            let notes = Conton_Example_V1_Notes.Client(wrapping: test.client)
            var request = Conton_Example_V1_CreateNoteRequest()
            request.text = "Conferir DAS"
            #expect(await code { _ = try await notes.createNote(request) } == .unauthenticated)
            #expect(await code { _ = try await notes.createNote(request, metadata: InProcessTestServer.as(.client("c-1"))) } == .permissionDenied)
            #expect(await code { _ = try await notes.createNote(request, metadata: InProcessTestServer.as(.service(scopes: ["fees:read"]))) } == .permissionDenied)
            _ = try await notes.createNote(request, metadata: InProcessTestServer.as(.staff()))
            // A client may list (staff or client).
            #expect(try await notes.listNotes(.init(), metadata: InProcessTestServer.as(.client("c-1"))).notes.map(\.text) == ["Conferir DAS"])
            // The audit row names the injected principal, written in the note's transaction.
            let audit = try await test.host.database.pool.read { db in
                try String.fetchAll(db, sql: "SELECT principal_kind || ' ' || entity_type FROM host_audit WHERE entity_type = 'note'")
            }
            #expect(audit == ["staff note"])
        }
    }
}
