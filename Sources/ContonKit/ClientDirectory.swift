import GRDB
import GRPCCore
import Synchronization

/// What every plugin may know of the office's clients without depending on the clients plugin:
/// whether a client exists (and its name, for messages and documents), and which other plugins
/// still hold records of it.
///
/// The clients plugin provides the lookup (``provide(_:)``); plugins that keep per-client records
/// (fees, files, …) register a ``ClientReferenceCounter`` so that a client cannot be deleted
/// while they still point to it. Both run inside the caller's transaction:
///
/// ```swift
/// // files plugin, validating an upload's client:
/// let client = try context.clients.require(clientID, in: db)   // NOT_FOUND when unknown
/// // files plugin, in registerServices:
/// context.clients.registerReferences(plugin: "files") { db, clientID in
///     try Int.fetchOne(db, sql: "SELECT count(*) FROM files_file WHERE client_id = ?", arguments: [clientID]) ?? 0
/// }
/// ```
public final class ClientDirectory: Sendable {
    private struct State {
        var lookup: (any ClientLookup)?
        var counters: [(plugin: String, what: String, count: ClientReferenceCounter)] = []
        var lastFee: LastFeeLookup?
    }

    private let state = Mutex(State())

    public init() {}

    /// Installs the lookup (the clients plugin does, at registration). A second call replaces it.
    public func provide(_ lookup: any ClientLookup) {
        state.withLock { $0.lookup = lookup }
    }

    /// The client `id`, or nil when there is no such client (or no clients plugin).
    public func find(_ id: String, in db: Database) throws -> ClientSummary? {
        guard let lookup = state.withLock({ $0.lookup }) else { return nil }
        return try lookup.client(id: id, in: db)
    }

    /// The client `id`; NOT_FOUND when there is none, FAILED_PRECONDITION when it is archived and
    /// `allowArchived` is false.
    public func require(_ id: String, allowArchived: Bool = true, in db: Database) throws -> ClientSummary {
        guard !id.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "client_id: required")
        }
        guard let client = try find(id, in: db) else {
            throw RPCError(code: .notFound, message: "client \(id) not found")
        }
        if client.archived && !allowArchived {
            throw RPCError(code: .failedPrecondition, message: "client \(id) is archived; restore it first")
        }
        return client
    }

    /// Registers how many records of `what` (plural noun, for the message: "receivables") the
    /// plugin `plugin` keeps for a client.
    public func registerReferences(plugin: String, what: String, _ count: @escaping ClientReferenceCounter) {
        state.withLock { $0.counters.append((plugin, what, count)) }
    }

    /// Installs how to find a client's last scheduled fee (the fees plugin does, for the ficha).
    public func provideLastFee(_ lookup: @escaping LastFeeLookup) {
        state.withLock { $0.lastFee = lookup }
    }

    /// The client's last scheduled fee, or nil (none yet, or no fees plugin).
    public func lastFee(of clientID: String, in db: Database) throws -> LastFeeSummary? {
        guard let lookup = state.withLock({ $0.lastFee }) else { return nil }
        return try lookup(db, clientID)
    }

    /// Every plugin's records still pointing to `clientID`, those with a count above zero.
    public func references(to clientID: String, in db: Database) throws -> [ClientReference] {
        let counters = state.withLock { $0.counters }
        return try counters.compactMap { plugin, what, count in
            let n = try count(db, clientID)
            return n > 0 ? ClientReference(plugin: plugin, what: what, count: n) : nil
        }
    }
}

/// Counts the records a plugin keeps for a client, inside the caller's transaction.
public typealias ClientReferenceCounter = @Sendable (_ db: Database, _ clientID: String) throws -> Int

/// Finds a client's last scheduled (not cancelled) fee, inside the caller's transaction.
public typealias LastFeeLookup = @Sendable (_ db: Database, _ clientID: String) throws -> LastFeeSummary?

/// A client's last scheduled fee, as the clients plugin's ficha shows it.
public struct LastFeeSummary: Sendable, Hashable {
    /// `YYYY-MM`.
    public var competence: String
    public var amountCents: Int64
    /// `YYYY-MM-DD`.
    public var dueDate: String
    /// `open`, `overdue`, `paid` or `cancelled`.
    public var status: String

    public init(competence: String, amountCents: Int64, dueDate: String, status: String) {
        self.competence = competence
        self.amountCents = amountCents
        self.dueDate = dueDate
        self.status = status
    }
}

/// Looks a client up by id; implemented by the clients plugin.
public protocol ClientLookup: Sendable {
    func client(id: String, in db: Database) throws -> ClientSummary?
}

/// The few facts of a client other plugins need.
public struct ClientSummary: Sendable, Hashable {
    public var id: String
    /// The person's name (PF) or the razão social (PJ).
    public var name: String
    /// CPF or CNPJ, normalised (digits and upper-case letters only).
    public var document: String
    public var email: String
    public var archived: Bool

    public init(id: String, name: String, document: String, email: String, archived: Bool) {
        self.id = id
        self.name = name
        self.document = document
        self.email = email
        self.archived = archived
    }
}

/// Records of one plugin that still point to a client.
public struct ClientReference: Sendable, Hashable, CustomStringConvertible {
    public var plugin: String
    public var what: String
    public var count: Int

    public var description: String { "\(count) \(what)" }
}
