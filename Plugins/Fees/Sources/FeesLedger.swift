import ContonAPI
import ContonKit
import FeesCapability
import GRDB

/// ``FeesCapability/ReceivableLedger`` over the fees plugin's tables: reads as GetReceivable does
/// (without the payments) and settles through ``Settlement``, the path SettleReceivable takes.
struct FeesLedger: ReceivableLedger {
    let clock: any Clock

    private var today: CivilDate { CivilDate.today(clock) }

    func receivable(id: String, in db: Database) throws -> Conton_Fees_V1_Receivable? {
        try receivables(ids: [id], in: db)[id]
    }

    func receivables(ids: [String], in db: Database) throws -> [String: Conton_Fees_V1_Receivable] {
        let keys = ids.compactMap { Int64($0) }
        guard !keys.isEmpty else { return [:] }
        let today = self.today
        let rows = try Row.fetchAll(db, sql: """
            SELECT \(ReceivableStore.columns) FROM fees_receivable WHERE id IN (SELECT value FROM json_each(?))
            """, arguments: ["[" + keys.map(String.init).joined(separator: ",") + "]"])
        return Dictionary(rows.map { row in
            let r = ReceivableStore.receivable(row, today: today)
            return (r.id, r)
        }, uniquingKeysWith: { a, _ in a })
    }

    func settle(_ request: Conton_Fees_V1_SettleReceivableRequest, in m: inout Mutation) throws -> LedgerSettlement {
        let today = self.today
        let r = try Settlement.record(try Settlement.Input(request, today: today), today: today, in: &m)
        return LedgerSettlement(paymentID: String(r.paymentID), receipt: r.receipt, balanceCents: r.balanceCents, paid: r.paidOff)
    }
}
