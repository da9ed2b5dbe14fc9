import ClientsPlugin
import ClientsCapability
import ContonAPI
import ContonKit
import ContonProto
import ContonTesting
import Foundation
import GRDB
import GRPCCore
import Testing

/// Registration, validation, uniqueness, updates and the life cycle, in process (``ClientsTest``).
@Suite struct ClientsPluginTests {
    @Test func contractExamplesCreateNormalisedClients() async throws {
        try await ClientsTest.run { t in
            let pj = try await t.create(company("Padaria Pão Quente Ltda", trade: "Pão Quente", cnpj: "12.abc.345/01de-35",
                                                email: "Contato@PaoQuente.com.br"))
            #expect(!pj.id.isEmpty)
            #expect(pj.document == "12ABC34501DE35")
            #expect(pj.documentFormatted == "12.ABC.345/01DE-35")
            #expect(pj.email == "contato@paoquente.com.br")
            #expect(pj.status == .active && pj.version == 1 && pj.createdAtMs > 0)
            let pf = try await t.create(person("João da Silva", cpf: "111.444.777-35", email: "joao@example.com"))
            #expect(pf.document == "11144477735" && pf.documentFormatted == "111.444.777-35")
            #expect(try await t.get(pf.id) == pf)
            #expect(try await t.count("SELECT count(*) FROM host_audit WHERE entity_type = 'client'") == 2)
            #expect(try await t.count("SELECT count(*) FROM host_outbox WHERE topic = 'client.created'") == 2)
        }
    }

    @Test func everyViolationIsReportedAtOnceAndNothingIsWritten() async throws {
        try await ClientsTest.run { t in
            var bad = person("", cpf: "111.444.777-36", email: "not an e-mail")
            bad.phones = ["(11) 98765-4321", "123"]
            bad.address.cep = "0131-100"
            bad.address.uf = "XX"
            bad.feeDueDay = 32
            bad.tradeName = "Só para PJ"
            bad.birthDate = "2023-02-29"
            let error = await rpcError { try await t.create(bad) }
            #expect(error?.code == .invalidArgument)
            for field in ["client.name", "client.document", "client.email", "client.phones[1]", "client.address.cep",
                          "client.address.uf", "client.fee_due_day", "client.trade_name", "client.birth_date"] {
                #expect(error?.message.contains(field + ":") == true, "\(field) not named in \(error?.message ?? "")")
            }
            #expect(error?.message.contains("client.phones[0]") == false)
            var missing = Client()
            missing.name = "Sem Tipo"
            let types = await rpcError { try await t.create(missing) }
            #expect(types?.message.contains("client.person_type:") == true && types?.message.contains("client.document:") == true)
            // A CPF where a CNPJ belongs.
            let mismatch = await rpcError { try await t.create(company("Empresa", cnpj: "111.444.777-35")) }
            #expect(mismatch?.message.contains("client.document:") == true)
            let rows = try await t.count("SELECT count(*) FROM clients_client")
            let audited = try await t.count("SELECT count(*) FROM host_audit WHERE entity_type = 'client'")
            #expect(rows == 0 && audited == 0)
        }
    }

    @Test func aDocumentBelongsToOneClient() async throws {
        try await ClientsTest.run { t in
            let first = try await t.create(company("Primeira Ltda", cnpj: "11.222.333/0001-81"))
            let error = await rpcError { try await t.create(company("Segunda Ltda", cnpj: "11222333000181")) }
            #expect(error?.code == .alreadyExists)
            #expect(error?.message.contains(first.id) == true && error?.message.contains("Primeira Ltda") == true)
            // The existing client, for programs: google.rpc.ResourceInfo and ErrorInfo.
            #expect(error?.details?.resource == ErrorDetails.Resource(type: "conton.clients.v1.Client", name: first.id, description: "Primeira Ltda"))
            #expect(error?.details?.reason == ErrorDetails.Reason("CLIENT_DOCUMENT_TAKEN"))
            // Changing another client's document to it is refused the same way.
            let other = try await t.create(company("Outra Ltda", cnpj: Docs.cnpjs[2]))
            var update = Conton_Clients_V1_UpdateClientRequest()
            update.client.id = other.id
            update.client.version = other.version
            update.client.document = "11.222.333/0001-81"
            update.updateMask.paths = ["document"]
            #expect(await code { _ = try await t.api.updateClient(update, metadata: t.owner) } == .alreadyExists)
        }
    }

    @Test func updatesApplyTheMaskAndRefuseAStaleVersion() async throws {
        try await ClientsTest.run { t in
            var input = person("Maria Souza", cpf: Docs.cpfs[1], email: "maria@example.com")
            input.notes = "cliente antiga"
            let created = try await t.create(input)
            var update = Conton_Clients_V1_UpdateClientRequest()
            update.client.id = created.id
            update.client.version = created.version
            update.client.email = "MARIA@novo.com.br"
            update.client.notes = "not in the mask"
            update.updateMask.paths = ["email", "address.cep"]
            update.client.address.cep = "01310-100"
            let updated = try await t.api.updateClient(update, metadata: t.owner).client
            #expect(updated.email == "maria@novo.com.br" && updated.address.cep == "01310100")
            #expect(updated.notes == "cliente antiga")
            #expect(updated.version == created.version + 1)
            // The same request again carries the old version: ABORTED, nothing changes.
            update.client.email = "outro@example.com"
            let stale = await rpcError { _ = try await t.api.updateClient(update, metadata: t.owner) }
            #expect(stale?.code == .aborted)
            #expect(try await t.get(created.id).email == "maria@novo.com.br")
            // Output-only fields cannot be masked; a bad value is a field violation on the merged client.
            update.client.version = updated.version
            update.updateMask.paths = ["status", "id"]
            let masked = await rpcError { _ = try await t.api.updateClient(update, metadata: t.owner) }
            #expect(masked?.code == .invalidArgument && masked?.message.contains("update_mask[0]") == true)
            update.updateMask.paths = ["email"]
            update.client.email = "broken"
            #expect(await code { _ = try await t.api.updateClient(update, metadata: t.owner) } == .invalidArgument)
            update.client.version = 0
            #expect(await code { _ = try await t.api.updateClient(update, metadata: t.owner) } == .invalidArgument)
            var unknown = update
            unknown.client.id = "no-such-client"
            unknown.client.version = 1
            #expect(await code { _ = try await t.api.updateClient(unknown, metadata: t.owner) } == .notFound)
        }
    }

    @Test func archiveHidesAndRestoreBringsBack() async throws {
        try await ClientsTest.run { t in
            let client = try await t.create(person("Arquivado da Silva", cpf: Docs.cpfs[2]))
            var archive = Conton_Clients_V1_ArchiveClientRequest()
            archive.clientId = client.id
            let archived = try await t.api.archiveClient(archive, metadata: t.owner).client
            #expect(archived.status == .archived && archived.archivedAtMs > 0)
            #expect(try await t.list().clients.isEmpty)
            #expect(try await t.list { $0.status = .archived }.clients.map(\.id) == [client.id])
            #expect(try await t.list { $0.status = .all }.totalCount == 1)
            #expect(try await t.get(client.id).status == .archived)
            var restore = Conton_Clients_V1_RestoreClientRequest()
            restore.clientId = client.id
            #expect(try await t.api.restoreClient(restore, metadata: t.owner).client.status == .active)
            #expect(try await t.list().clients.map(\.id) == [client.id])
            #expect(try await t.count("SELECT count(*) FROM host_outbox WHERE topic = 'client.archived'") == 1)
        }
    }

    @Test func deleteIsRefusedWhileOtherPluginsHoldRecordsThenRemovesEverything() async throws {
        try await ClientsTest.run(extraPlugins: [HoldingPlugin()]) { t in
            let client = try await t.create(person("Com Recebíveis", cpf: Docs.cpfs[3], email: "rec@example.com"),
                                            access: access(password: "senha inicial 123"))
            try await t.host.database.pool.write { db in
                try db.execute(sql: "INSERT INTO holding_record (client_id) VALUES (?), (?)", arguments: [client.id, client.id])
            }
            var delete = Conton_Clients_V1_DeleteClientRequest()
            delete.clientId = client.id
            let refused = await rpcError { _ = try await t.api.deleteClient(delete, metadata: t.owner) }
            #expect(refused?.code == .failedPrecondition && refused?.message.contains("2 receivables") == true)
            var record = Conton_Clients_V1_GetClientRecordRequest()
            record.clientId = client.id
            let ficha = try await t.api.getClientRecord(record, metadata: t.owner).record
            #expect(ficha.references["receivables"] == 2 && ficha.access.enabled && ficha.client.id == client.id)
            try await t.host.database.pool.write { db in try db.execute(sql: "DELETE FROM holding_record") }
            _ = try await t.api.deleteClient(delete, metadata: t.owner)
            #expect(await code { _ = try await t.get(client.id) } == .notFound)
            #expect(try await t.count("SELECT count(*) FROM identity_user WHERE client_id = ?", [client.id]) == 0)
            #expect(try await t.count("SELECT count(*) FROM clients_search WHERE clients_search MATCH 'recebiveis'") == 0)
            #expect(try await t.count("SELECT count(*) FROM host_outbox WHERE topic = 'client.deleted'") == 1)
            // The audit trail keeps the id, not the personal data.
            let summaries = try await t.host.database.pool.read { db in
                try String.fetchAll(db, sql: "SELECT summary FROM host_audit WHERE entity_id = ?", arguments: [client.id])
            }
            #expect(!summaries.isEmpty && summaries.allSatisfy { !$0.contains("Recebíveis") && !$0.contains("11144477735") })
        }
    }

    @Test func plainStaffCannotDeleteForGood() async throws {
        try await ClientsTest.run { t in
            let client = try await t.create(person("Fulano", cpf: Docs.cpfs[4]))
            // A plain staff member (role STAFF), named in process.
            let staff = InProcessTestServer.as(.staff(role: .staff))
            var delete = Conton_Clients_V1_DeleteClientRequest()
            delete.clientId = client.id
            #expect(await code { _ = try await t.api.deleteClient(delete, metadata: staff) } == .permissionDenied)
            #expect(try await t.get(client.id, metadata: staff).id == client.id)
        }
    }
}

func access(email: String = "", password: String = "", send: Bool = false) -> Conton_Clients_V1_SetClientAccessRequest {
    var request = Conton_Clients_V1_SetClientAccessRequest()
    request.email = email
    request.initialPassword = password
    request.sendAccessEmail = send
    return request
}

/// A plugin that keeps per-client records, as fees and files do.
/// An empty client id gets one answer whichever way it comes: the clients plugin's own calls
/// and the registry other plugins use both say INVALID_ARGUMENT naming `client_id`.
@Suite struct EmptyClientIDTests {
    @Test func theRegistryAndTheClientsServiceAnswerAnEmptyIDAlike() async throws {
        try await ClientsTest.run { t in
            let viaService = await rpcError { _ = try await t.api.getClient(Conton_Clients_V1_GetClientRequest(), metadata: t.owner) }
            let registry = try t.host.capabilities.clients
            let viaRegistry: RPCError? = try await t.host.database.pool.read { db in
                do {
                    _ = try registry.require("", in: db)
                    return nil
                } catch let error as any RPCErrorConvertible {
                    return RPCError(error)
                }
            }
            #expect(viaService?.code == .invalidArgument && viaService?.message == "client_id: is required")
            #expect(viaRegistry?.code == viaService?.code && viaRegistry?.message == viaService?.message)
            #expect(viaRegistry?.metadata.contains { $0.key == ErrorDetails.metadataKey } == true)
        }
    }
}

struct HoldingPlugin: Plugin {
    var id: String { "holding" }

    func registerMigrations(_ migrations: inout PluginMigrations) {
        migrations.register("holding.1_record") { db in
            try db.execute(sql: "CREATE TABLE holding_record (id INTEGER PRIMARY KEY, client_id TEXT NOT NULL)")
        }
    }

    func provideCapabilities(_ capabilities: inout CapabilityRegistrar, context: PluginContext) {
        capabilities.contribute((any ClientRecordHolder).self, Held())
    }

    struct Held: ClientRecordHolder {
        func records(of clientID: String, in db: Database) throws -> [ClientReference] {
            let n = try Int.fetchOne(db, sql: "SELECT count(*) FROM holding_record WHERE client_id = ?", arguments: [clientID]) ?? 0
            return [ClientReference(plugin: "holding", what: "receivables", count: n)]
        }
    }
}
