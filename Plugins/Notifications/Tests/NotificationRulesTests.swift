@testable import AgendaPlugin
@testable import AttendancesPlugin
import ContonAPI
import ContonKit
import ContonStore
import ContonTesting
@testable import FeesPlugin
import Foundation
import GRDB
import GRPCCore
import NotificationsPlugin
@testable import PaymentsPlugin
@testable import RequestsPlugin
import Testing

/// Who receives what (docs/NOTIFICATIONS.md), for the events of the plugins these tests do not
/// run: each event is built from its plugin's own type, published into the real outbox with its
/// author, delivered, and read back through each recipient's panel.
@Suite struct NotificationRulesTests {
    struct Rig {
        let t: NotificationsTest
        let client: String

        var me: Metadata { NotificationsTest.client(client) }

        /// Publishes `event` as `actor` (kind, id) and delivers it.
        func publish<E: DomainEvent>(_ event: E, by actor: (String, String) = ("system", "")) async throws {
            let payload = try JSONEncoder().encode(event)
            let now = t.clock.nowMilliseconds
            try await t.server.host.database.write { db in
                try Outbox.append(topic: E.topic, payload: payload, actorKind: actor.0, actorID: actor.1, nowMilliseconds: now, in: db)
            }
            try await t.deliver()
        }

        /// The titles in `who`'s panel (open ones, newest first).
        func titles(_ who: Metadata) async throws -> [String] { try await t.list(who).notifications.map(\.title) }
    }

    static func run(_ body: (Rig) async throws -> Void) async throws {
        try await NotificationsTest.run { t in
            try await body(Rig(t: t, client: try await t.client("Contabilizada Ltda", n: 1)))
        }
    }

    static let owner = ("staff", "test-owner")

    @Test func attendancesGoToTheResponsibleAndAnswersToTheOtherSide() async throws {
        try await Self.run { r in
            let c = r.client
            try await r.publish(AttendanceOpened(attendanceID: "7", clientID: c, number: 7, subject: "Parcelamento", responsibleUserID: "test-staff",
                                                 visibleToClient: true), by: Self.owner)
            #expect(try await r.titles(r.t.staff) == ["Atendimento nº 7: Parcelamento"])
            #expect(try await r.titles(r.t.owner).isEmpty)     // the author, and not responsible
            #expect(try await r.titles(r.me).isEmpty)          // attendances are the office's work

            // No responsible: every staff user but the author.
            try await r.publish(AttendanceOpened(attendanceID: "8", clientID: c, number: 8, subject: "Alvará", responsibleUserID: "",
                                                 visibleToClient: false), by: Self.owner)
            #expect(try await r.titles(r.t.staff).first == "Atendimento nº 8: Alvará")
            #expect(try await r.titles(r.t.owner).isEmpty)

            // The office answers: the client is told; the client replies: the responsible is told
            // and the client's "new answer" is resolved; the office replies: the staff's is resolved.
            func message(_ author: String, internal note: Bool = false, visible: Bool = true, on id: String = "7") -> AttendanceMessage {
                AttendanceMessage(attendanceID: id, clientID: c, sequence: 1, authorKind: author, internal: note, responsibleUserID: "test-staff",
                                  visibleToClient: visible)
            }
            try await r.publish(message("staff"), by: ("staff", "test-staff"))
            #expect(try await r.titles(r.me) == ["Nova resposta do escritório"])
            try await r.publish(message("client"), by: ("client", "test-client-\(c)"))
            #expect(try await r.titles(r.me).isEmpty)
            #expect(try await r.t.list(r.me, includeResolved: true).notifications.first?.resolvedAtMs == NotificationsTest.start)
            #expect(try await r.titles(r.t.staff).first == "Nova mensagem — Contabilizada Ltda")
            try await r.publish(message("staff"), by: ("staff", "test-staff"))
            #expect(try await r.titles(r.t.staff).contains("Nova mensagem — Contabilizada Ltda") == false)
            #expect(try await r.titles(r.me) == ["Nova resposta do escritório"])

            // An internal note reaches the responsible, never the client; nor does anything of an
            // attendance the client does not see.
            try await r.publish(message("staff", internal: true), by: Self.owner)
            #expect(try await r.titles(r.t.staff).first == "Nota interna no atendimento — Contabilizada Ltda")
            try await r.publish(message("staff", visible: false, on: "8"), by: Self.owner)
            #expect(try await r.titles(r.me) == ["Nova resposta do escritório"])

            try await r.publish(AttendanceOverdue(attendanceID: "7", clientID: c, deadline: "2026-11-30", responsibleUserID: "test-staff"))
            #expect(try await r.titles(r.t.staff).first == "Atendimento atrasado — Contabilizada Ltda")
            #expect(try await r.t.list(r.t.staff).notifications.first?.body == "O prazo (providenciar até 30/11/2026) passou.")
        }
    }

    @Test func documentRequestsAwaitTheClientUntilDone() async throws {
        try await Self.run { r in
            let c = r.client
            try await r.publish(RequestOpened(requestID: "3", clientID: c, number: 3, kind: "from_office", subject: "Extratos de novembro"), by: Self.owner)
            try await r.publish(RequestReminded(requestID: "3", clientID: c, pendingItems: 2, reminder: 1))
            #expect(try await r.titles(r.me) == ["Lembrete: documentos pendentes", "O escritório solicita documentos (nº 3)"])
            #expect(try await r.counts(r.me)[.requests] == 2)
            try await r.publish(RequestDone(requestID: "3", clientID: c, nothingToSend: 1, sent: 1), by: ("client", "test-client-\(c)"))
            #expect(try await r.titles(r.me).isEmpty)
            #expect(try await r.titles(r.t.owner) == ["Solicitação de documentos concluída — Contabilizada Ltda"])

            // A client's own request goes to the staff, and leaves their panel once answered.
            try await r.publish(RequestOpened(requestID: "4", clientID: c, number: 4, kind: "from_client", subject: "Certidão negativa"),
                                by: ("client", "test-client-\(c)"))
            #expect(try await r.titles(r.t.staff).first == "Nova solicitação nº 4 — Contabilizada Ltda")
            try await r.publish(RequestAnswered(requestID: "4", clientID: c, by: "office", itemIDs: []), by: ("staff", "test-staff"))
            // Answered by one: out of every staff user's panel.
            #expect(try await r.titles(r.t.staff) == ["Solicitação de documentos concluída — Contabilizada Ltda"])
            #expect(try await r.titles(r.t.owner) == ["Solicitação de documentos concluída — Contabilizada Ltda"])
            #expect(try await r.titles(r.me) == ["Sua solicitação foi respondida"])
        }
    }

    @Test func payablesAreTheStaffsAndResolvedWhenPaid() async throws {
        try await Self.run { r in
            try await r.publish(PayableCreated(payableIDs: ["11", "12"], supplierID: "1", description: "Aluguel", totalCents: 300_000,
                                               firstDueDate: "2026-12-10"), by: Self.owner)
            #expect(try await r.titles(r.t.staff) == ["Nova conta a pagar: Aluguel"])
            #expect(try await r.t.list(r.t.staff).notifications.first?.body == "R$ 3.000,00 em 2 parcelas, vencimento em 10/12/2026.")
            try await r.publish(PayableOverdue(payableID: "11", supplierID: "1", dueDate: "2026-12-10", balanceCents: 150_000))
            #expect(try await r.titles(r.t.owner) == ["Conta a pagar vencida em 10/12/2026"])
            #expect(try await r.titles(r.me).isEmpty)
            try await r.publish(PayableSettled(payableID: "11", supplierID: "1", paymentID: "1", amountPaidCents: 150_000, balanceCents: 0, paid: true),
                                by: Self.owner)
            // Paid: the overdue and "new" notices of payable 11 are resolved for everyone.
            #expect(try await r.titles(r.t.owner).isEmpty)
            #expect(try await r.titles(r.t.staff) == ["Conta a pagar quitada"])
        }
    }

    @Test func receivablesTellTheClientAndTheOffice() async throws {
        try await Self.run { r in
            let c = r.client
            try await r.publish(ReceivableOverdue(receivableID: "5", clientID: c, dueDate: "2026-11-10", balanceCents: 45_000))
            #expect(try await r.titles(r.me) == ["Cobrança vencida em 10/11/2026"])
            #expect(try await r.titles(r.t.owner) == ["Recebível vencido — Contabilizada Ltda"])
            try await r.publish(ReceivableSettled(receivableID: "5", clientID: c, paymentID: "9", receiptNumber: 42, amountPaidCents: 45_000,
                                                  balanceCents: 0, paid: true), by: Self.owner)
            #expect(try await r.titles(r.me) == ["Pagamento recebido — recibo nº 42"])
            #expect(try await r.titles(r.t.staff) == ["Recebimento de Contabilizada Ltda — recibo nº 42"])
            #expect(try await r.titles(r.t.owner).isEmpty)
            try await r.publish(FeesGenerated(generationID: "g1", clients: 12, created: 144, skipped: 0, firstCompetence: "2027-01",
                                              lastCompetence: "2027-12", totalCents: 14_400_000), by: Self.owner)
            #expect(try await r.titles(r.t.staff).first == "Honorários gerados: 144 cobrança(s)")
        }
    }

    @Test func agendaEventsGoToTheResponsibleAndTheClientWhenShared() async throws {
        try await Self.run { r in
            let c = r.client
            try await r.publish(AgendaEventCreated(eventID: 1, clientID: c, title: "Reunião de balanço", startDate: "2026-12-15", sharedWithClient: true,
                                                   responsibleUserID: "test-staff"), by: Self.owner)
            #expect(try await r.titles(r.t.staff) == ["Novo evento na agenda: Reunião de balanço"])
            #expect(try await r.titles(r.me) == ["Novo evento na sua agenda: Reunião de balanço"])
            try await r.publish(AgendaEventCreated(eventID: 2, clientID: c, title: "Revisão interna", startDate: "2026-12-16", sharedWithClient: false,
                                                   responsibleUserID: "test-staff"), by: Self.owner)
            #expect(try await r.titles(r.me).count == 1)
            try await r.publish(AgendaReminderDue(eventID: 1, clientID: c, title: "Reunião de balanço", originalDate: "2026-12-15",
                                                  startMs: 1_797_339_600_000, minutesBefore: 60, sharedWithClient: true, responsibleUserID: "test-staff"))
            #expect(try await r.titles(r.me).first == "Lembrete: Reunião de balanço")
            #expect(try await r.t.list(r.t.staff).notifications.first?.body == "Em 15/12/2026 às 10:00 — Contabilizada Ltda.")
        }
    }
}

extension NotificationRulesTests {
    @Test func anUnreadablePayloadTellsNobodyAndIsNotRetried() async throws {
        try await Self.run { r in
            let now = r.t.clock.nowMilliseconds
            try await r.t.server.host.database.write { db in
                try Outbox.append(topic: "file.uploaded", payload: Data(#"{"clientID": 5, "direction": "client_to_office"}"#.utf8),
                                  nowMilliseconds: now, in: db)
            }
            try await r.t.deliver()
            #expect(try await r.t.count("SELECT count(*) FROM notifications_notification") == 0)
            #expect(try await r.t.count("SELECT count(*) FROM notifications_source WHERE topic = 'file.uploaded' AND recipients = 0") == 1)
            #expect(try await r.t.count("SELECT count(*) FROM host_outbox WHERE delivered_at_ms IS NULL") == 0)
        }
    }
}

extension NotificationRulesTests.Rig {
    func counts(_ who: Metadata) async throws -> Conton_Notifications_V1_UnreadCounts { try await t.counts(who) }
}
