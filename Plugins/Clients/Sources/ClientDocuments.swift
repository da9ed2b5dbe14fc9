import ContonAPI
import ContonBrazil
import ContonKit
import DocumentsCapability
import GRDB
import GRPCCore

/// The clients plugin's printed documents (docs/DOCUMENTS.md): the ficha, and the list of any
/// ListClients filter as PDF or CSV. Printed through the documents plugin's ``DocumentIssuer``;
/// without that plugin the methods answer UNIMPLEMENTED.
extension ClientsService {
    /// Clients one printed list takes.
    static let maxListedClients = 50_000

    private func issuer() throws -> any DocumentIssuer {
        guard let issuer = context.capabilities.optional((any DocumentIssuer).self) else {
            throw ServiceError(.unimplemented, "printing needs the documents plugin, which this server does not run",
                               reason: "DOCUMENTS_PLUGIN_MISSING")
        }
        return issuer
    }

    func printClientRecord(request: Conton_Clients_V1_GetClientRecordRequest,
                           response: RPCWriter<Conton_Documents_V1_DocumentChunk>, context: ServerContext) async throws {
        let issuer = try issuer()
        let record = try await record(of: request.clientId)
        let document = ClientSheet.document(record)
        let file = try await issuer.issuePDF(document, about: DocumentSubject("client", record.client.id, clientID: record.client.id),
                                             for: context.principal)
        try await file.write(to: response)
    }

    func exportClientList(request: Conton_Clients_V1_ExportClientListRequest,
                          response: RPCWriter<Conton_Documents_V1_DocumentChunk>, context: ServerContext) async throws {
        var errors = FieldErrors()
        if request.filter.pageSize != 0 { errors.add("filter.page_size", "must be empty: a printed list has every match") }
        if !request.filter.pageToken.isEmpty { errors.add("filter.page_token", "must be empty: a printed list has every match") }
        if request.format.rawValue > Conton_Documents_V1_DocumentFormat.csv.rawValue { errors.add("format", "is not a known format") }
        try errors.check()
        let issuer = try issuer()
        let f = request.filter
        let search = ClientSearch(query: f.query, document: f.document, email: f.email, status: f.status, taxRegime: f.taxRegime)
        let limit = Self.maxListedClients
        let clients = try await self.context.read { db -> [Conton_Clients_V1_Client] in
            let matches = try search.indexMatches(in: db)
            let total = try search.count(indexMatches: matches, in: db)
            guard total <= Int64(limit) else {
                throw ServiceError(.failedPrecondition,
                                   "the filter matches \(total) clients; a printed list takes at most \(limit): narrow the filter",
                                   reason: "LIST_TOO_LONG")
            }
            return try search.page(after: nil, limit: limit, indexMatches: matches, in: db).map(\.client)
        }
        let subject = DocumentSubject("clients")
        let file: IssuedFile
        if request.format == .csv {
            file = try await issuer.issueCSV(ClientSheet.csv(clients), kind: "clients-list", title: "Lista de clientes",
                                             fileName: "clientes.csv", about: subject, for: context.principal)
        } else {
            file = try await issuer.issuePDF(ClientSheet.list(clients, filter: f), about: subject, for: context.principal)
        }
        try await file.write(to: response)
    }
}

/// How a client reads on paper.
enum ClientSheet {
    static func personType(_ type: Conton_Clients_V1_PersonType) -> String {
        switch type {
        case .individual: "Pessoa física"
        case .company: "Pessoa jurídica"
        default: "—"
        }
    }

    static func taxRegime(_ regime: Conton_Clients_V1_TaxRegime) -> String {
        switch regime {
        case .mei: "MEI"
        case .simplesNacional: "Simples Nacional"
        case .lucroPresumido: "Lucro presumido"
        case .lucroReal: "Lucro real"
        case .imuneIsenta: "Imune/isenta"
        case .pessoaFisica: "Pessoa física"
        default: ""
        }
    }

    static func status(_ status: Conton_Clients_V1_ClientStatus) -> String {
        status == .archived ? "Arquivado" : "Ativo"
    }

    static func address(_ a: Conton_Clients_V1_Address) -> String {
        DocumentFormat.address(street: a.street, number: a.number, complement: a.complement, district: a.district, city: a.city,
                               uf: a.uf, cep: a.cep)
    }

    static func feeStatus(_ status: String) -> String {
        ["open": "em aberto", "overdue": "vencido", "paid": "pago", "cancelled": "cancelado"][status] ?? status
    }

    static func competence(_ yyyymm: String) -> String {
        let parts = yyyymm.split(separator: "-")
        return parts.count == 2 ? "\(parts[1])/\(parts[0])" : yyyymm
    }

    /// The ficha: every field of the record, portal access, last fee, open receivables.
    static func document(_ record: Conton_Clients_V1_ClientRecord) -> PrintedDocument {
        let c = record.client
        let company = c.personType == .company
        var identity = [
            PrintedField(company ? "Razão social" : "Nome", c.name),
            PrintedField(company ? "CNPJ" : "CPF", c.documentFormatted),
            PrintedField("Tipo", personType(c.personType)),
            PrintedField("Situação", status(c.status) + (c.status == .archived && c.archivedAtMs > 0
                ? " desde " + DocumentFormat.dateTime(milliseconds: c.archivedAtMs) : "")),
        ]
        if company {
            identity += [PrintedField("Nome fantasia", c.tradeName), PrintedField("Inscrição estadual", c.stateRegistration),
                         PrintedField("Inscrição municipal", c.municipalRegistration)]
        } else {
            identity.append(PrintedField("Data de nascimento", DocumentFormat.date(iso: c.birthDate)))
        }
        identity += [PrintedField("Regime tributário", taxRegime(c.taxRegime)),
                     PrintedField("Cliente desde", DocumentFormat.date(iso: c.clientSince))]
        let contact = [
            PrintedField("E-mail", c.email),
            PrintedField("Outros e-mails", c.otherEmails.joined(separator: ", ")),
            PrintedField("Telefones", c.phones.joined(separator: ", ")),
            PrintedField("Pessoa de contato", c.contactPerson),
        ]
        let fees = [
            PrintedField("Honorário mensal", c.monthlyFeeCents > 0 ? DocumentFormat.money(cents: c.monthlyFeeCents) : ""),
            PrintedField("Dia de vencimento", c.feeDueDay > 0 ? "dia \(c.feeDueDay)" : ""),
            PrintedField("Último honorário", record.hasLastFee
                ? "\(competence(record.lastFee.competence)) · \(DocumentFormat.money(cents: record.lastFee.amountCents)) · "
                    + "vence \(DocumentFormat.date(iso: record.lastFee.dueDate)) · \(feeStatus(record.lastFee.status))"
                : "nenhum gerado"),
            PrintedField("Recebíveis em aberto", "\(record.openReceivables)"),
            PrintedField("Arquivos", "\(record.files)"),
        ]
        let a = record.access
        let access = a.enabled ? [
            PrintedField("Portal do cliente", a.disabled ? "desativado" : a.activated ? "ativo" : "convite enviado, ainda não ativado"),
            PrintedField("E-mail de acesso", a.email),
            PrintedField("Último acesso", a.lastLoginAtMs > 0 ? DocumentFormat.dateTime(milliseconds: a.lastLoginAtMs) : "nunca"),
        ] : [PrintedField("Portal do cliente", "sem acesso")]
        let address = address(c.address)
        var blocks: [PrintedBlock] = [
            .heading("Identificação"), .fields(identity, columns: 3),
            .heading("Contato"), .fields(contact, columns: 2),
            .heading("Endereço"), .paragraph(address.isEmpty ? "—" : address),
            .heading("Honorários e financeiro"), .fields(fees, columns: 3),
            .heading("Acesso ao portal"), .fields(access, columns: 3),
        ]
        if !c.notes.isEmpty { blocks += [.heading("Observações internas"), .paragraph(c.notes)] }
        blocks.append(.paragraph("Cadastrado em \(DocumentFormat.dateTime(milliseconds: c.createdAtMs)); "
                                 + "última alteração em \(DocumentFormat.dateTime(milliseconds: c.updatedAtMs)) (versão \(c.version))."))
        return PrintedDocument(kind: "client-sheet", title: "Ficha de cliente", subtitle: "", fileName: "ficha-\(c.id).pdf",
                               blocks: blocks)
    }

    static let listColumns = ["Nome / razão social", "CPF/CNPJ", "Regime", "E-mail", "Telefone", "Honorário", "Situação"]

    static func cells(_ c: Conton_Clients_V1_Client, money: (Int64) -> String) -> [String] {
        [c.name, c.documentFormatted, taxRegime(c.taxRegime), c.email, c.phones.first ?? "",
         c.monthlyFeeCents > 0 ? money(c.monthlyFeeCents) : "", status(c.status)]
    }

    /// The printed list, with the count and the sum of monthly fees.
    static func list(_ clients: [Conton_Clients_V1_Client], filter: Conton_Clients_V1_ListClientsRequest) -> PrintedDocument {
        let weights = [3.2, 1.9, 1.6, 2.6, 1.7, 1.3, 1.1]
        let columns = zip(listColumns, weights).enumerated().map { i, column in
            PrintedColumn(column.0, weight: column.1, alignment: i == 5 ? .trailing : .leading)
        }
        let sum = clients.reduce(Int64(0)) { $0 + $1.monthlyFeeCents }
        let table = PrintedTable(columns: columns, rows: clients.map { cells($0, money: DocumentFormat.money(cents:)) },
                                 totals: [["\(clients.count) \(clients.count == 1 ? "cliente" : "clientes")", "", "", "", "",
                                           DocumentFormat.money(cents: sum), ""]])
        return PrintedDocument(kind: "clients-list", title: "Lista de clientes", subtitle: describe(filter),
                               fileName: "clientes.pdf", landscape: true, blocks: [.table(table)])
    }

    /// The same rows as CSV, the total last.
    static func csv(_ clients: [Conton_Clients_V1_Client]) -> CSVTable {
        let sum = clients.reduce(Int64(0)) { $0 + $1.monthlyFeeCents }
        var rows = clients.map { cells($0, money: DocumentFormat.csvMoney(cents:)) }
        rows.append(["Total: \(clients.count)", "", "", "", "", DocumentFormat.csvMoney(cents: sum), ""])
        return CSVTable(header: listColumns, rows: rows)
    }

    /// The filter in words, for the list's subtitle.
    static func describe(_ f: Conton_Clients_V1_ListClientsRequest) -> String {
        var parts: [String] = []
        switch f.status {
        case .archived: parts.append("arquivados")
        case .all: parts.append("ativos e arquivados")
        default: parts.append("ativos")
        }
        if !f.query.isEmpty { parts.append("nome com “\(f.query)”") }
        if !f.document.isEmpty { parts.append("CPF/CNPJ começando por \(f.document)") }
        if !f.email.isEmpty { parts.append("e-mail com “\(f.email)”") }
        if f.taxRegime != .unspecified { parts.append("regime \(taxRegime(f.taxRegime))") }
        return "Clientes " + parts.joined(separator: ", ")
    }
}
