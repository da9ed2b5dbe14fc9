import ContonKit
import GRDB

/// A receivable closed without its boleto — paid by hand (cash, transfer, Pix) or cancelled —
/// must not stay payable at the bank: its live boleto is cancelled (`PENDING`) or its write-off
/// is asked in the next remessa (`SENT`, `REGISTERED` → `WRITE_OFF_REQUESTED`). Run on the fees
/// plugin's `receivable.settled` (when `paid`) and `receivable.cancelled` events, after their
/// transactions commit; idempotent (a redelivered event finds nothing live). A boleto that was
/// itself the payment is `PAID` by then, in the retorno's own transaction, and is left alone.
enum BoletoWriteOff {
    /// The fees plugin's events as billing reads them (the JSON field names are the contract).
    struct ReceivableSettled: Decodable {
        var receivableID: String
        var paid: Bool
    }

    struct ReceivableCancelled: Decodable {
        var receivableID: String
        var reason: String
    }

    static func subscribe(_ subscriptions: inout EventSubscriptions, context: PluginContext) {
        subscriptions.subscribe(topic: "receivable.settled") { event in
            let settled = try event.decode(ReceivableSettled.self)
            guard settled.paid else { return }
            try await closed(settled.receivableID, why: "receivable \(settled.receivableID) was paid otherwise", context: context)
        }
        subscriptions.subscribe(topic: "receivable.cancelled") { event in
            let cancelled = try event.decode(ReceivableCancelled.self)
            try await closed(cancelled.receivableID, why: "receivable \(cancelled.receivableID) was cancelled: \(cancelled.reason)", context: context)
        }
    }

    /// Cancels or asks the write-off of receivable `id`'s live boletos; how many it touched.
    @discardableResult
    static func closed(_ id: String, why: String, context: PluginContext) async throws -> Int {
        guard let key = Int64(id) else { return 0 }
        return try await context.write { m -> Int in
            let rows = try Row.fetchAll(m.db, sql: "SELECT id, nosso_numero, status FROM billing_boleto WHERE receivable_id = ? AND status IN (1, 2, 3)",
                                        arguments: [key])
            for row in rows {
                let boleto: Int64 = row["id"], status: Int = row["status"]
                let pending = status == BoletoStore.Status.pending.rawValue
                try BoletoStore.close(boleto, pending: pending, why: why, now: m.now, in: m.db)
                m.audit("boleto", String(boleto), (pending ? "cancelled boleto " : "asked the bank to write off boleto ") +
                        "\(row["nosso_numero"] as String): \(why)")
            }
            return rows.count
        }
    }
}
