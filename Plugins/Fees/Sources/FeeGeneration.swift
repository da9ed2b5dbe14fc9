import ClientsCapability
import ContonBrazil
import ContonAPI
import ContonKit
import Foundation
import GRDB
import GRPCCore
import Synchronization

/// A validated GenerateFees request: which clients, which months, what overrides, and whether
/// the 13th fee too.
struct FeeGeneration: Sendable {
    struct Thirteenth: Sendable {
        var year: Int
        var months: [Competence]
    }

    typealias Response = Conton_Fees_V1_GenerateFeesResponse

    static let maxClients = 5_000
    static let maxTimes = 120
    /// Skipped pairs listed one by one in the answer (the count covers all of them).
    static let maxSkippedListed = 1_000
    /// Progress is reported after every this many clients.
    static let progressEvery = 25

    var clientIDs: [String]
    /// The monthly fees' competences (empty when only the 13th fee is asked).
    var months: [Competence]
    /// The 13th fee: its year and its instalments' competences (one, December, when whole).
    var thirteenth: Thirteenth?
    var amountOverride: Int64
    var dueDayOverride: Int
    var template: String
    var idempotencyKey: String
    /// The request's content without its key (its serialized bytes, base64), to tell a replay
    /// from a different request under the same key.
    var fingerprint: String

    /// `client_ids` without duplicates; an empty list, an empty id or more than ``maxClients``
    /// named in `errors` (a batch `what`: "generation", "readjustment").
    static func distinctClientIDs(_ raw: [String], per what: String, into errors: inout FieldErrors) -> [String] {
        var seen = Set<String>()
        var ids: [String] = []
        if raw.isEmpty { errors.add("client_ids", "at least one client is required") }
        if raw.count > maxClients { errors.add("client_ids", "at most \(maxClients) clients per \(what) (got \(raw.count))") }
        for (i, id) in raw.enumerated() {
            if id.isEmpty { errors.add("client_ids[\(i)]", "is empty") } else if seen.insert(id).inserted { ids.append(id) }
        }
        return ids
    }

    /// Validates every field at once (INVALID_ARGUMENT naming each).
    init(_ request: Conton_Fees_V1_GenerateFeesRequest) throws {
        var errors = FieldErrors()
        let ids = Self.distinctClientIDs(request.clientIds, per: "generation", into: &errors)
        let start = Competence(request.startMonth)
        let wantsThirteenth = request.thirteenth.year != 0
        if request.startMonth.isEmpty {
            if !wantsThirteenth { errors.add("start_month", "is required (YYYY-MM), unless thirteenth is set") }
        } else if start == nil {
            errors.add("start_month", "must be a month YYYY-MM, e.g. 2018-01")
        }
        var times = 1
        if request.repeat {
            if !(1...Self.maxTimes).contains(Int(request.times)) {
                errors.add("times", "must be 1–\(Self.maxTimes) when repeat is true")
            } else {
                times = Int(request.times)
            }
        }
        if request.amountCents < 0 { errors.add("amount_cents", "must not be negative") }
        if request.amountCents > Money.maxCents { errors.add("amount_cents", "must be at most \(Money.formatted(Money.maxCents))") }
        if request.dueDay != 0 && !(1...31).contains(request.dueDay) { errors.add("due_day", "must be 1–31 (0: the client's)") }
        let template = request.descriptionTemplate.trimmingCharacters(in: .whitespacesAndNewlines)
        if let problem = DescriptionTemplate.problem(template) { errors.add("description_template", problem) }
        if request.idempotencyKey.count > 200 { errors.add("idempotency_key", "must be at most 200 characters") }
        var months: [Competence] = []
        if let start {
            for n in 0..<times {
                guard let month = start.adding(months: n) else {
                    errors.add("times", "goes past year 9999")
                    break
                }
                months.append(month)
            }
        }
        var thirteenth: Thirteenth?
        if wantsThirteenth {
            let t = request.thirteenth
            let n = t.instalments == 0 ? 1 : Int(t.instalments)
            if !(2000...9999).contains(t.year) { errors.add("thirteenth.year", "must be a year 2000–9999 (0: no 13th fee)") }
            if !(1...12).contains(n) { errors.add("thirteenth.instalments", "must be 1–12 (0: one, in December)") }
            var first: Competence?
            if !t.firstMonth.isEmpty {
                first = Competence(t.firstMonth)
                if first == nil { errors.add("thirteenth.first_month", "must be a month YYYY-MM, e.g. 2027-10") }
                if n == 1 && first != nil && t.firstMonth != "\(t.year)-12" {
                    errors.add("thirteenth.first_month", "a 13th fee in one payment is December's (\(t.year)-12); give instalments to charge it earlier")
                }
            } else if (2000...9999).contains(t.year), (1...12).contains(n) {
                first = Competence(year: Int(t.year), month: 12 - (n - 1))
            }
            if let first, (1...12).contains(n) {
                let instalmentMonths = (0..<n).compactMap { first.adding(months: $0) }
                if instalmentMonths.count == n {
                    thirteenth = Thirteenth(year: Int(t.year), months: instalmentMonths)
                } else {
                    errors.add("thirteenth.first_month", "its instalments go past year 9999")
                }
            }
        }
        try errors.check()
        clientIDs = ids
        self.thirteenth = thirteenth
        self.months = months
        amountOverride = request.amountCents
        dueDayOverride = Int(request.dueDay)
        self.template = template
        idempotencyKey = request.idempotencyKey
        var canonical = request
        canonical.idempotencyKey = ""
        fingerprint = Data(canonical.serializedBytes()).base64EncodedString()
    }

    /// The stored answer of an earlier generation with this idempotency key (marked replayed),
    /// nil when the key is new or empty; INVALID_ARGUMENT when the key was used for a different
    /// request.
    func replay(in db: Database) throws -> Response? {
        guard !idempotencyKey.isEmpty,
              let row = try Row.fetchOne(db, sql: "SELECT request_hash, response FROM fees_generation WHERE idempotency_key = ?",
                                         arguments: [idempotencyKey]) else { return nil }
        guard (row["request_hash"] as String) == fingerprint else {
            throw FieldErrors.single("idempotency_key", "was already used for a different generation request")
        }
        var response = try Response(serializedBytes: row["response"] as Data)
        response.replayed = true
        return response
    }

    /// Generates the fees in the caller's transaction. `progress(clientsDone, createdSoFar)` is
    /// called every ``progressEvery`` clients; `cancellation` is checked before each client and
    /// throws CancellationError (rolling the transaction back) once set.
    func run(in m: inout Mutation, progress: @Sendable (Int, Int) -> Void = { _, _ in },
             cancellation: CancellationFlag? = nil) throws -> Response {
        if let replayed = try replay(in: m.db) { return replayed }
        let db = m.db
        let defaults = try m.capabilities.clients.feeDefaults(clientIDs, in: db)
        var errors = FieldErrors()
        for (i, id) in clientIDs.enumerated() {
            guard let client = defaults[id] else {
                errors.add("client_ids[\(i)]", "client \(id) not found")
                continue
            }
            if client.archived { errors.add("client_ids[\(i)]", "client \(id) (\(client.name)) is archived") }
            if amountOverride == 0 && client.monthlyFeeCents > Money.maxCents {
                errors.add("client_ids[\(i)]", "client \(id) (\(client.name)) has a default monthly fee above \(Money.formatted(Money.maxCents))")
            }
            if amountOverride == 0 && client.monthlyFeeCents <= 0 {
                errors.add("client_ids[\(i)]", "client \(id) (\(client.name)) has no default monthly fee; give amount_cents")
            }
        }
        try errors.check()
        let schedule = try FeeSchedule(clientIDs, in: db)
        if let thirteenth {
            for (i, id) in clientIDs.enumerated() {
                let amount = amountOverride > 0 ? amountOverride
                    : schedule.amount(of: id, current: defaults[id]!.monthlyFeeCents, for: "\(thirteenth.year)-12")
                if amount < Int64(thirteenth.months.count) {
                    errors.add("client_ids[\(i)]", "client \(id): a 13th fee of \(Money.formatted(amount)) cannot be split in \(thirteenth.months.count) instalments")
                }
            }
            try errors.check()
        }
        let settings = try FeeSettingsStore.read(in: db)
        let template = template.isEmpty ? settings.defaultDescriptionTemplate : template
        let covered = (months + (thirteenth?.months ?? [])).map(\.description).sorted()
        let first = covered.first!, last = covered.last!

        // Fees that already exist in the range, by client and competence.
        var existing: [String: [String: Int64]] = [:]
        let idsJSON = String(decoding: try JSONSerialization.data(withJSONObject: clientIDs), as: UTF8.self)
        if let m0 = months.first, let m1 = months.last {
            let rows = try Row.fetchCursor(db, sql: """
                SELECT id, client_id, competence FROM fees_fee
                WHERE cancelled_at_ms IS NULL AND kind = 1 AND competence BETWEEN ? AND ? AND client_id IN (SELECT value FROM json_each(?))
                """, arguments: [m0.description, m1.description, idsJSON])
            while let row = try rows.next() {
                existing[row["client_id"], default: [:]][row["competence"]] = row["id"]
            }
        }
        // Clients whose 13th fee of that year exists (any instalment): theirs is skipped whole.
        var existingThirteenth: [String: (id: Int64, competence: String)] = [:]
        if let thirteenth {
            let rows = try Row.fetchCursor(db, sql: """
                SELECT client_id, id, competence FROM fees_fee
                WHERE cancelled_at_ms IS NULL AND kind = 2 AND thirteenth_year = ? AND client_id IN (SELECT value FROM json_each(?))
                ORDER BY client_id, instalment DESC
                """, arguments: [thirteenth.year, idsJSON])
            // The lowest instalment still standing, per client.
            while let row = try rows.next() { existingThirteenth[row["client_id"]] = (row["id"], row["competence"]) }
        }

        try db.execute(sql: "INSERT INTO fees_generation (idempotency_key, request_hash, created_at_ms) VALUES (?, ?, ?)",
                       arguments: [idempotencyKey.isEmpty ? nil : idempotencyKey, fingerprint, m.now])
        let generationID = db.lastInsertedRowID
        var nextID = (try Int64.fetchOne(db, sql: "SELECT max(id) FROM fees_receivable") ?? 0) + 1
        let insertReceivable = try db.cachedStatement(sql: ReceivableStore.insertSQL)
        let insertFee = try db.cachedStatement(sql: """
            INSERT INTO fees_fee (id, client_id, competence, amount_cents, due_date, description, generation_id, created_at_ms,
                                  kind, thirteenth_year, instalment, instalments)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let competenceTexts = months.map(\.description)
        let needsClientName = template.contains("{cliente}")
        // Descriptions that do not name the client are the same for every client: render once.
        let sharedDescriptions = needsClientName ? [] : months.map { DescriptionTemplate.render(template, competence: $0, clientName: "") }
        let sharedDescriptionKeys = sharedDescriptions.map { SearchKey.fold($0) }

        var response = Response()
        var created = 0, skipped = 0, thirteenthCreated = 0
        var total: Int64 = 0
        let now = m.now
        for (done, id) in clientIDs.enumerated() {
            if let cancellation, cancellation.isCancelled { throw CancellationError() }
            if done > 0 && done % Self.progressEvery == 0 { progress(done, created) }
            let client = defaults[id]!
            let dueDay = dueDayOverride > 0 ? dueDayOverride : (client.feeDueDay > 0 ? client.feeDueDay : Int(settings.defaultDueDay))
            let clientKey = ReceivableStore.clientKey(name: client.name, document: client.document)
            let had = existing[id]
            for (i, month) in months.enumerated() {
                if let existingID = had?[competenceTexts[i]] {
                    skipped += 1
                    if response.skipped.count < Self.maxSkippedListed {
                        var s = Conton_Fees_V1_SkippedFee()
                        s.clientId = id
                        s.competence = competenceTexts[i]
                        s.existingFeeId = String(existingID)
                        response.skipped.append(s)
                    }
                    continue
                }
                let description: String, searchKey: String
                if needsClientName {
                    description = DescriptionTemplate.render(template, competence: month, clientName: client.name)
                    searchKey = clientKey + " \u{2022} " + SearchKey.fold(description)
                } else {
                    description = sharedDescriptions[i]
                    searchKey = clientKey + " \u{2022} " + sharedDescriptionKeys[i]
                }
                let amount = amountOverride > 0 ? amountOverride
                    : schedule.amount(of: id, current: client.monthlyFeeCents, for: competenceTexts[i])
                let due = month.dueDate(day: dueDay, followingMonth: settings.dueInFollowingMonth).description
                try insertReceivable.execute(arguments: [nextID, id, client.name, client.document, nextID, competenceTexts[i],
                                                         description, amount, due, "", searchKey, now, now])
                try insertFee.execute(arguments: [nextID, id, competenceTexts[i], amount, due, description, generationID, now, 1, 0, 0, 0])
                nextID += 1
                created += 1
                total += amount
            }
            if let thirteenth {
                let n = thirteenth.months.count
                if let existingFee = existingThirteenth[id] {
                    skipped += 1
                    if response.skipped.count < Self.maxSkippedListed {
                        var s = Conton_Fees_V1_SkippedFee()
                        s.clientId = id
                        s.competence = existingFee.competence
                        s.existingFeeId = String(existingFee.id)
                        s.thirteenth = true
                        response.skipped.append(s)
                    }
                    continue
                }
                let whole = amountOverride > 0 ? amountOverride
                    : schedule.amount(of: id, current: client.monthlyFeeCents, for: "\(thirteenth.year)-12")
                for (k, month) in thirteenth.months.enumerated() {
                    // Centavos split exactly: the remainder goes to the first instalments.
                    let amount = whole / Int64(n) + (Int64(k) < whole % Int64(n) ? 1 : 0)
                    let description = n == 1 ? "13º honorário \(thirteenth.year)" : "13º honorário \(thirteenth.year) (parcela \(k + 1)/\(n))"
                    let searchKey = clientKey + " \u{2022} " + SearchKey.fold(description)
                    let due = month.dueDate(day: dueDay, followingMonth: settings.dueInFollowingMonth).description
                    try insertReceivable.execute(arguments: [nextID, id, client.name, client.document, nextID, month.description,
                                                             description, amount, due, "", searchKey, now, now])
                    try insertFee.execute(arguments: [nextID, id, month.description, amount, due, description, generationID, now,
                                                      2, thirteenth.year, k + 1, n])
                    nextID += 1
                    created += 1
                    thirteenthCreated += 1
                    total += amount
                }
            }
        }
        progress(clientIDs.count, created)

        response.generationId = String(generationID)
        response.created = Int32(created)
        response.skippedCount = Int32(skipped)
        response.totalCents = total
        response.thirteenthCreated = Int32(thirteenthCreated)
        response.firstCompetence = first
        response.lastCompetence = last
        try db.execute(sql: "UPDATE fees_generation SET response = ?, created = ?, skipped = ? WHERE id = ?",
                       arguments: [Data(response.serializedBytes()), created, skipped, generationID])
        m.audit("fee_generation", String(generationID),
                "generated \(created) fees for \(clientIDs.count) clients, \(first)…\(last) (\(skipped) skipped)")
        try m.publish(FeesGenerated(generationID: String(generationID), clients: clientIDs.count, created: created, skipped: skipped,
                                    firstCompetence: first, lastCompetence: last, totalCents: total))
        return response
    }
}

/// Set from a task's cancellation handler, read by synchronous database work that cannot see the
/// task (it runs on the database's writer queue).
final class CancellationFlag: Sendable {
    private let flag = Mutex(false)
    var isCancelled: Bool { flag.withLock { $0 } }
    func cancel() { flag.withLock { $0 = true } }
}
