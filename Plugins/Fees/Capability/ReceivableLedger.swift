import ContonAPI
import ContonKit
import GRDB

/// The office's receivables for a plugin that collects them (billing: boletos, Pix, bank files).
/// The fees plugin provides it; every call runs inside the caller's transaction, so a bank file's
/// settlements commit or roll back with the rest of the file.
///
/// ```swift
/// public var requiredCapabilities: [any Any.Type] { [(any ReceivableLedger).self] }
/// let ledger = try context.capabilities.receivableLedger
/// let settled = try ledger.settle(request, in: &m)      // receipt, audit row and event included
/// ```
public protocol ReceivableLedger: Sendable {
    /// Receivable `id` as staff see it, its status as of today in the office's time zone (OVERDUE
    /// derived), without its payments; nil when there is none.
    func receivable(id: String, in db: Database) throws -> Conton_Fees_V1_Receivable?
    /// The receivables of `ids` that exist, by id (see ``receivable(id:in:)``).
    func receivables(ids: [String], in db: Database) throws -> [String: Conton_Fees_V1_Receivable]
    /// Settles a receivable exactly as `SettleReceivable` does: the same validation, the receipt
    /// with the next number, the audit row and the `receivable.settled` event.
    /// - Throws: what SettleReceivable answers: INVALID_ARGUMENT with field violations, NOT_FOUND,
    ///   FAILED_PRECONDITION `RECEIVABLE_PAID`, `RECEIVABLE_CANCELLED` or `OVERPAYMENT`.
    func settle(_ request: Conton_Fees_V1_SettleReceivableRequest, in m: inout Mutation) throws -> LedgerSettlement
}

/// What a settlement through ``ReceivableLedger`` wrote.
public struct LedgerSettlement: Sendable, Hashable {
    public var paymentID: String
    /// The receipt issued for it (numbered, as `GetReceipt` answers it).
    public var receipt: Conton_Fees_V1_Receipt
    /// The receivable's balance after it, and whether that settled it.
    public var balanceCents: Int64
    public var paid: Bool

    public init(paymentID: String, receipt: Conton_Fees_V1_Receipt, balanceCents: Int64, paid: Bool) {
        self.paymentID = paymentID
        self.receipt = receipt
        self.balanceCents = balanceCents
        self.paid = paid
    }
}

extension Capabilities {
    /// The fees plugin's ``ReceivableLedger`` (name `(any ReceivableLedger).self` in
    /// `requiredCapabilities`).
    public var receivableLedger: any ReceivableLedger {
        get throws(CapabilityError) { try require((any ReceivableLedger).self) }
    }
}
