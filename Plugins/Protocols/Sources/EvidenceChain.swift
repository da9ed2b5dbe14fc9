import ContonAPI
import ContonKit
import ContonStore
import GRDB

/// The evidence log (`protocols_evidence`): append-only entries, one hash chain per protocol.
///
/// An entry's `sha256` is the SHA-256 (lower-case hex) of its canonical form: the line
/// `conton.protocols.evidence.v1`, then every field as `<UTF-8 byte count>:<value>` followed by a
/// line feed, in this order — protocol id, sequence, at_ms, action number, principal kind, id and
/// name, peer, user agent, item id, file SHA-256, detail, previous entry's sha256 ("" for the
/// first). The protocol row keeps the count and the last hash (the head), so a removed tail is
/// found too.
enum EvidenceChain {
    typealias Entry = Conton_Protocols_V1_EvidenceEntry
    typealias Action = Conton_Protocols_V1_EvidenceAction

    /// What an entry records besides who and when.
    struct Fact: Sendable {
        var action: Action
        var itemID = ""
        var fileSHA256 = ""
        var detail = ""
    }

    static func canonical(protocolID: Int64, _ e: Entry) -> String {
        let fields = [String(protocolID), String(e.sequence), String(e.atMs), String(e.action.rawValue), e.principalKind, e.principalId,
                      e.principalName, e.peer, e.userAgent, e.itemId, e.fileSha256, e.detail, e.previousSha256]
        var s = "conton.protocols.evidence.v1\n"
        for f in fields { s += "\(f.utf8.count):\(f)\n" }
        return s
    }

    static func hash(protocolID: Int64, _ e: Entry) -> String {
        SHA256.hex(Array(canonical(protocolID: protocolID, e).utf8))
    }

    /// Appends `facts` to protocol `id`'s chain, as the current caller (or the system), and
    /// moves the protocol's head. Inside the caller's transaction.
    static func append(_ facts: [Fact], to id: Int64, in m: inout Mutation) throws {
        guard !facts.isEmpty else { return }
        let call = CallIdentity.current
        let principal = call?.principal
        guard let head = try Row.fetchOne(try m.db.cachedStatement(sql: "SELECT evidence_count, evidence_head FROM protocols_protocol WHERE id = ?"),
                                          arguments: [id]) else { return }
        let insert = try m.db.cachedStatement(sql: """
            INSERT INTO protocols_evidence (protocol_id, sequence, at_ms, action, principal_kind, principal_id, principal_name, peer,
              user_agent, item_id, file_sha256, detail, previous_sha256, sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        var count: Int32 = head["evidence_count"]
        var previous: String = head["evidence_head"]
        for fact in facts {
            var e = Entry()
            count += 1
            e.sequence = count
            e.atMs = m.now
            e.action = fact.action
            e.principalKind = principal?.kind ?? "system"
            e.principalId = principal?.id ?? ""
            e.principalName = principal?.displayName ?? "ContOn"
            e.peer = call?.peer ?? ""
            e.userAgent = call?.userAgent ?? ""
            e.itemId = fact.itemID
            e.fileSha256 = fact.fileSHA256
            e.detail = fact.detail
            e.previousSha256 = previous
            e.sha256 = hash(protocolID: id, e)
            try insert.execute(arguments: [id, e.sequence, e.atMs, e.action.rawValue, e.principalKind, e.principalId, e.principalName, e.peer,
                                 e.userAgent, e.itemId, e.fileSha256, e.detail, e.previousSha256, e.sha256])
            previous = e.sha256
        }
        try m.db.cachedStatement(sql: "UPDATE protocols_protocol SET evidence_count = ?, evidence_head = ? WHERE id = ?")
            .execute(arguments: [count, previous, id])
    }

    static func entries(of id: Int64, in db: Database) throws -> [Entry] {
        try Row.fetchAll(db, sql: "SELECT * FROM protocols_evidence WHERE protocol_id = ? ORDER BY sequence", arguments: [id]).map { row in
            var e = Entry()
            e.sequence = row["sequence"]
            e.atMs = row["at_ms"]
            e.action = Action(rawValue: row["action"])
            e.principalKind = row["principal_kind"]
            e.principalId = row["principal_id"]
            e.principalName = row["principal_name"]
            e.peer = row["peer"]
            e.userAgent = row["user_agent"]
            e.itemId = row["item_id"]
            e.fileSha256 = row["file_sha256"]
            e.detail = row["detail"]
            e.previousSha256 = row["previous_sha256"]
            e.sha256 = row["sha256"]
            return e
        }
    }

    /// Recomputes protocol `id`'s chain against its stored entries and the protocol's head.
    static func verify(_ id: Int64, count: Int32, head: String, in db: Database) throws -> Conton_Protocols_V1_VerifyEvidenceResponse {
        let entries = try entries(of: id, in: db)
        var r = Conton_Protocols_V1_VerifyEvidenceResponse()
        r.entries = Int32(entries.count)
        r.headSha256 = entries.last?.sha256 ?? ""
        var previous = ""
        for (i, e) in entries.enumerated() {
            let expected = Int32(i + 1)
            var problem: String?
            if e.sequence != expected {
                problem = "entry \(expected) is missing (the next stored entry is \(e.sequence))"
            } else if e.previousSha256 != previous {
                problem = "entry \(e.sequence) does not name the previous entry's hash"
            } else if hash(protocolID: id, e) != e.sha256 {
                problem = "entry \(e.sequence)'s content does not match its hash: it was altered"
            }
            if let problem {
                r.firstBadSequence = expected
                r.problem = problem
                return r
            }
            previous = e.sha256
        }
        if Int32(entries.count) != count || previous != head {
            r.problem = "the chain has \(entries.count) entries ending in '\(previous)'; the protocol recorded \(count) ending in '\(head)': entries were removed or added"
            return r
        }
        r.intact = true
        return r
    }
}
