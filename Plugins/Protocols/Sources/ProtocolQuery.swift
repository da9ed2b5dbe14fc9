import ContonAPI
import ContonKit
import GRDB

/// ListProtocols as SQL. Staff: newest first (by id). A client: its own, no drafts, in the
/// portal's order (unseen first, then newest sent first) over the `protocols_protocol_portal`
/// index.
struct ProtocolQuery {
    var sql: String
    var arguments: StatementArguments
    let portal: Bool

    init(_ r: Conton_Protocols_V1_ListProtocolsRequest, scope: ClientScope, page: Pagination, today: String) throws {
        var errors = FieldErrors()
        var conditions: [String] = []
        var args: [(any DatabaseValueConvertible)?] = []
        portal = scope != .all
        switch scope {
        case .all:
            if !r.clientId.isEmpty { conditions.append("p.client_id = ?"); args.append(r.clientId) }
        case .only(let clientID):
            conditions.append("p.client_id = ? AND p.portal_sort IS NOT NULL"); args.append(clientID)
        }
        if !r.documentTypeId.isEmpty {
            if let id = Int64(r.documentTypeId) {
                conditions.append("EXISTS (SELECT 1 FROM protocols_item i WHERE i.protocol_id = p.id AND i.doc_type_id = ?)"); args.append(id)
            } else { errors.add("document_type_id", "must be a document type id") }
        }
        if !r.competence.isEmpty {
            if Competence(r.competence) != nil {
                conditions.append("EXISTS (SELECT 1 FROM protocols_item i WHERE i.protocol_id = p.id AND i.competence = ?)"); args.append(r.competence)
            } else { errors.add("competence", "must be a month YYYY-MM") }
        }
        if !r.statuses.isEmpty {
            var values: [Int32] = []
            for (i, s) in r.statuses.enumerated() {
                switch s {
                case .unspecified, .unrecognized: errors.add("statuses[\(i)]", "must be a protocol status")
                default: values.append(s.rawValue)
                }
            }
            conditions.append("p.status IN (\(values.map(String.init).joined(separator: ",")))")
        }
        let from = r.due.from, to = r.due.to
        if !from.isEmpty && CivilDate(from) == nil { errors.add("due.from", "must be a date YYYY-MM-DD") }
        if !to.isEmpty && CivilDate(to) == nil { errors.add("due.to", "must be a date YYYY-MM-DD") }
        if !from.isEmpty || !to.isEmpty {
            conditions.append("EXISTS (SELECT 1 FROM protocols_item i WHERE i.protocol_id = p.id AND i.due_date <> '' AND i.due_date >= ? AND i.due_date <= ?)")
            args.append(from.isEmpty ? "0000-01-01" : from)
            args.append(to.isEmpty ? "9999-12-31" : to)
        }
        if r.overdueUnacknowledged {
            conditions.append("p.status IN (2, 3) AND p.first_due_date <> '' AND p.first_due_date < ?"); args.append(today)
        }
        if r.unseen { conditions.append("p.status = 2") }
        try errors.check()
        if let after = page.after {
            if portal {
                let parts = after.split(separator: ":")
                guard parts.count == 2, let sort = Int64(parts[0]), let id = Int64(parts[1]) else {
                    throw FieldErrors.single("page_token", "is not a token from a previous page")
                }
                conditions.append("(p.portal_sort, p.id) > (?, ?)"); args += [sort, id]
            } else {
                guard let id = Int64(after) else { throw FieldErrors.single("page_token", "is not a token from a previous page") }
                conditions.append("p.id < ?"); args.append(id)
            }
        }
        let order = portal ? "p.portal_sort, p.id" : "p.id DESC"
        sql = "SELECT \(ProtocolStore.columns("p")) FROM protocols_protocol p WHERE \(conditions.isEmpty ? "1" : conditions.joined(separator: " AND ")) ORDER BY \(order) LIMIT \(page.size)"
        arguments = StatementArguments(args)
    }

    /// The page key of the last row.
    func cursor(_ row: Row) -> String {
        let id: Int64 = row[ProtocolStore.Column.id.rawValue]
        return portal ? "\(row[ProtocolStore.Column.portalSort.rawValue] as Int64):\(id)" : String(id)
    }
}
