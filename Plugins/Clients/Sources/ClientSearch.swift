import ContonAPI
import ContonBrazil
import ContonKit
import Foundation
import GRDB

/// The filter of `ListClients` and `ExportClients` as SQL over `clients_client`.
///
/// The free query is folded (lower case, accents removed) and split into words; every word must
/// occur somewhere in the names. Words of three characters or more go through the FTS5 trigram
/// index (substring match at index speed); shorter ones are checked with `instr` on the rows the
/// other conditions leave. Documents match by prefix of their normalised form (with or without
/// punctuation); e-mails by a case-insensitive part.
struct ClientSearch {
    var conditions: [String] = []
    var arguments: StatementArguments = []

    init(query: String = "", document: String = "", email: String = "",
         status: Conton_Clients_V1_StatusFilter, taxRegime: Conton_Clients_V1_TaxRegime) {
        switch status {
        case .archived: conditions.append("archived_at_ms IS NOT NULL")
        case .all: break
        default: conditions.append("archived_at_ms IS NULL")
        }
        if taxRegime != .unspecified {
            conditions.append("tax_regime = ?")
            _ = arguments.append(contentsOf: [taxRegime.rawValue])
        }
        let words = SearchKey.fold(query).split(separator: " ").map(String.init)
        let long = words.filter { $0.count >= 3 }
        if !long.isEmpty {
            // Each word a quoted FTS5 string (quotes doubled): a substring, not an expression.
            let match = long.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: " AND ")
            conditions.append("seq IN (SELECT rowid FROM clients_search WHERE clients_search MATCH ?)")
            _ = arguments.append(contentsOf: [match])
        }
        for word in words where word.count < 3 {
            conditions.append("instr(search_key, ?) > 0")
            _ = arguments.append(contentsOf: [word])
        }
        let documentKey = SearchKey.taxID(document)
        if !documentKey.isEmpty {
            // A prefix range on the unique index: ["123", "123\u{7F}").
            conditions.append("document >= ? AND document < ?")
            _ = arguments.append(contentsOf: [documentKey, documentKey + "\u{7F}"])
        } else if !document.trimmingCharacters(in: .whitespaces).isEmpty {
            conditions.append("0")
        }
        let emailKey = email.trimmingCharacters(in: .whitespaces).lowercased()
        if !emailKey.isEmpty {
            conditions.append("instr(email, ?) > 0")
            _ = arguments.append(contentsOf: [emailKey])
        }
    }

    var whereClause: String { conditions.isEmpty ? "1" : conditions.joined(separator: " AND ") }

    /// How many clients match, on all pages.
    func count(in db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT count(*) FROM clients_client WHERE \(whereClause)", arguments: arguments) ?? 0
    }

    /// One page in name order, after the (name key, id) cursor.
    func page(after cursor: (nameKey: String, id: String)?, limit: Int, in db: Database) throws -> [(client: Conton_Clients_V1_Client, nameKey: String)] {
        var sql = "SELECT \(ClientStore.columns), name_key FROM clients_client WHERE \(whereClause)"
        var args = arguments
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
