import ClientsCapability
import ContonAPI
import DocumentsCapability
import FeesCapability
import OfficeCapability
import ContonKit
import GRDB
import GRPCCore
import Synchronization

/// Honorários, Recebimentos, Recibos (plugin id `fees`): monthly fee generation for the office's
/// clients, receivables (from fees or entered by hand), settlement with late charges, numbered
/// receipts, and the client portal's view of its own (docs/FEES.md).
///
/// It reads the clients' default fee and due day through ``ClientsCapability/ClientRegistry`` and
/// the office's name, CNPJ, city and late-charge rates through
/// ``OfficeCapability/OfficeProfileSource`` (capabilities: it depends on neither plugin). It
/// contributes the client's receivables as a ``ClientsCapability/ClientRecordHolder`` (they block
/// deleting a client), offers ``FeesCapability/ClientFeeSummaries`` for the ficha and
/// ``FeesCapability/ReceivableLedger`` for billing, and runs the overdue sweep.
public struct FeesPlugin: Plugin {
    /// How often the overdue sweep runs (it also runs at start).
    let sweepInterval: Duration

    public init(sweepInterval: Duration = .seconds(3600)) {
        self.sweepInterval = sweepInterval
    }

    public var id: String { "fees" }
    public var requiredCapabilities: [any Any.Type] { [(any ClientRegistry).self, (any OfficeProfileSource).self, (any DocumentIssuer).self] }

    public func registerMigrations(_ migrations: inout PluginMigrations) {
        FeesSchema.register(&migrations)
    }

    public func provideCapabilities(_ capabilities: inout CapabilityRegistrar, context: PluginContext) {
        capabilities.contribute((any ClientRecordHolder).self, FeesHeld())
        capabilities.provide((any ClientFeeSummaries).self, FeeSummaries(clock: context.clock))
        capabilities.provide((any ReceivableLedger).self, FeesLedger(clock: context.clock))
    }

    public func registerServices(_ services: inout ServiceRegistrar, context: PluginContext) {
        services.register(FeesService(context: context))
        services.register(ReceivablesService(context: context))
        // The overdue sweep: at start, then every `sweepInterval`, in the server's ServiceGroup.
        services.run(PeriodicService(name: "fees.overdue-sweep", interval: sweepInterval, onError: { error in
            context.logger.error("overdue sweep failed; will retry", metadata: ["error": "\(error)"])
        }) {
            _ = try await Self.sweepOverdue(context: context)
        })
    }

    /// Publishes `receivable.overdue` once for every open receivable due before today (in the
    /// office's time zone) not flagged yet, and flags it, in one transaction per 1,000. Safe to
    /// run any time and from several places: a receivable is only ever published once.
    /// Returns how many were published.
    @discardableResult
    public static func sweepOverdue(context: PluginContext) async throws -> Int {
        let today = CivilDate.today(context.clock).description
        var published = 0
        while true {
            let n = try await context.write { m -> Int in
                let rows = try Row.fetchAll(m.db, sql: """
                    SELECT id, client_id, due_date, amount_cents - settled_cents AS balance FROM fees_receivable
                    WHERE status = 1 AND overdue_notified_at_ms IS NULL AND due_date < ? ORDER BY due_date LIMIT 1000
                    """, arguments: [today])
                for row in rows {
                    let id: Int64 = row["id"]
                    try m.publish(ReceivableOverdue(receivableID: String(id), clientID: row["client_id"], dueDate: row["due_date"],
                                                    balanceCents: row["balance"]))
                    try m.db.execute(sql: "UPDATE fees_receivable SET overdue_notified_at_ms = ? WHERE id = ?", arguments: [m.now, id])
                }
                if !rows.isEmpty { m.audit("receivable", "*", "flagged \(rows.count) receivables overdue (due before \(today))") }
                return rows.count
            }
            published += n
            if n < 1000 { return published }
        }
    }
}

/// The receivables a client has (they block deleting it).
struct FeesHeld: ClientRecordHolder {
    func records(of clientID: String, in db: Database) throws -> [ClientReference] {
        let n = try Int.fetchOne(db, sql: "SELECT count(*) FROM fees_receivable WHERE client_id = ?", arguments: [clientID]) ?? 0
        return [ClientReference(plugin: "fees", what: "receivables", count: n)]
    }
}

/// ``FeesCapability/ClientFeeSummaries`` over the fees plugin's tables.
struct FeeSummaries: ClientFeeSummaries {
    let clock: any Clock

    func lastFee(of clientID: String, in db: Database) throws -> LastFeeSummary? {
        let today = CivilDate(milliseconds: clock.nowMilliseconds)
        guard let row = try Row.fetchOne(db, sql: ReceivableStore.feeSelect + """
             WHERE f.client_id = ? AND f.cancelled_at_ms IS NULL AND f.kind = 1 ORDER BY f.competence DESC LIMIT 1
            """, arguments: [clientID]) else { return nil }
        let fee = ReceivableStore.fee(row, today: today)
        let status = switch fee.status {
        case .overdue: "overdue"
        case .paid: "paid"
        case .cancelled: "cancelled"
        default: "open"
        }
        return LastFeeSummary(competence: fee.competence, amountCents: fee.amountCents, dueDate: fee.dueDate, status: status)
    }

    func openReceivables(of clientID: String, in db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM fees_receivable WHERE client_id = ? AND status = 1", arguments: [clientID]) ?? 0
    }
}
