import ContonAPI
import ContonKit
import DocumentsCapability
import GRDB
import GRPCCore

extension PayablesService {
    /// "Imprimir resultado": the filter's payables as PDF or CSV through the documents layer.
    func exportPayables(request: Conton_Payments_V1_ExportPayablesRequest, response: RPCWriter<Conton_Documents_V1_DocumentChunk>,
                        context: ServerContext) async throws {
        let filter = request.filter
        var errors = FieldErrors()
        if filter.pageSize != 0 { errors.add("filter.page_size", "must be empty: a printed list has every match") }
        if !filter.pageToken.isEmpty { errors.add("filter.page_token", "must be empty: a printed list has every match") }
        if request.format != .unspecified && request.format != .pdf && request.format != .csv {
            errors.add("format", "must be DOCUMENT_FORMAT_PDF or DOCUMENT_FORMAT_CSV")
        }
        let today = self.today
        var built: PayableSearch?
        do {
            built = try PayableSearch(filter, today: today, prefix: "filter.")
        } catch let error as RPCError where error.code == .invalidArgument {
            for v in error.details?.fieldViolations ?? [] { errors.add(v.field, v.description) }
        }
        try errors.check()
        guard let search = built else { throw FieldErrors.single("filter", "is not a valid filter") }
        let limit = PayableDocuments.maxRows
        let (rows, totals, supplierName) = try await self.context.read { db in
            let totals = try search.totals(in: db)
            if totals.count > Int32(limit) {
                throw ServiceError(.failedPrecondition,
                                   "the filter covers \(DocumentFormat.grouped(totals.count, separator: ",")) payables; a printed list holds at most \(DocumentFormat.grouped(limit, separator: ",")): narrow the filter (period, status, supplier, text)",
                                   reason: "LIST_TOO_LONG")
            }
            let name = filter.supplierId.isEmpty ? nil : try SupplierStore.find(filter.supplierId, in: db)?.name
            return (try search.page(after: nil, limit: limit, in: db), totals, name)
        }
        let issuer = try self.context.capabilities.documents
        let subject = DocumentSubject("payables", "")
        let file: IssuedFile
        if request.format == .csv {
            file = try await issuer.issueCSV(PayableDocuments.csv(rows, totals: totals), kind: "payables-list", title: "Pagamentos",
                                             fileName: "pagamentos-\(today.description).csv", about: subject, for: context.principal)
        } else {
            let subtitle = PayableDocuments.describe(filter, period: search.period, supplierName: supplierName, today: today)
            file = try await issuer.issuePDF(PayableDocuments.pdf(rows, totals: totals, subtitle: subtitle, today: today),
                                             about: subject, for: context.principal)
        }
        try await file.write(to: response)
    }
}
