import ContonAPI
import ContonKit
import GRDB
import GRPCCore

/// `GetClientReport`: a client's attendances and minutes per month, in the office's time zone
/// (UTC−3): attendances opened in each month (and of those, how many are closed or cancelled now),
/// and the minutes staff recorded in each month on any of the client's attendances.
extension AttendancesService {
    /// The longest period one report covers.
    static let maxReportMonths = 36

    func getClientReport(request: Conton_Attendances_V1_ClientReportRequest, context: ServerContext) async throws -> Conton_Attendances_V1_ClientReportResponse {
        var errors = FieldErrors()
        if request.clientId.isEmpty { errors.add("client_id", "is required") }
        let current = CivilDate.today(self.context.clock).competence
        let to = request.toMonth.isEmpty ? current : Competence(request.toMonth)
        if to == nil { errors.add("to_month", "must be a month YYYY-MM") }
        let from = request.fromMonth.isEmpty ? to?.adding(months: -11) : Competence(request.fromMonth)
        if from == nil && !request.fromMonth.isEmpty { errors.add("from_month", "must be a month YYYY-MM") }
        try errors.check()
        guard let from, let to else { throw FieldErrors.single("to_month", "must be a month YYYY-MM") }
        var months: [Competence] = []
        var m = from
        while m <= to, months.count <= Self.maxReportMonths {
            months.append(m)
            guard let next = m.adding(months: 1) else { break }
            m = next
        }
        if from > to { throw FieldErrors.single("from_month", "must not be after to_month") }
        if months.count > Self.maxReportMonths { throw FieldErrors.single("from_month", "a report covers at most \(Self.maxReportMonths) months") }
        let clients = self.clients, monthList = months
        return try await self.context.read { db in
            _ = try clients.require(request.clientId, field: "client_id", in: db)
            // Months of instants in the office's zone: UTC−3, no daylight saving time.
            let month = "strftime('%Y-%m', (%@ - 10800000) / 1000, 'unixepoch')"
            var opened: [String: (Int32, Int32)] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT \(month.replacingOccurrences(of: "%@", with: "opened_at_ms")) AS m, count(*), sum(status IN (4, 5))
                FROM attendances_attendance WHERE client_id = ? GROUP BY m
                """, arguments: [request.clientId]) {
                opened[row[0]] = (row[1], row[2])
            }
            var minutes: [String: Int64] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT \(month.replacingOccurrences(of: "%@", with: "t.at_ms")) AS m, sum(t.minutes)
                FROM attendances_thread_message t JOIN attendances_attendance a ON a.id = t.thread_id
                WHERE a.client_id = ? AND t.minutes > 0 GROUP BY m
                """, arguments: [request.clientId]) {
                minutes[row[0]] = row[1]
            }
            var r = Conton_Attendances_V1_ClientReportResponse()
            r.months = monthList.map { c in
                var report = Conton_Attendances_V1_MonthReport()
                report.month = c.description
                report.opened = opened[c.description]?.0 ?? 0
                report.closed = opened[c.description]?.1 ?? 0
                report.minutes = minutes[c.description] ?? 0
                return report
            }
            r.opened = r.months.reduce(0) { $0 + $1.opened }
            r.minutes = r.months.reduce(0) { $0 + $1.minutes }
            return r
        }
    }
}
