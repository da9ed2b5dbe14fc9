import ClientsCapability
import ContonKit
import ContonMailQueue
import Foundation
import GRDB
import Logging

/// Turns one delivered event into its notifications, in one transaction: the event's source row
/// (`notifications_source`, keyed on the outbox id — a second delivery finds it and does nothing),
/// the notifications it resolves, one notification per recipient by each one's preference (an
/// e-mail in the same transaction for EMAIL and BOTH), and its audit entry. After commit the
/// recipients' live streams are woken.
struct NotificationMaker: Sendable {
    let context: PluginContext
    let staff: any StaffDirectory
    let clients: (any ClientRegistry)?
    let hub: NotificationHub

    struct Recipient: Hashable {
        var id: String
        var kind: String
        var name: String
        var email: String
    }

    /// What one event made; `nil` when the event had been handled already.
    struct Outcome: Sendable, Equatable {
        var made: Int
        var resolved: Int
    }

    @discardableResult
    func handle(_ event: DeliveredEvent) async throws -> Outcome? {
        let facts: EventFacts?
        do {
            facts = try event.decode(EventFacts.self)
        } catch {
            // A payload this plugin cannot read: recorded as handled (nobody told), never retried.
            context.logger.warning("notifications: unreadable event payload", metadata: ["topic": "\(event.topic)", "error": "\(error)"])
            facts = nil
        }
        let hub = self.hub
        return try await context.write { m -> Outcome? in
            try m.db.execute(sql: "INSERT OR IGNORE INTO notifications_source (event_id, topic, recipients, handled_at_ms) VALUES (?, ?, 0, ?)",
                             arguments: [event.id, event.topic, m.now])
            guard m.db.changesCount > 0 else { return nil }
            guard let facts else {
                m.audit("notification_source", String(event.id), "\(event.topic): unreadable payload, nobody told")
                return Outcome(made: 0, resolved: 0)
            }
            let clientName = try facts.clientID.flatMap { id in id.isEmpty ? nil : try clients?.client(id: id, in: m.db)?.name } ?? ""
            guard let plan = NotificationRules.plan(topic: event.topic, facts, clientName: clientName) else {
                m.audit("notification_source", String(event.id), "\(event.topic): no rule")
                return Outcome(made: 0, resolved: 0)
            }
            var touched = Set<String>()
            var resolved = 0
            for resolution in plan.resolves {
                var sql = """
                    SELECT id, recipient_id FROM notifications_notification
                    WHERE subject_type = ? AND subject_id = ? AND resolved_at_ms IS NULL AND topic IN (\(resolution.topics.map { _ in "?" }.joined(separator: ", ")))
                    """
                var arguments: [any DatabaseValueConvertible] = [resolution.subjectType, resolution.subjectID]
                arguments += resolution.topics as [any DatabaseValueConvertible]
                if let kind = resolution.recipientKind {
                    sql += " AND recipient_kind = ?"
                    arguments.append(kind)
                }
                for row in try Row.fetchAll(m.db, sql: sql, arguments: StatementArguments(arguments)) {
                    let seq = try NotificationStore.nextSeq(in: m.db)
                    try m.db.execute(sql: "UPDATE notifications_notification SET resolved_at_ms = ?, seq = ? WHERE id = ?",
                                     arguments: [m.now, seq, row[0] as Int64])
                    touched.insert(row[1])
                    resolved += 1
                }
            }
            let author = ["staff", "client"].contains(event.actorKind) ? event.actorID : ""
            var told = Set<String>()
            var made = 0
            for notice in plan.notices {
                for recipient in try recipients(of: notice.audience, clientID: plan.clientID, in: m.db)
                where recipient.id != author && !told.contains(recipient.id) {
                    told.insert(recipient.id)
                    let channel = try NotificationStore.channel(of: recipient.id, kind: plan.kind, in: m.db)
                    if channel == .none { continue }
                    let inApp = channel != .email
                    let seq = try NotificationStore.nextSeq(in: m.db)
                    try m.db.cachedStatement(sql: """
                        INSERT INTO notifications_notification
                          (recipient_id, recipient_kind, kind, topic, event_id, client_id, subject_type, subject_id, title, body, in_app,
                           created_at_ms, created_seq, seq)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """).execute(arguments: [recipient.id, recipient.kind, plan.kind.rawValue, event.topic, event.id, plan.clientID,
                                                 plan.subjectType, plan.subjectID, notice.title, notice.body, inApp, m.now, seq, seq])
                    if channel == .email || channel == .both, let mail = NotificationMail.single(notice, to: recipient) {
                        try m.mail(mail)
                    }
                    if inApp { touched.insert(recipient.id) }
                    made += 1
                }
            }
            try m.db.execute(sql: "UPDATE notifications_source SET recipients = ? WHERE event_id = ?", arguments: [made, event.id])
            m.audit("notification_source", String(event.id), "\(event.topic): \(made) notification(s), \(resolved) resolved")
            if !touched.isEmpty {
                let woken = touched
                m.db.afterNextTransaction { _ in hub.wake(woken) }
            }
            return Outcome(made: made, resolved: resolved)
        }
    }

    /// The people an audience stands for, now (disabled users and logins left out).
    func recipients(of audience: NotificationRules.Audience, clientID: String, in db: Database) throws -> [Recipient] {
        switch audience {
        case .clientLogins:
            guard !clientID.isEmpty else { return [] }
            return try staff.clientLogins(clientID: clientID, in: db).map { Recipient(id: $0.id, kind: "client", name: $0.name, email: $0.email) }
        case .responsible(let id):
            if !id.isEmpty, let user = try staff.staffUser(id: id, in: db), !user.disabled {
                return [Recipient(id: user.id, kind: "staff", name: user.displayName, email: user.email)]
            }
            return try recipients(of: .allStaff, clientID: clientID, in: db)
        case .allStaff:
            return try staff.activeStaff(in: db).map { Recipient(id: $0.id, kind: "staff", name: $0.displayName, email: $0.email) }
        }
    }
}
