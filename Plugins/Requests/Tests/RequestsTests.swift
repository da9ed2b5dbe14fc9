import AttendancesPlugin
import ClientsPlugin
import ContonAPI
import ContonBrazil
import ContonKit
import ContonTesting
import FilesPlugin
import Foundation
import GRDB
import GRPCCore
import OfficePlugin
import RequestsPlugin
import Testing

/// The requests plugin in process with the clients and files plugins, on a test clock at
/// 2026-12-01 noon in São Paulo.
struct RequestsTest: Sendable {
    let grpc: GRPCClient<InProcessTestTransport>
    let host: PluginHost
    let policies: [MethodDescriptor: AccessPolicy]
    let clock: TestClock
    let requests: Conton_Requests_V1_Requests.Client<InProcessTestTransport>
    let owner: Metadata

    static func run<R: Sendable>(_ body: (RequestsTest) async throws -> R) async throws -> R {
        let clock = TestClock(1_796_137_200_000)
        return try await withInProcessTestServer(plugins: [ClientsPlugin(), OfficePlugin(), FilesPlugin(), AttendancesPlugin(sweepAtStart: false),
                                                           RequestsPlugin(sweepAtStart: false)],
                                                 clock: clock) { test in
            try await body(RequestsTest(grpc: test.client, host: test.host, policies: test.policies, clock: clock,
                                        requests: .init(wrapping: test.client), owner: InProcessTestServer.as(.owner)))
        }
    }

    static func client(_ id: String) -> Metadata { InProcessTestServer.as(.client(id)) }

    func client(_ name: String, n: Int) async throws -> Conton_Clients_V1_Client {
        var c = Conton_Clients_V1_CreateClientRequest()
        c.client.personType = .company
        c.client.name = name
        c.client.document = try CNPJ(base: "33444" + String(String(1_000_000 + n).suffix(3)) + "0001").value
        c.client.email = "cliente\(n)@example.com"
        return try await Conton_Clients_V1_Clients.Client(wrapping: grpc).createClient(c, metadata: owner).client
    }

    func upload(_ name: String, clientID: String) async throws -> Conton_Files_V1_File {
        var m = Conton_Files_V1_UploadMetadata()
        m.fileName = name
        m.size = 9
        m.clientId = clientID
        var head = Conton_Files_V1_UploadRequest()
        head.metadata = m
        var chunk = Conton_Files_V1_UploadRequest()
        chunk.chunk = Array("%PDF-1.4 ".utf8)
        let messages = [head, chunk]
        return try await Conton_Files_V1_Files.Client(wrapping: grpc).upload(request: StreamingClientRequest(metadata: Self.client(clientID)) { writer in
            for message in messages { try await writer.write(message) }
        }).file
    }

    func get(_ id: String, as who: Metadata? = nil) async throws -> Conton_Requests_V1_Request {
        var r = Conton_Requests_V1_GetRequestRequest()
        r.requestId = id
        return try await requests.getRequest(r, metadata: who ?? owner).request
    }

    func status(_ id: String, _ status: Conton_Requests_V1_RequestStatus) async throws -> Conton_Requests_V1_Request {
        var r = Conton_Requests_V1_ChangeRequestStatusRequest()
        r.requestId = id
        r.status = status
        return try await requests.changeRequestStatus(r, metadata: owner).request
    }

    @discardableResult
    func post(_ id: String, _ text: String, internal isInternal: Bool = false, as who: Metadata? = nil) async throws -> Conton_Requests_V1_PostRequestMessageResponse {
        var r = Conton_Requests_V1_PostRequestMessageRequest()
        r.requestId = id
        r.message.text = text
        r.message.internal = isInternal
        return try await requests.postRequestMessage(r, metadata: who ?? owner)
    }

    func answer(_ id: String, item: String = "", files: [String] = [], nothing: Bool = false, note: String = "", as who: Metadata) async throws -> Conton_Requests_V1_Request {
        var r = Conton_Requests_V1_AnswerItemsRequest()
        r.requestId = id
        r.itemId = item
        r.fileIds = files
        r.nothingToSend = nothing
        r.note = note
        return try await requests.answerItems(r, metadata: who).request
    }

    func messages(_ id: String, as who: Metadata? = nil) async throws -> [Conton_Threads_V1_ThreadMessage] {
        var r = Conton_Requests_V1_ListRequestMessagesRequest()
        r.requestId = id
        return try await requests.listRequestMessages(r, metadata: who ?? owner).messages
    }

    var requestsContext: PluginContext {
        get throws { host.context(for: try #require(host.plugins.first { $0.id == "requests" })) }
    }

    func advance(days: Int) { clock.advance(milliseconds: Int64(days) * 86_400_000) }

    func count(_ sql: String, _ arguments: StatementArguments = []) async throws -> Int {
        try await host.database.pool.read { db in try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0 }
    }
}

@Suite struct RequestsTests {
    @Test func aClientsRequestIsAnsweredInItsThread() async throws {
        try await RequestsTest.run { t in
            let client = try await t.client("Padaria Pão Quente Ltda", n: 1)
            let me = RequestsTest.client(client.id)
            let types = try await t.requests.listRequestTypes(.init(), metadata: me).requestTypes
            let certidao = try #require(types.first { $0.name == "Certidão" })
            var create = Conton_Requests_V1_CreateRequestRequest()
            create.clientId = "someone-else"           // ignored for a client: its own
            create.typeId = certidao.id
            create.message.text = "Preciso da certidão negativa de débitos federais."
            let opened = try await t.requests.createRequest(create, metadata: me).request
            #expect(opened.clientId == client.id && opened.kind == .fromClient && opened.status == .open)
            #expect(opened.subject == "Certidão" && opened.typeName == "Certidão" && opened.messages == 1)
            #expect(try await t.count("SELECT count(*) FROM host_outbox WHERE topic = 'request.opened'") == 1)

            _ = try await t.status(opened.id, .inAnalysis)
            try await t.post(opened.id, "Cliente tem pendência na RFB; ver antes.", internal: true)
            try await t.post(opened.id, "Segue a certidão em anexo.")
            let answered = try await t.status(opened.id, .answered)
            #expect(answered.status == .answered)
            #expect(try await t.count("SELECT count(*) FROM host_outbox WHERE topic = 'request.answered'") == 1)
            // The client receives two messages (its own and the answer), one unread; never the note.
            let seen = try await t.get(opened.id, as: me)
            #expect(seen.messages == 2 && seen.unread == 1)
            #expect(try await t.messages(opened.id, as: me).map(\.internal) == [false, false])
            #expect(try await t.messages(opened.id).count == 3)
            // Its reply puts the request back with the office.
            let replied = try await t.post(opened.id, "Obrigado! E a estadual?", as: me)
            #expect(replied.request.status == .open)
            _ = try await t.status(opened.id, .closed)
            #expect(await code { try await t.post(opened.id, "Mais uma", as: me) } == .failedPrecondition)
            #expect(await code { _ = try await t.status(opened.id, .answered) } == .failedPrecondition)
            #expect(try await t.status(opened.id, .open).status == .open)
            // Bad input: no type, an unknown one.
            create.typeId = ""
            #expect(await rpcError { _ = try await t.requests.createRequest(create, metadata: me) }?.violations["type_id"] != nil)
            create.typeId = "999"
            #expect(await rpcError { _ = try await t.requests.createRequest(create, metadata: me) }?.violations["type_id"] != nil)
            #expect(try await t.count("SELECT count(*) FROM requests_request") == 1)
        }
    }

    @Test func aDocumentsRequestIsDoneItemByItemAndNadaAEnviarStopsTheReminders() async throws {
        try await RequestsTest.run { t in
            let client = try await t.client("Padaria Pão Quente Ltda", n: 1), other = try await t.client("Outra Ltda", n: 2)
            let me = RequestsTest.client(client.id)
            var ask = Conton_Requests_V1_RequestDocumentsRequest()
            ask.clientId = client.id
            ask.subject = "Fechamento de novembro"
            for (d, due) in [("Extratos bancários de novembro", "2026-12-05"), ("Notas fiscais de entrada", "2026-12-05"), ("Folha de ponto", "")] {
                var item = Conton_Requests_V1_ChecklistItem()
                item.description = d
                item.dueDate = due
                ask.items.append(item)
            }
            let request = try await t.requests.requestDocuments(ask, metadata: t.owner).request
            #expect(request.kind == .fromOffice && request.items.map(\.status) == [.pending, .pending, .pending])
            #expect(request.nextDueDate == "2026-12-05" && !request.overdue)
            #expect(try await t.count("SELECT count(*) FROM mail_outbox WHERE subject LIKE 'Solicitação nº%'") == 1)

            // The extratos, with the client's own file; another client's file is refused.
            let statement = try await t.upload("extrato-novembro.pdf", clientID: client.id)
            let foreign = try await t.upload("extrato-outro.pdf", clientID: other.id)
            #expect(await rpcError { _ = try await t.answer(request.id, item: request.items[0].id, files: [foreign.id], as: me) }?
                .violations["file_ids[0]"] != nil)
            var now = try await t.answer(request.id, item: request.items[0].id, files: [statement.id], as: me)
            #expect(now.items[0].status == .sent && now.items[0].files.map(\.fileId) == [statement.id] && now.status == .open)
            #expect(await code { _ = try await t.answer(request.id, item: request.items[0].id, files: [statement.id], as: me) } == .failedPrecondition)
            #expect(await code { _ = try await t.answer(request.id, item: request.items[1].id, nothing: true, as: t.owner) } == .permissionDenied)

            // Reminders: every 3 days (the default) while something is pending, never twice a day.
            let ctx = try t.requestsContext
            #expect(try await RequestsPlugin.sweep(context: ctx) == 0, "not yet 3 days")
            t.advance(days: 3)
            #expect(try await RequestsPlugin.sweep(context: ctx) == 1)
            #expect(try await RequestsPlugin.sweep(context: ctx) == 0, "once a day at most")
            t.advance(days: 1)
            #expect(try await RequestsPlugin.sweep(context: ctx) == 0, "3 days since the last")
            #expect(try await !t.get(request.id).overdue, "due today is not overdue yet")
            t.advance(days: 1)
            #expect(try await t.get(request.id).overdue, "the notas fiscais were due yesterday")
            now = try await t.answer(request.id, item: request.items[1].id, nothing: true, note: "Sem compras no mês", as: me)
            #expect(!now.overdue, "what is still pending has no due date")
            #expect(now.items[1].status == .nothingToSend && now.items[1].note == "Sem compras no mês")
            t.advance(days: 1)
            #expect(try await RequestsPlugin.sweep(context: ctx) == 1, "the folha is still pending")
            #expect(try await t.get(request.id).remindersSent == 2)
            let reminder = try await t.count("SELECT count(*) FROM mail_outbox WHERE subject LIKE 'Lembrete: solicitação%' AND payload LIKE '%Folha de ponto%'")
            #expect(reminder == 2)
            // "Nada a enviar" for the whole request: done, and the reminders stop.
            now = try await t.answer(request.id, nothing: true, as: me)
            #expect(now.status == .closed && now.items.map(\.status) == [.sent, .nothingToSend, .nothingToSend])
            #expect(try await t.count("SELECT count(*) FROM host_outbox WHERE topic = 'request.done'") == 1)
            t.advance(days: 3)
            #expect(try await RequestsPlugin.sweep(context: ctx) == 0)
            #expect(try await t.count("SELECT count(*) FROM host_outbox WHERE topic = 'request.reminded'") == 2)
            // A documents request is not ANSWERED by the office; an empty checklist is refused.
            #expect(await code { _ = try await t.status(request.id, .open) } == nil)
            #expect(await code { _ = try await t.status(request.id, .answered) } == .failedPrecondition)
            ask.items = []
            #expect(await rpcError { _ = try await t.requests.requestDocuments(ask, metadata: t.owner) }?.violations["items"] != nil)
        }
    }

    @Test func theOfficeKeepsItsCatalogueOfRequestTypes() async throws {
        try await RequestsTest.run { t in
            let client = try await t.client("Padaria Pão Quente Ltda", n: 1)
            let me = RequestsTest.client(client.id)
            var create = Conton_Requests_V1_CreateRequestTypeRequest()
            create.name = "Parcelamento de débitos"
            let made = try await t.requests.createRequestType(create, metadata: t.owner).requestType
            create.name = "PARCELAMENTO DE DÉBITOS"
            #expect(await code { _ = try await t.requests.createRequestType(create, metadata: t.owner) } == .alreadyExists)
            #expect(await code { _ = try await t.requests.createRequestType(create, metadata: InProcessTestServer.as(.staff())) } == .permissionDenied)
            var archive = Conton_Requests_V1_UpdateRequestTypeRequest()
            archive.requestType = made
            archive.requestType.archived = true
            _ = try await t.requests.updateRequestType(archive, metadata: t.owner)
            #expect(try await !t.requests.listRequestTypes(.init(), metadata: me).requestTypes.contains { $0.id == made.id })
            var all = Conton_Requests_V1_ListRequestTypesRequest()
            all.includeArchived = true
            #expect(try await t.requests.listRequestTypes(all, metadata: t.owner).requestTypes.contains { $0.id == made.id && $0.archived })
            #expect(try await !t.requests.listRequestTypes(all, metadata: me).requestTypes.contains { $0.id == made.id }, "a client never sees archived ones")
            var ask = Conton_Requests_V1_CreateRequestRequest()
            ask.typeId = made.id
            ask.message.text = "Quero parcelar"
            #expect(await rpcError { _ = try await t.requests.createRequest(ask, metadata: me) }?.violations["type_id"] != nil)
        }
    }

    @Test func aRequestTurnsIntoALinkedAttendance() async throws {
        try await RequestsTest.run { t in
            let client = try await t.client("Padaria Pão Quente Ltda", n: 1)
            let me = RequestsTest.client(client.id)
            var create = Conton_Requests_V1_CreateRequestRequest()
            create.typeId = try #require(try await t.requests.listRequestTypes(.init(), metadata: me).requestTypes.first { $0.name == "Alteração contratual" }).id
            create.subject = "Incluir novo sócio"
            create.message.text = "Queremos incluir a Ana como sócia."
            let request = try await t.requests.createRequest(create, metadata: me).request
            var convert = Conton_Requests_V1_ConvertToAttendanceRequest()
            convert.requestId = request.id
            convert.department = "societario"
            let converted = try await t.requests.convertToAttendance(convert, metadata: t.owner).request
            #expect(converted.attendanceNumber == 1 && !converted.attendanceId.isEmpty)
            #expect(await code { _ = try await t.requests.convertToAttendance(convert, metadata: t.owner) } == .failedPrecondition)
            // The attendance, as the client sees it: visible, from the portal, with what it wrote.
            let attendances = Conton_Attendances_V1_Attendances.Client(wrapping: t.grpc)
            var get = Conton_Attendances_V1_GetAttendanceRequest()
            get.attendanceId = converted.attendanceId
            let attendance = try await attendances.getAttendance(get, metadata: me).attendance
            #expect(attendance.subject == "Solicitação nº \(request.number): Incluir novo sócio")
            #expect(attendance.origin == "request \(request.number)" && attendance.channel == .portal && attendance.department == .societario)
            var thread = Conton_Attendances_V1_ListAttendanceMessagesRequest()
            thread.attendanceId = attendance.id
            #expect(try await attendances.listAttendanceMessages(thread, metadata: me).messages.map(\.text) == ["Queremos incluir a Ana como sócia."])
            convert.department = "nope"
            var another = create
            another.subject = "Outra"
            convert.requestId = try await t.requests.createRequest(another, metadata: me).request.id
            #expect(await code { _ = try await t.requests.convertToAttendance(convert, metadata: t.owner) } == .invalidArgument)
            #expect(await code { _ = try await t.requests.convertToAttendance(convert, metadata: me) } == .permissionDenied)
        }
    }

    @Test func aClientReachesOnlyItsOwnRequests() async throws {
        try await RequestsTest.run { t in
            let a = try await t.client("Cliente A Ltda", n: 1), b = try await t.client("Cliente B Ltda", n: 2)
            var ask = Conton_Requests_V1_RequestDocumentsRequest()
            ask.clientId = a.id
            var item = Conton_Requests_V1_ChecklistItem()
            item.description = "Contrato de aluguel"
            ask.items = [item]
            let mine = try await t.requests.requestDocuments(ask, metadata: t.owner).request
            let other = RequestsTest.client(b.id), me = RequestsTest.client(a.id)
            // Every method a client may call that takes a request id (the list below must name them all).
            for id in [mine.id, "999999", "x"] {
                #expect(await code { _ = try await t.get(id, as: other) } == .notFound)
                #expect(await code { try await t.post(id, "oi", as: other) } == .notFound)
                #expect(await code { _ = try await t.messages(id, as: other) } == .notFound)
                #expect(await code { _ = try await t.answer(id, nothing: true, as: other) } == .notFound)
                var read = Conton_Requests_V1_MarkRequestReadRequest()
                read.requestId = id
                #expect(await code { _ = try await t.requests.markRequestRead(read, metadata: other) } == .notFound)
            }
            var all = Conton_Requests_V1_ListRequestsRequest()
            all.clientId = a.id
            #expect(try await t.requests.listRequests(all, metadata: other).requests.isEmpty)
            #expect(try await t.requests.listRequests(all, metadata: me).requests.map(\.id) == [mine.id])
            let client = Principal.client(ClientIdentity(userID: "u", email: "c@example.com", name: "C", clientID: a.id))
            let callable = Set(t.policies.filter { $0.key.service.fullyQualifiedService == "conton.requests.v1.Requests" }.filter { policy in
                if case .allow = policy.value.decide(client) { return true }
                return false
            }.map(\.key.method))
            #expect(callable == ["ListRequestTypes", "CreateRequest", "GetRequest", "ListRequests", "AnswerItems", "PostRequestMessage",
                                 "ListRequestMessages", "MarkRequestRead"], "each that takes an id is checked above; CreateRequest is always the caller's own")
            #expect(await code { try await t.post(mine.id, "nota", internal: true, as: me) } == .permissionDenied)
            #expect(await code { _ = try await t.requests.requestDocuments(ask, metadata: me) } == .permissionDenied)
        }
    }
}
