import ContonAPI
import ContonProto
import ContonKit
import ContonStore
import Foundation
import GRDB
import GRPCCore
import ServiceLifecycle
import Logging
import Synchronization
import Testing

struct Greeting: DomainEvent {
    static let topic = "demo.greeted"
    var name: String
}

/// Records start/stop order and delivered events across plugins.
final class Journal: Sendable {
    let lines = Mutex<[String]>([])
    func add(_ s: String) { lines.withLock { $0.append(s) } }
    var all: [String] { lines.withLock { $0 } }
}

struct HealthStub: Conton_Health_V1_Health.SimpleServiceProtocol {
    func check(request: Conton_Health_V1_HealthCheckRequest, context: ServerContext) async throws -> Conton_Health_V1_HealthCheckResponse { .init() }
    func watch(request: Conton_Health_V1_HealthCheckRequest, response: RPCWriter<Conton_Health_V1_HealthCheckResponse>, context: ServerContext) async throws {}
}

/// A service with one method that no proto declares, so it has no `(conton.rpc.v1.access)` rule.
struct UndeclaredService: RegistrableRPCService {
    static let call = MethodDescriptor(fullyQualifiedService: "demo.v1.Undeclared", method: "Call")

    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        router.registerHandler(
            forMethod: Self.call,
            deserializer: ProtoDeserializer<Conton_Health_V1_HealthCheckRequest>(),
            serializer: ProtoSerializer<Conton_Health_V1_HealthCheckResponse>()
        ) { _, _ in StreamingServerResponse(error: RPCError(code: .unimplemented, message: "no")) }
    }
}

struct DemoPlugin: Plugin {
    var id: String
    var dependencies: [String] = []
    var journal = Journal()
    var withService = false
    /// Also registers a method no proto declares (so it has no access rule).
    var withUndeclaredMethod = false
    var failingMigration = false
    var failingStart = false

    func registerMigrations(_ migrations: inout PluginMigrations) {
        let id = self.id, failing = self.failingMigration
        migrations.register("\(id).1_create") { db in
            try db.execute(sql: "CREATE TABLE \(id)_items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
            if failing { try db.execute(sql: "THIS IS NOT SQL") }
        }
    }

    func registerServices(_ services: inout ServiceRegistrar, context: PluginContext) {
        if withService { services.register(HealthStub()) }
        if withUndeclaredMethod { services.register(UndeclaredService()) }
        let journal = self.journal, id = self.id, failing = self.failingStart
        services.atStart {
            if failing { throw CancellationError() }
            journal.add("start \(id)")
        }
        services.run(JournalingService(id: id, journal: journal))
    }

    func registerSubscriptions(_ subscriptions: inout EventSubscriptions, context: PluginContext) {
        let journal = self.journal, id = self.id
        subscriptions.subscribe(to: Greeting.self) { event in journal.add("\(id) got \(event.name)") }
    }

}

/// A background service that journals its start and its graceful end.
struct JournalingService: Service {
    let id: String
    let journal: Journal

    func run() async throws {
        journal.add("run \(id)")
        try? await gracefulShutdown()
        journal.add("stop \(id)")
    }
}

@Suite struct PluginHostTests {
    let dir = NSTemporaryDirectory() + "conton-host-" + UUID().uuidString

    func database() throws -> ContonDatabase { try ContonDatabase(dataDirectory: dir) }

    @Test func ordersByDependencyStartsInOrderAndShutsBackgroundServicesDownInReverse() async throws {
        let journal = Journal()
        let host = try PluginHost(plugins: [
            DemoPlugin(id: "fees", dependencies: ["clients"], journal: journal),
            DemoPlugin(id: "clients", dependencies: ["identity"], journal: journal),
            DemoPlugin(id: "identity", journal: journal),
        ], database: try database())
        #expect(host.plugins.map(\.id) == ["identity", "clients", "fees"])
        try host.migrate()
        var router = RPCRouter<NeverTransport>()
        _ = try host.registerServices(on: &router)
        try await host.start()
        #expect(journal.all == ["start identity", "start clients", "start fees"])
        // Event delivery first, then each plugin's services in plugin order, in one ServiceGroup.
        let services = host.backgroundServices
        #expect(services.count == 4)
        #expect(services.dropFirst().compactMap { ($0 as? JournalingService)?.id } == ["identity", "clients", "fees"])
        let group = ServiceGroup(services: services, logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            // Shut down once all three run (a condition, not a timer).
            while journal.all.filter({ $0.hasPrefix("run ") }).count < 3 { try await Task.sleep(for: .milliseconds(5)) }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(Array(journal.all.suffix(3)) == ["stop fees", "stop clients", "stop identity"])
    }

    @Test func refusesDuplicateUnknownAndCyclicPlugins() throws {
        let db = try database()
        #expect(throws: PluginHostError.duplicatePlugin("a")) {
            try PluginHost(plugins: [DemoPlugin(id: "a"), DemoPlugin(id: "a")], database: db)
        }
        #expect(throws: PluginHostError.unknownDependency(plugin: "a", dependency: "ghost")) {
            try PluginHost(plugins: [DemoPlugin(id: "a", dependencies: ["ghost"])], database: db)
        }
        #expect(throws: PluginHostError.dependencyCycle(["a", "b", "c", "a"])) {
            try PluginHost(plugins: [DemoPlugin(id: "a", dependencies: ["b"]), DemoPlugin(id: "b", dependencies: ["c"]),
                                     DemoPlugin(id: "c", dependencies: ["a"])], database: db)
        }
    }

    @Test func refusesDuplicateMethodAndMissingPolicy() throws {
        let db = try database()
        var router = RPCRouter<NeverTransport>()
        let twice = try PluginHost(plugins: [DemoPlugin(id: "a", withService: true), DemoPlugin(id: "b", withService: true)], database: db)
        #expect(throws: PluginHostError.duplicateMethod(method: "conton.health.v1.Health/Check", plugins: ["a", "b"])) {
            _ = try twice.registerServices(on: &router)
        }
        var router2 = RPCRouter<NeverTransport>()
        let partial = try PluginHost(plugins: [DemoPlugin(id: "a", withService: true, withUndeclaredMethod: true)], database: db)
        #expect(throws: PluginHostError.missingPolicy(method: "demo.v1.Undeclared/Call", plugin: "a")) {
            _ = try partial.registerServices(on: &router2)
        }
        var router3 = RPCRouter<NeverTransport>()
        let good = try PluginHost(plugins: [DemoPlugin(id: "a", withService: true)], database: db)
        let policies = try good.registerServices(on: &router3)
        #expect(policies[Conton_Health_V1_Health.Method.Check.descriptor] == .public)
        #expect(router3.hasHandler(forMethod: Conton_Health_V1_Health.Method.Watch.descriptor))
    }

    @Test func failedMigrationRefusesAndLeavesNothingOfIt() throws {
        let db = try database()
        let host = try PluginHost(plugins: [DemoPlugin(id: "ok"), DemoPlugin(id: "bad", dependencies: ["ok"], failingMigration: true)], database: db)
        // The error names the migration (not its SQL).
        do {
            try host.migrate()
            Issue.record("a failing migration was applied")
        } catch {
            guard case .migrationFailed(let name, let reason) = error else { Issue.record("\(error)"); return }
            #expect(name == "bad.1_create")
            #expect(reason.contains("syntax error"), "\(reason)")
        }
        let tables = try db.pool.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") }
        #expect(tables.contains("ok_items"))
        #expect(!tables.contains("bad_items"))
    }

    @Test func migrationMustBeNamedAfterItsPlugin() throws {
        struct Sloppy: Plugin {
            var id: String { "clients" }
            func registerMigrations(_ m: inout PluginMigrations) { m.register("create_things") { _ in } }
            func registerServices(_ s: inout ServiceRegistrar, context: PluginContext) {}
        }
        let host = try PluginHost(plugins: [Sloppy()], database: try database())
        #expect(throws: PluginHostError.badMigrationName(name: "create_things", plugin: "clients")) { try host.migrate() }
    }

    @Test func aFailingStartHookStopsTheStart() async throws {
        let journal = Journal()
        let host = try PluginHost(plugins: [DemoPlugin(id: "a", journal: journal), DemoPlugin(id: "b", dependencies: ["a"], journal: journal),
                                            DemoPlugin(id: "c", dependencies: ["b"], journal: journal, failingStart: true),
                                            DemoPlugin(id: "d", dependencies: ["c"], journal: journal)], database: try database())
        try host.migrate()
        var router = RPCRouter<NeverTransport>()
        _ = try host.registerServices(on: &router)
        await #expect(throws: PluginHostError.startFailed(plugin: "c", reason: "CancellationError()")) { try await host.start() }
        #expect(journal.all == ["start a", "start b"])
    }

    @Test func eventsAreDeliveredAfterCommitOnlyAndSurviveARestart() async throws {
        let db = try database()
        let journal = Journal()
        var router = RPCRouter<NeverTransport>()
        let host = try PluginHost(plugins: [DemoPlugin(id: "demo", journal: journal)], database: db)
        try host.migrate()
        _ = try host.registerServices(on: &router)
        // The only way to write: one transaction with its audit row and its events.
        let context = host.context(for: host.plugins[0])
        try await context.write { m in
            try m.db.execute(sql: "INSERT INTO demo_items (name) VALUES ('x')")
            m.audit("item", "1", "created")
            try m.publish(Greeting(name: "committed"))
        }
        do {
            try await context.write { m in
                try m.publish(Greeting(name: "rolled back"))
                throw CancellationError()
            }
        } catch {}
        // Not delivered yet: this host "crashes" before its delivery loop runs.
        #expect(journal.all.isEmpty)

        let restarted = try PluginHost(plugins: [DemoPlugin(id: "demo", journal: journal)], database: db)
        try restarted.migrate()
        var router2 = RPCRouter<NeverTransport>()
        _ = try restarted.registerServices(on: &router2)
        #expect(try await restarted.events.deliverPending() == 1)
        #expect(journal.all == ["demo got committed"])
        #expect(try await restarted.events.deliverPending() == 0)
    }
}

/// A transport type for building routers in tests; never listens.
struct NeverTransport: ServerTransport {
    typealias Bytes = [UInt8]
    func listen(streamHandler: @escaping @Sendable (RPCStream<Inbound, Outbound>, ServerContext) async -> Void) async throws {}
    func beginGracefulShutdown() {}
}

/// A capability for the tests: a greeting one plugin offers others.
protocol Greeter: Sendable {
    func greet(_ name: String) -> String
}

struct PoliteGreeter: Greeter {
    func greet(_ name: String) -> String { "Olá, \(name)" }
}

/// Offers or needs a ``Greeter``.
struct GreeterPlugin: Plugin {
    var id: String
    var offers = false
    var needs = false

    var requiredCapabilities: [any Any.Type] { needs ? [(any Greeter).self] : [] }

    func provideCapabilities(_ capabilities: inout CapabilityRegistrar, context: PluginContext) {
        if offers {
            capabilities.provide((any Greeter).self, PoliteGreeter())
            capabilities.contribute((any Greeter).self, PoliteGreeter())
        }
    }
}

@Suite struct CapabilityTests {
    func database() throws -> ContonDatabase {
        try ContonDatabase(dataDirectory: NSTemporaryDirectory() + "conton-cap-" + UUID().uuidString)
    }

    @Test func aRequiredCapabilityIsResolvedWhateverThePluginOrder() throws {
        var router = RPCRouter<NeverTransport>()
        // The consumer is listed first and names no dependency on the provider's plugin.
        let host = try PluginHost(plugins: [GreeterPlugin(id: "consumer", needs: true), GreeterPlugin(id: "provider", offers: true)],
                                  database: try database())
        _ = try host.registerServices(on: &router)
        let greeter = try host.capabilities.require((any Greeter).self)
        #expect(greeter.greet("Ana") == "Olá, Ana")
        #expect(host.capabilities.all((any Greeter).self).count == 1)
        #expect(host.context(for: host.plugins[0]).capabilities.optional((any Greeter).self) != nil)
    }

    @Test func aMissingCapabilityStopsTheServer() throws {
        var router = RPCRouter<NeverTransport>()
        let host = try PluginHost(plugins: [GreeterPlugin(id: "consumer", needs: true)], database: try database())
        #expect(throws: PluginHostError.missingCapability(plugin: "consumer", capability: "Greeter")) {
            _ = try host.registerServices(on: &router)
        }
        #expect(throws: CapabilityError.missing("Greeter")) { _ = try host.capabilities.require((any Greeter).self) }
    }

    @Test func twoProvidersOfOneCapabilityStopTheServer() throws {
        var router = RPCRouter<NeverTransport>()
        let host = try PluginHost(plugins: [GreeterPlugin(id: "a", offers: true), GreeterPlugin(id: "b", offers: true)], database: try database())
        #expect(throws: PluginHostError.duplicateCapability(plugin: "b", capability: "Greeter")) {
            _ = try host.registerServices(on: &router)
        }
    }
}

