import ContonAPI
import ContonKit
import DocumentsCapability
import FilesCapability
import GRDB

/// Fornecedores and Pagamentos (plugin id `payments`): the office's suppliers and accounts
/// payable — instalments, recurring payables, settlement with discount and interest/fine,
/// partial payments, bulk actions, the boleto line decoder and the printed list
/// (docs/PAYMENTS.md). Staff and service accounts only.
///
/// It prints through ``DocumentsCapability/DocumentIssuer`` and checks attachments through the
/// files plugin's ``FilesCapability/OfficeFileLookup`` when that plugin runs. Its hourly sweep
/// generates recurring payables and publishes `payable.due_soon` and `payable.overdue`.
public struct PaymentsPlugin: Plugin {
    /// How often the sweep runs.
    let sweepInterval: Duration
    /// Whether it also runs at start (tests that run it by hand turn this off, so a sweep of
    /// their own never races the one at start).
    let sweepAtStart: Bool

    public init(sweepInterval: Duration = .seconds(3600), sweepAtStart: Bool = true) {
        self.sweepInterval = sweepInterval
        self.sweepAtStart = sweepAtStart
    }

    public var id: String { "payments" }
    public var requiredCapabilities: [any Any.Type] { [(any DocumentIssuer).self] }

    public func registerMigrations(_ migrations: inout PluginMigrations) {
        PaymentsSchema.register(&migrations)
    }

    public func registerServices(_ services: inout ServiceRegistrar, context: PluginContext) {
        services.register(SuppliersService(context: context))
        services.register(PayablesService(context: context))
        services.run(PeriodicService(name: "payments.sweep", interval: sweepInterval, runAtStart: sweepAtStart, onError: { error in
            context.logger.error("payments sweep failed; will retry", metadata: ["error": "\(error)"])
        }) {
            _ = try await Self.sweep(context: context)
        })
    }

    /// What one sweep did.
    public struct SweepResult: Sendable, Equatable {
        public var generated = 0
        public var dueSoon = 0
        public var overdue = 0

        public init(generated: Int = 0, dueSoon: Int = 0, overdue: Int = 0) {
            (self.generated, self.dueSoon, self.overdue) = (generated, dueSoon, overdue)
        }
    }

    /// Generates recurring payables through the horizon, then publishes `payable.due_soon` once
    /// for every pending payable due within the office's window (today included) and
    /// `payable.overdue` once for every pending payable due before today, flagging each, in
    /// transactions of at most 1,000 rows. Safe to run any time and from several places.
    @discardableResult
    public static func sweep(context: PluginContext) async throws -> SweepResult {
        let today = CivilDate.today(context.clock)
        var result = SweepResult()
        result.generated = try await context.write { m in try Recurrences.generateAll(today: today, in: &m) }
        let days = try await context.read { db in try PaymentsSettingsStore.read(in: db).dueSoonDays }
        if days > 0 {
            let last = today.adding(days: Int(days)).description
            result.dueSoon = try await flag(context: context, column: "due_soon_notified_at_ms",
                                            condition: "due_date >= ? AND due_date <= ?", arguments: [today.description, last]) { row in
                PayableDueSoon(payableID: String(row["id"] as Int64), supplierID: String(row["supplier_id"] as Int64),
                               dueDate: row["due_date"], balanceCents: row["balance"])
            }
        }
        result.overdue = try await flag(context: context, column: "overdue_notified_at_ms", condition: "due_date < ?",
                                        arguments: [today.description]) { row in
            PayableOverdue(payableID: String(row["id"] as Int64), supplierID: String(row["supplier_id"] as Int64),
                           dueDate: row["due_date"], balanceCents: row["balance"])
        }
        return result
    }

    private static func flag<E: DomainEvent>(context: PluginContext, column: String, condition: String, arguments: StatementArguments,
                                             _ event: @escaping @Sendable (Row) -> E) async throws -> Int {
        var published = 0
        while true {
            let n = try await context.write { m -> Int in
                let rows = try Row.fetchAll(m.db, sql: """
                    SELECT id, supplier_id, due_date, amount_cents - settled_cents AS balance FROM payments_payable
                    WHERE status = 1 AND \(column) IS NULL AND \(condition) ORDER BY due_date, id LIMIT 1000
                    """, arguments: arguments)
                for row in rows {
                    try m.publish(event(row))
                    try m.db.execute(sql: "UPDATE payments_payable SET \(column) = ? WHERE id = ?", arguments: [m.now, row["id"] as Int64])
                }
                if !rows.isEmpty { m.audit("payable", "*", "published \(E.topic) for \(rows.count) payable(s)") }
                return rows.count
            }
            published += n
            if n < 1000 { return published }
        }
    }
}
