import ClientsCapability
import ContonAPI
import ContonKit
import Foundation
import GRDB

/// A validated ReadjustFees request: which clients, by how much, from which month (docs/FEES.md,
/// "Readjustment").
struct FeeReadjustment: Sendable {
    typealias Response = Conton_Fees_V1_ReadjustFeesResponse

    var clientIDs: [String]
    /// The percentage in ten-thousandths of a percent: 4.87 % is 48,700.
    var scaledPercent: Int64
    /// As given, "." for the decimal mark.
    var percentText: String
    var from: Competence
    var indexName: String
    var idempotencyKey: String
    var fingerprint: String

    /// Validates every field at once (INVALID_ARGUMENT naming each).
    init(_ request: Conton_Fees_V1_ReadjustFeesRequest) throws {
        var errors = FieldErrors()
        let ids = FeeGeneration.distinctClientIDs(request.clientIds, per: "readjustment", into: &errors)
        let percent = Self.parsePercent(request.percent)
        if request.percent.isEmpty {
            errors.add("percent", "is required, e.g. \"4.87\"")
        } else if percent == nil {
            errors.add("percent", "must be a decimal with at most 4 places, e.g. \"4.87\" or \"-0,5\"")
        } else if let percent, percent == 0 || percent <= -1_000_000 || percent > 1_000_000 {
            errors.add("percent", "must be more than -100 and at most 100, and not 0")
        }
        let from = Competence(request.fromMonth)
        if request.fromMonth.isEmpty {
            errors.add("from_month", "is required (YYYY-MM)")
        } else if from == nil {
            errors.add("from_month", "must be a month YYYY-MM, e.g. 2027-01")
        }
        let indexName = request.indexName.trimmingCharacters(in: .whitespacesAndNewlines)
        if indexName.count > 100 { errors.add("index_name", "must be at most 100 characters") }
        if request.idempotencyKey.count > 200 { errors.add("idempotency_key", "must be at most 200 characters") }
        try errors.check()
        clientIDs = ids
        scaledPercent = percent!
        percentText = Self.text(percent!)
        self.from = from!
        self.indexName = indexName
        idempotencyKey = request.idempotencyKey
        var canonical = request
        canonical.idempotencyKey = ""
        fingerprint = Data(canonical.serializedBytes()).base64EncodedString()
    }

    /// "4.87", "4,87", "-0.5", "+10" → ten-thousandths of a percent; nil when not such a decimal.
    static func parsePercent(_ text: String) -> Int64? {
        var s = Substring(text.trimmingCharacters(in: .whitespaces))
        var sign: Int64 = 1
        if s.first == "-" || s.first == "+" {
            if s.first == "-" { sign = -1 }
            s = s.dropFirst()
        }
        let parts = s.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            .flatMap { $0.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false) }
        guard (1...2).contains(parts.count), let whole = parts.first, (1...3).contains(whole.count),
              whole.allSatisfy({ $0.isASCII && $0.isNumber }), let w = Int64(whole) else { return nil }
        var fraction: Int64 = 0
        if parts.count == 2 {
            let f = parts[1]
            guard (1...4).contains(f.count), f.allSatisfy({ $0.isASCII && $0.isNumber }), let v = Int64(f) else { return nil }
            fraction = v * [1, 1000, 100, 10, 1][f.count]
        }
        return sign * (w * 10_000 + fraction)
    }

    /// Ten-thousandths of a percent as the shortest decimal: 48,700 → "4.87".
    static func text(_ scaled: Int64) -> String {
        let magnitude = scaled.magnitude
        var fraction = String(magnitude % 10_000)
        fraction = String(repeating: "0", count: 4 - fraction.count) + fraction
        while fraction.last == "0" { fraction.removeLast() }
        return (scaled < 0 ? "-" : "") + String(magnitude / 10_000) + (fraction.isEmpty ? "" : "." + fraction)
    }

    /// `previous` × (1 + percent/100) to the centavo, rounded half up: exact integer arithmetic
    /// (centavos × (10⁶ + ten-thousandths of a percent) / 10⁶), never floating point.
    static func readjusted(_ previous: Int64, scaledPercent: Int64) -> Int64 {
        let product = previous * (1_000_000 + scaledPercent)   // ≤ 10¹² × 2·10⁶: within Int64
        return (product + 500_000) / 1_000_000
    }

    /// The stored answer for this idempotency key (marked replayed), nil when new or empty.
    func replay(in db: Database) throws -> Response? {
        guard !idempotencyKey.isEmpty,
              let row = try Row.fetchOne(db, sql: "SELECT request_hash, response FROM fees_readjustment WHERE idempotency_key = ?",
                                         arguments: [idempotencyKey]) else { return nil }
        guard (row["request_hash"] as String) == fingerprint else {
            throw FieldErrors.single("idempotency_key", "was already used for a different readjustment request")
        }
        var response = try Response(serializedBytes: row["response"] as Data)
        response.replayed = true
        return response
    }

    /// Readjusts in the caller's transaction: each client's registration, its change in the
    /// history, one audit row per client (by the clients plugin) and one for the whole, and the
    /// `fees.readjusted` event.
    func run(in m: inout Mutation) throws -> Response {
        if let replayed = try replay(in: m.db) { return replayed }
        let db = m.db
        let clients = try m.capabilities.clients
        let defaults = try clients.feeDefaults(clientIDs, in: db)
        let schedule = try FeeSchedule(clientIDs, in: db)
        let from = from.description
        var errors = FieldErrors()
        for (i, id) in clientIDs.enumerated() {
            guard let client = defaults[id] else {
                errors.add("client_ids[\(i)]", "client \(id) not found")
                continue
            }
            if let latest = schedule.latestChange(of: id), latest >= from {
                errors.add("client_ids[\(i)]", "client \(id) (\(client.name)) was already readjusted from \(latest); a readjustment must start after it")
            }
            if Self.readjusted(client.monthlyFeeCents, scaledPercent: scaledPercent) > Money.maxCents {
                errors.add("client_ids[\(i)]", "client \(id) (\(client.name)) would pass \(Money.formatted(Money.maxCents))")
            }
        }
        try errors.check()

        try db.execute(sql: "INSERT INTO fees_readjustment (idempotency_key, request_hash, created_at_ms) VALUES (?, ?, ?)",
                       arguments: [idempotencyKey.isEmpty ? nil : idempotencyKey, fingerprint, m.now])
        let readjustmentID = db.lastInsertedRowID
        let insert = try db.cachedStatement(sql: """
            INSERT INTO fees_fee_change (readjustment_id, client_id, client_name, effective_from, previous_cents, new_cents, percent,
                                         index_name, created_at_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        var response = Response()
        response.readjustmentId = String(readjustmentID)
        let why = "readjustment \(readjustmentID), \(percentText) %" + (indexName.isEmpty ? "" : " (\(indexName))") + " from \(from)"
        var changed: [String] = []
        for id in clientIDs {
            let client = defaults[id]!
            var skip = Conton_Fees_V1_ReadjustmentSkip()
            skip.clientId = id
            if client.archived {
                skip.reason = "ARCHIVED"
                response.skipped.append(skip)
                continue
            }
            if client.monthlyFeeCents <= 0 {
                skip.reason = "NO_MONTHLY_FEE"
                response.skipped.append(skip)
                continue
            }
            let previous = client.monthlyFeeCents
            let new = Self.readjusted(previous, scaledPercent: scaledPercent)
            try insert.execute(arguments: [readjustmentID, id, client.name, from, previous, new, percentText, indexName, m.now])
            try clients.setMonthlyFee(of: id, to: new, why: why, in: &m)
            var change = Conton_Fees_V1_FeeChange()
            change.id = String(db.lastInsertedRowID)
            change.clientId = id
            change.clientName = client.name
            change.effectiveFrom = from
            change.previousCents = previous
            change.newCents = new
            change.percent = percentText
            change.indexName = indexName
            change.readjustmentId = String(readjustmentID)
            change.createdAtMs = m.now
            response.changes.append(change)
            response.previousTotalCents += previous
            response.newTotalCents += new
            changed.append(id)
        }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: changed), as: UTF8.self)
        response.generatedFeesKept = Int32(try Int.fetchOne(db, sql: """
            SELECT count(*) FROM fees_fee f JOIN fees_receivable r ON r.id = f.id
            WHERE f.cancelled_at_ms IS NULL AND r.status = 1 AND f.competence >= ? AND f.client_id IN (SELECT value FROM json_each(?))
            """, arguments: [from, json]) ?? 0)
        try db.execute(sql: "UPDATE fees_readjustment SET response = ? WHERE id = ?",
                       arguments: [Data(response.serializedBytes()), readjustmentID])
        m.audit("fee_readjustment", String(readjustmentID),
                "readjusted \(changed.count) clients' monthly fee by \(percentText) %" + (indexName.isEmpty ? "" : " (\(indexName))") +
                " from \(from): \(Money.formatted(response.previousTotalCents)) → \(Money.formatted(response.newTotalCents))" +
                " (\(response.skipped.count) skipped)")
        try m.publish(FeesReadjusted(readjustmentID: String(readjustmentID), clients: changed.count, percent: percentText,
                                     fromMonth: from, previousTotalCents: response.previousTotalCents,
                                     newTotalCents: response.newTotalCents))
        return response
    }
}
