import ContonAPI
import ContonBrazil
import ContonKit
import Foundation
import GRDB

/// The filter of `ListClients` and `ExportClients` as SQL over `clients_client`.
///
/// The free query is folded (lower case, accents removed) and split into words; every word must
/// occur somewhere in the names (`search_key`). A trigram FTS5 phrase and `instr` on the folded
/// key are the same test (substring containment), so the plan can pick either:
///
/// - the FTS5 index first counts the rows matching the words of three characters or more (a
///   fraction of a millisecond to a few);
/// - few matches (≤ `denseThreshold`): the page joins those rows and sorts them;
/// - many matches: the page walks the name index and tests each row with `instr`, stopping at
///   the page size — at that density the page fills after a few hundred rows, where joining
///   tens of thousands of matches to sort them would take tens of milliseconds;
/// - the total is the FTS count, minus (or only) the archived rows that match, which are few.
///
/// Documents match by prefix of their normalised form (with or without punctuation); e-mails by
/// a case-insensitive part. docs/CLIENTS.md and docs/BENCHMARKS.md have the figures.
struct ClientSearch: Sendable {
    let status: Conton_Clients_V1_StatusFilter
    let taxRegime: Conton_Clients_V1_TaxRegime
    /// Folded words of 3+ characters (FTS5 trigram) and shorter ones (`instr` only).
    let longWords: [String]
    let shortWords: [String]
    let documentKey: String
    /// A document filter that normalises to nothing ("./-"): matches no client.
    let impossible: Bool
    let emailKey: String

    /// FTS matches above which a page scans in name order instead of sorting the matches.
    let denseThreshold: Int

    init(query: String = "", document: String = "", email: String = "",
         status: Conton_Clients_V1_StatusFilter, taxRegime: Conton_Clients_V1_TaxRegime, denseThreshold: Int = 3_000) {
        self.denseThreshold = denseThreshold
        self.status = status
        self.taxRegime = taxRegime
        let words = SearchKey.fold(query).split(separator: " ").map(String.init)
        longWords = words.filter { $0.count >= 3 }
        shortWords = words.filter { $0.count < 3 }
        documentKey = SearchKey.taxID(document)
        impossible = documentKey.isEmpty && !document.trimmingCharacters(in: .whitespaces).isEmpty
        emailKey = email.trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// The FTS5 expression: every long word a quoted string (quotes doubled), so the query is
    /// text, never FTS syntax.
    private var match: String {
        longWords.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: " AND ")
    }

    /// Only status and names: the count can come from the FTS index.
    private var namesOnly: Bool {
        taxRegime == .unspecified && documentKey.isEmpty && emailKey.isEmpty && shortWords.isEmpty && !impossible
    }

    /// The conditions; `byIndex` tests long words through the FTS index, else with `instr`.
    private func conditions(byIndex: Bool) -> (sql: String, arguments: StatementArguments) {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        switch status {
        case .archived: conditions.append("archived_at_ms IS NOT NULL")
        case .all: break
        default: conditions.append("archived_at_ms IS NULL")
        }
        if taxRegime != .unspecified {
            conditions.append("tax_regime = ?")
            _ = arguments.append(contentsOf: [taxRegime.rawValue])
        }
        if byIndex && !longWords.isEmpty {
            conditions.append("seq IN (SELECT rowid FROM clients_search WHERE clients_search MATCH ?)")
            _ = arguments.append(contentsOf: [match])
        }
        for word in (byIndex ? [] : longWords) + shortWords {
            conditions.append("instr(search_key, ?) > 0")
            _ = arguments.append(contentsOf: [word])
        }
        if !documentKey.isEmpty {
            // A prefix range on the unique index: ["123", "123\u{7F}").
            conditions.append("document >= ? AND document < ?")
            _ = arguments.append(contentsOf: [documentKey, documentKey + "\u{7F}"])
        }
        if impossible { conditions.append("0") }
        if !emailKey.isEmpty {
            conditions.append("instr(email, ?) > 0")
            _ = arguments.append(contentsOf: [emailKey])
        }
        return (conditions.isEmpty ? "1" : conditions.joined(separator: " AND "), arguments)
    }

    /// Rows the FTS index matches (all statuses); nil without long words.
    func indexMatches(in db: Database) throws -> Int? {
        guard !longWords.isEmpty else { return nil }
        return try Int.fetchOne(db, sql: "SELECT count(*) FROM clients_search WHERE clients_search MATCH ?", arguments: [match]) ?? 0
    }

    /// How many clients match, on all pages.
    func count(indexMatches: Int?, in db: Database) throws -> Int64 {
        if let indexMatches, namesOnly {
            if status == .all { return Int64(indexMatches) }
            var archived = "SELECT count(*) FROM clients_client WHERE archived_at_ms IS NOT NULL"
            for _ in longWords { archived += " AND instr(search_key, ?) > 0" }
            let archivedMatches = try Int.fetchOne(db, sql: archived, arguments: StatementArguments(longWords)) ?? 0
            return Int64(status == .archived ? archivedMatches : indexMatches - archivedMatches)
        }
        let (sql, arguments) = conditions(byIndex: true)
        return try Int64.fetchOne(db, sql: "SELECT count(*) FROM clients_client WHERE \(sql)", arguments: arguments) ?? 0
    }

    /// One page in name order, after the (name key, id) cursor.
    func page(after cursor: (nameKey: String, id: String)?, limit: Int, indexMatches: Int?,
              in db: Database) throws -> [(client: Conton_Clients_V1_Client, nameKey: String)] {
        let dense = (indexMatches ?? 0) > denseThreshold
        var (sql, args) = conditions(byIndex: !dense)
        sql = "SELECT \(ClientStore.columns), name_key FROM clients_client WHERE \(sql)"
        if let cursor {
            sql += " AND (name_key, id) > (?, ?)"
            _ = args.append(contentsOf: [cursor.nameKey, cursor.id])
        }
        sql += " ORDER BY name_key, id LIMIT ?"
        _ = args.append(contentsOf: [limit])
        return try Row.fetchAll(db, sql: sql, arguments: args).map { row in (try ClientStore.client(row), row["name_key"]) }
    }
}

/// Page tokens of ListClients: the last row's name key and id.
enum ClientCursor {
    static let separator: Character = "\u{1}"

    static func encode(nameKey: String, id: String) -> String { nameKey + String(separator) + id }

    static func decode(_ key: String) -> (nameKey: String, id: String)? {
        guard let i = key.lastIndex(of: separator) else { return nil }
        return (String(key[..<i]), String(key[key.index(after: i)...]))
    }
}
