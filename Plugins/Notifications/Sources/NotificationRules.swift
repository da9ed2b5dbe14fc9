import ContonAPI
import DocumentsCapability

/// Who is told what, event by event (docs/NOTIFICATIONS.md has the same table in prose): each
/// topic the plugin follows becomes a ``Plan`` — the notices to make (to whom, with what text) and
/// the notifications it resolves. The author of an event is never told of it.
enum NotificationRules {
    typealias Kind = Conton_Notifications_V1_NotificationKind

    /// Who a notice goes to.
    enum Audience: Sendable, Hashable {
        /// The event's client's portal logins (none for an office matter).
        case clientLogins
        /// The responsible staff user; every active staff user when there is none (or it is
        /// disabled or gone).
        case responsible(String)
        /// Every active staff user (each may turn a kind off in their preferences).
        case allStaff
    }

    struct Notice: Sendable {
        var audience: Audience
        var title: String
        var body: String
    }

    /// Open notifications about a subject that an event closes, for recipients of one side
    /// (`recipientKind` "staff"/"client") or both (nil).
    struct Resolution: Sendable {
        var subjectType: String
        var subjectID: String
        var topics: [String]
        var recipientKind: String?
    }

    struct Plan: Sendable {
        var kind: Kind
        var subjectType: String
        var subjectID: String
        var clientID: String
        var notices: [Notice] = []
        var resolves: [Resolution] = []
    }

    /// Every topic a rule exists for (the plugin subscribes to these).
    static let topics = [
        "agenda.event_created", "agenda.reminder",
        "payable.created", "payable.due_soon", "payable.overdue", "payable.settled",
        "fees.generated", "receivable.settled", "receivable.overdue",
        "protocol.sent", "protocol.due_soon", "protocol.overdue", "protocol.acknowledged",
        "attendance.opened", "attendance.message", "attendance.overdue",
        "file.uploaded", "file.read",
        "request.opened", "request.answered", "request.reminded", "request.done",
    ]

    static func money(_ cents: Int64?) -> String { DocumentFormat.money(cents: cents ?? 0) }
    static func date(_ iso: String?) -> String { DocumentFormat.date(iso: iso ?? "") }

    /// The plan for one event; nil for a topic without a rule. `clientName` names the event's
    /// client in what staff read.
    static func plan(topic: String, _ f: EventFacts, clientName: String) -> Plan? {
        let clientID = f.clientID ?? ""
        let client = clientName.isEmpty ? (clientID.isEmpty ? "" : "cliente \(clientID)") : clientName
        let ofClient = client.isEmpty ? "" : " — \(client)"
        switch topic {
        // MARK: Agenda
        case "agenda.event_created":
            var p = Plan(kind: .agenda, subjectType: "event", subjectID: f.eventID.map(String.init) ?? "", clientID: clientID)
            let title = f.title ?? ""
            p.notices.append(Notice(audience: .responsible(f.responsibleUserID ?? ""), title: "Novo evento na agenda: \(title)",
                                    body: "Em \(date(f.startDate))\(ofClient)."))
            if f.sharedWithClient == true && !clientID.isEmpty {
                p.notices.append(Notice(audience: .clientLogins, title: "Novo evento na sua agenda: \(title)", body: "Em \(date(f.startDate))."))
            }
            return p
        case "agenda.reminder":
            var p = Plan(kind: .agenda, subjectType: "event", subjectID: f.eventID.map(String.init) ?? "", clientID: clientID)
            let title = f.title ?? ""
            let when = f.startMs.map { DocumentFormat.dateTime(milliseconds: $0) } ?? date(f.originalDate)
            p.notices.append(Notice(audience: .responsible(f.responsibleUserID ?? ""), title: "Lembrete: \(title)", body: "Em \(when)\(ofClient)."))
            if f.sharedWithClient == true && !clientID.isEmpty {
                p.notices.append(Notice(audience: .clientLogins, title: "Lembrete: \(title)", body: "Em \(when)."))
            }
            return p

        // MARK: Payments (the office's payables: staff only)
        case "payable.created":
            var p = Plan(kind: .payments, subjectType: "payable", subjectID: f.payableIDs?.first ?? "", clientID: "")
            let parts = (f.payableIDs?.count ?? 1) > 1 ? " em \(f.payableIDs!.count) parcelas" : ""
            p.notices.append(Notice(audience: .allStaff, title: "Nova conta a pagar: \(f.description ?? "")",
                                    body: "\(money(f.totalCents))\(parts), vencimento em \(date(f.firstDueDate))."))
            return p
        case "payable.due_soon":
            var p = Plan(kind: .payments, subjectType: "payable", subjectID: f.payableID ?? "", clientID: "")
            p.notices.append(Notice(audience: .allStaff, title: "Conta a pagar vence em \(date(f.dueDate))", body: "Saldo de \(money(f.balanceCents))."))
            return p
        case "payable.overdue":
            var p = Plan(kind: .payments, subjectType: "payable", subjectID: f.payableID ?? "", clientID: "")
            p.notices.append(Notice(audience: .allStaff, title: "Conta a pagar vencida em \(date(f.dueDate))", body: "Saldo de \(money(f.balanceCents))."))
            return p
        case "payable.settled":
            var p = Plan(kind: .payments, subjectType: "payable", subjectID: f.payableID ?? "", clientID: "")
            if f.paid == true {
                p.notices.append(Notice(audience: .allStaff, title: "Conta a pagar quitada", body: "Pagamento de \(money(f.amountPaidCents))."))
                p.resolves.append(Resolution(subjectType: "payable", subjectID: p.subjectID,
                                             topics: ["payable.created", "payable.due_soon", "payable.overdue"], recipientKind: nil))
            } else {
                p.notices.append(Notice(audience: .allStaff, title: "Pagamento parcial de conta a pagar",
                                        body: "Pago \(money(f.amountPaidCents)); saldo de \(money(f.balanceCents))."))
            }
            return p

        // MARK: Receivables
        case "fees.generated":
            var p = Plan(kind: .receivables, subjectType: "fee_generation", subjectID: f.generationID ?? "", clientID: "")
            let range = f.firstCompetence == f.lastCompetence ? (f.firstCompetence ?? "") : "\(f.firstCompetence ?? "") a \(f.lastCompetence ?? "")"
            p.notices.append(Notice(audience: .allStaff, title: "Honorários gerados: \(f.created ?? 0) cobrança(s)",
                                    body: "\(f.clients ?? 0) cliente(s), competência \(range), total de \(money(f.totalCents))."))
            return p
        case "receivable.settled":
            var p = Plan(kind: .receivables, subjectType: "receivable", subjectID: f.receivableID ?? "", clientID: clientID)
            let receipt = f.receiptNumber.map { " — recibo nº \($0)" } ?? ""
            if f.paid == true {
                p.notices.append(Notice(audience: .clientLogins, title: "Pagamento recebido\(receipt)", body: "Recebemos \(money(f.amountPaidCents)). Obrigado!"))
                p.resolves.append(Resolution(subjectType: "receivable", subjectID: p.subjectID, topics: ["receivable.overdue"], recipientKind: nil))
            } else {
                p.notices.append(Notice(audience: .clientLogins, title: "Pagamento parcial recebido\(receipt)",
                                        body: "Recebemos \(money(f.amountPaidCents)); saldo em aberto de \(money(f.balanceCents))."))
            }
            p.notices.append(Notice(audience: .allStaff, title: "Recebimento de \(client)\(receipt)",
                                    body: "\(money(f.amountPaidCents))" + (f.paid == true ? ", quitado." : "; saldo de \(money(f.balanceCents)).")))
            return p
        case "receivable.overdue":
            var p = Plan(kind: .receivables, subjectType: "receivable", subjectID: f.receivableID ?? "", clientID: clientID)
            p.notices.append(Notice(audience: .clientLogins, title: "Cobrança vencida em \(date(f.dueDate))",
                                    body: "Saldo em aberto de \(money(f.balanceCents))."))
            p.notices.append(Notice(audience: .allStaff, title: "Recebível vencido\(ofClient)",
                                    body: "Venceu em \(date(f.dueDate)); saldo de \(money(f.balanceCents))."))
            return p

        // MARK: Protocols
        case "protocol.sent":
            var p = Plan(kind: .protocols, subjectType: "protocol", subjectID: f.protocolID ?? "", clientID: clientID)
            let due = (f.firstDueDate ?? "").isEmpty ? "" : " Primeiro vencimento em \(date(f.firstDueDate))."
            p.notices.append(Notice(audience: .clientLogins, title: "Protocolo nº \(f.number ?? 0) aguarda sua confirmação",
                                    body: "\(f.title ?? ""): \(f.itemCount ?? 0) documento(s).\(due)"))
            return p
        case "protocol.due_soon":
            var p = Plan(kind: .protocols, subjectType: "protocol", subjectID: f.protocolID ?? "", clientID: clientID)
            p.notices.append(Notice(audience: .clientLogins, title: "Protocolo vence em \(date(f.firstDueDate))",
                                    body: "Confirme o recebimento dos documentos."))
            return p
        case "protocol.overdue":
            var p = Plan(kind: .protocols, subjectType: "protocol", subjectID: f.protocolID ?? "", clientID: clientID)
            p.notices.append(Notice(audience: .clientLogins, title: "Protocolo vencido sem confirmação",
                                    body: "O vencimento foi em \(date(f.firstDueDate)). Confirme o recebimento dos documentos."))
            p.notices.append(Notice(audience: .allStaff, title: "Protocolo vencido sem confirmação\(ofClient)",
                                    body: "Vencimento em \(date(f.firstDueDate))."))
            return p
        case "protocol.acknowledged":
            var p = Plan(kind: .protocols, subjectType: "protocol", subjectID: f.protocolID ?? "", clientID: clientID)
            let comment = (f.comment ?? "").isEmpty ? "" : " Comentário: \(f.comment!)"
            p.notices.append(Notice(audience: .allStaff, title: "Protocolo confirmado\(ofClient)", body: "O cliente confirmou o recebimento.\(comment)"))
            p.resolves.append(Resolution(subjectType: "protocol", subjectID: p.subjectID,
                                         topics: ["protocol.sent", "protocol.due_soon", "protocol.overdue"], recipientKind: nil))
            return p

        // MARK: Attendances
        case "attendance.opened":
            var p = Plan(kind: .attendances, subjectType: "attendance", subjectID: f.attendanceID ?? "", clientID: clientID)
            p.notices.append(Notice(audience: .responsible(f.responsibleUserID ?? ""), title: "Atendimento nº \(f.number ?? 0): \(f.subject ?? "")",
                                    body: "Novo atendimento\(ofClient) sob sua responsabilidade."))
            return p
        case "attendance.message":
            var p = Plan(kind: .attendances, subjectType: "attendance", subjectID: f.attendanceID ?? "", clientID: clientID)
            let responsible = Audience.responsible(f.responsibleUserID ?? "")
            switch (f.authorKind ?? "", f.internal ?? false) {
            case ("client", _):
                p.notices.append(Notice(audience: responsible, title: "Nova mensagem\(ofClient)", body: "O cliente respondeu no atendimento."))
                // The client answered: what told it of the office's message is done.
                p.resolves.append(Resolution(subjectType: "attendance", subjectID: p.subjectID, topics: ["attendance.message"], recipientKind: "client"))
            case (_, true):
                p.notices.append(Notice(audience: responsible, title: "Nota interna no atendimento\(ofClient)", body: "Uma nota interna foi registrada."))
            default:
                if f.visibleToClient == true {
                    p.notices.append(Notice(audience: .clientLogins, title: "Nova resposta do escritório", body: "Há uma nova mensagem no seu atendimento."))
                }
                p.resolves.append(Resolution(subjectType: "attendance", subjectID: p.subjectID, topics: ["attendance.message"], recipientKind: "staff"))
            }
            return p
        case "attendance.overdue":
            var p = Plan(kind: .attendances, subjectType: "attendance", subjectID: f.attendanceID ?? "", clientID: clientID)
            p.notices.append(Notice(audience: .responsible(f.responsibleUserID ?? ""), title: "Atendimento atrasado\(ofClient)",
                                    body: "O prazo (providenciar até \(date(f.deadline))) passou."))
            return p

        // MARK: Files
        case "file.uploaded":
            var p = Plan(kind: .files, subjectType: "file", subjectID: f.fileID ?? "", clientID: clientID)
            if f.direction == "office_to_client" {
                p.notices.append(Notice(audience: .clientLogins, title: "Novo arquivo: \(f.fileName ?? "")", body: "O escritório enviou um arquivo para você."))
            } else {
                p.notices.append(Notice(audience: .allStaff, title: "Arquivo recebido\(ofClient)", body: f.fileName ?? ""))
            }
            return p
        case "file.read":
            var p = Plan(kind: .files, subjectType: "file", subjectID: f.fileID ?? "", clientID: clientID)
            p.resolves.append(Resolution(subjectType: "file", subjectID: p.subjectID, topics: ["file.uploaded"], recipientKind: "client"))
            return p

        // MARK: Requests
        case "request.opened":
            var p = Plan(kind: .requests, subjectType: "request", subjectID: f.requestID ?? "", clientID: clientID)
            if f.kind == "from_office" {
                p.notices.append(Notice(audience: .clientLogins, title: "O escritório solicita documentos (nº \(f.number ?? 0))",
                                        body: f.subject ?? ""))
            } else {
                p.notices.append(Notice(audience: .allStaff, title: "Nova solicitação nº \(f.number ?? 0)\(ofClient)", body: f.subject ?? ""))
            }
            return p
        case "request.answered":
            var p = Plan(kind: .requests, subjectType: "request", subjectID: f.requestID ?? "", clientID: clientID)
            if f.by == "office" {
                p.notices.append(Notice(audience: .clientLogins, title: "Sua solicitação foi respondida", body: "Veja a resposta do escritório."))
                p.resolves.append(Resolution(subjectType: "request", subjectID: p.subjectID, topics: ["request.opened"], recipientKind: "staff"))
            } else {
                p.notices.append(Notice(audience: .allStaff, title: "Documentos enviados\(ofClient)",
                                        body: "\(f.itemIDs?.count ?? 0) item(ns) da solicitação respondido(s)."))
            }
            return p
        case "request.reminded":
            var p = Plan(kind: .requests, subjectType: "request", subjectID: f.requestID ?? "", clientID: clientID)
            p.notices.append(Notice(audience: .clientLogins, title: "Lembrete: documentos pendentes",
                                    body: "\(f.pendingItems ?? 0) item(ns) da solicitação aguardam envio."))
            return p
        case "request.done":
            var p = Plan(kind: .requests, subjectType: "request", subjectID: f.requestID ?? "", clientID: clientID)
            p.notices.append(Notice(audience: .allStaff, title: "Solicitação de documentos concluída\(ofClient)",
                                    body: "\(f.sent ?? 0) item(ns) enviado(s), \(f.nothingToSend ?? 0) sem nada a enviar."))
            p.resolves.append(Resolution(subjectType: "request", subjectID: p.subjectID, topics: ["request.opened", "request.reminded"],
                                         recipientKind: "client"))
            return p
        default:
            return nil
        }
    }
}
