import ContonAPI
import ContonBrazil
import ContonKit
import DocumentsCapability

/// The comprovante de entrega: what was delivered to whom, how, and the whole evidence trail with
/// the chain's head, so that anyone can check the printed hashes against `VerifyEvidence` or
/// recompute them (docs/PROTOCOLS.md, "Comprovante"). The documents plugin adds the letterhead
/// (the office) and the verification code.
struct ProtocolReceipt: Sendable {
    let `protocol`: Conton_Protocols_V1_Protocol
    let entries: [Conton_Protocols_V1_EvidenceEntry]
    let verification: Conton_Protocols_V1_VerifyEvidenceResponse

    static func status(_ s: Conton_Protocols_V1_ProtocolStatus) -> String {
        switch s {
        case .draft: "Rascunho"
        case .sent: "Enviado, ainda não visualizado"
        case .viewed: "Visualizado pelo cliente"
        case .acknowledged: "Ciência do cliente registrada"
        case .justified: "Baixado com justificativa"
        case .cancelled: "Cancelado"
        default: "—"
        }
    }

    static func action(_ a: Conton_Protocols_V1_EvidenceAction) -> String {
        switch a {
        case .sent: "Envio"
        case .emailed: "E-mail"
        case .viewed: "Visualização"
        case .downloaded: "Download"
        case .acknowledged: "Ciência"
        case .justified: "Justificativa"
        case .cancelled: "Cancelamento"
        default: "—"
        }
    }

    static func who(_ e: Conton_Protocols_V1_EvidenceEntry) -> String {
        let kind = ["staff": "escritório", "client": "cliente", "service": "serviço", "system": "sistema"][e.principalKind] ?? e.principalKind
        return "\(e.principalName) (\(kind))"
    }

    static func origin(_ e: Conton_Protocols_V1_EvidenceEntry) -> String {
        [e.peer, e.userAgent].filter { !$0.isEmpty }.joined(separator: " · ")
    }

    var document: PrintedDocument {
        let p = self.protocol
        let delivery = ProtocolLifecycle.describe(method: Int32(p.delivery.method.rawValue), receiver: p.delivery.receiverName,
                                                  document: p.delivery.receiverDocument, other: p.delivery.otherDescription)
        var facts = [
            PrintedField("Protocolo", "nº \(p.number)"),
            PrintedField("Situação", Self.status(p.status)),
            PrintedField("Cliente", p.clientName),
            PrintedField("CPF/CNPJ", p.clientDocumentFormatted),
            PrintedField("Assunto", p.title),
            PrintedField("Forma de entrega", delivery.prefix(1).uppercased() + delivery.dropFirst()),
            PrintedField("Enviado em", p.sentAtMs > 0 ? DocumentFormat.dateTime(milliseconds: p.sentAtMs) : "—"),
            PrintedField("Primeira visualização", p.firstViewedAtMs > 0 ? DocumentFormat.dateTime(milliseconds: p.firstViewedAtMs) : "ainda não"),
        ]
        if p.acknowledgedAtMs > 0 {
            facts.append(PrintedField("Ciência em", DocumentFormat.dateTime(milliseconds: p.acknowledgedAtMs)
                                        + (p.acknowledgementComment.isEmpty ? "" : " — “\(p.acknowledgementComment)”")))
        }
        if p.closedAtMs > 0 {
            facts.append(PrintedField(p.status == .justified ? "Justificativa" : "Cancelamento",
                                      "\(DocumentFormat.dateTime(milliseconds: p.closedAtMs)) — \(p.closingReason)"))
        }
        let items = PrintedTable(
            columns: [PrintedColumn("Nº", weight: 0.45, alignment: .trailing), PrintedColumn("Documento", weight: 2.4),
                      PrintedColumn("Competência", weight: 1.35), PrintedColumn("Vencimento", weight: 1.35),
                      PrintedColumn("Valor", weight: 1.3, alignment: .trailing), PrintedColumn("Arquivo", weight: 3)],
            rows: p.items.enumerated().map { i, item in
                ["\(i + 1)", item.description == item.documentTypeName ? item.description : "\(item.documentTypeName): \(item.description)",
                 Competence(item.competence)?.text ?? "—", item.dueDate.isEmpty ? "—" : DocumentFormat.date(iso: item.dueDate),
                 item.amountCents > 0 ? DocumentFormat.money(cents: item.amountCents) : "—",
                 item.fileName.isEmpty ? "—" : "\(item.fileName) (\(DocumentFormat.grouped(item.fileSize)) bytes)"]
            })
        let itemNumber = Dictionary(p.items.enumerated().map { ($1.id, $0 + 1) }, uniquingKeysWith: { a, _ in a })
        let fileHashes = PrintedTable(
            columns: [PrintedColumn("Nº", weight: 0.45, alignment: .trailing), PrintedColumn("SHA-256 do arquivo entregue", weight: 9.4)],
            rows: p.items.enumerated().filter { !$1.fileSha256.isEmpty }.map { i, item in ["\(i + 1)", item.fileSha256] })
        let trail = PrintedTable(
            columns: [PrintedColumn("Nº", weight: 0.45, alignment: .trailing), PrintedColumn("Data e hora", weight: 1.4),
                      PrintedColumn("Registro", weight: 1.15), PrintedColumn("Quem", weight: 2.2), PrintedColumn("Origem", weight: 2.0),
                      PrintedColumn("Detalhe", weight: 2.7)],
            rows: entries.map { e in
                var detail = e.detail
                if let n = itemNumber[e.itemId], e.action == .downloaded { detail = "item \(n): " + detail }
                return ["\(e.sequence)", DocumentFormat.dateTime(milliseconds: e.atMs), Self.action(e.action), Self.who(e),
                        Self.origin(e), detail]
            })
        let chain = PrintedTable(
            columns: [PrintedColumn("Nº", weight: 0.45, alignment: .trailing), PrintedColumn("SHA-256 do registro (inclui o do anterior)", weight: 9.45)],
            rows: entries.map { e in ["\(e.sequence)", e.sha256] })
        let integrity = verification.intact
            ? "A cadeia de \(verification.entries) registros está íntegra: cada registro traz o SHA-256 do anterior e todos conferem."
            : "ATENÇÃO: a cadeia de registros NÃO confere a partir do registro \(verification.firstBadSequence): \(verification.problem)."
        return PrintedDocument(
            kind: "protocol-receipt", title: "Comprovante de entrega — protocolo nº \(p.number)",
            subtitle: "\(p.clientName) · \(p.clientDocumentFormatted)", fileName: "comprovante-protocolo-\(p.number).pdf",
            blocks: [
                .fields(facts, columns: 2),
                .heading("Documentos entregues"),
                .table(items),
                .table(fileHashes),
                .heading("Registro de evidências"),
                .table(trail),
                .table(chain),
                .heading("Integridade"),
                .paragraph(integrity),
                .fields([PrintedField("Último hash da cadeia (SHA-256)", verification.headSha256),
                         PrintedField("Registros", "\(verification.entries)")], columns: 1),
                .paragraph("Cada hash é o SHA-256 da forma canônica do registro (docs/PROTOCOLS.md, “Evidence chain”). "
                           + "O código de verificação deste documento confirma, junto ao escritório, que ele foi emitido pelo ContOn."),
            ])
    }
}
