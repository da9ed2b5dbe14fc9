import ContonAPI
import ContonKit
import ContonStore
import ContonTesting
import Foundation
import GRDB
import GRPCCore
import NotificationsPlugin
import Testing

/// The panel through the real stack: events of the real plugins, delivered after commit, made
/// into one notification per recipient; resolved, marked read, kept apart per recipient.
@Suite struct NotificationsTests {
    @Test func aSentProtocolAwaitsTheClientAndLeavesThePanelWhenAcknowledged() async throws {
        try await NotificationsTest.run { t in
            let client = try await t.client("Padaria Pão Quente Ltda", n: 1)
            let me = NotificationsTest.client(client)
            let p = try await t.sendProtocol(to: client)
            try await t.deliver()

            let listed = try await t.list(me)
            #expect(listed.notifications.count == 1)
            let n = try #require(listed.notifications.first)
            #expect(n.kind == .protocols && n.topic == "protocol.sent" && n.subjectType == "protocol" && n.subjectId == p.id)
            #expect(n.title == "Protocolo nº \(p.number) aguarda sua confirmação")
            #expect(n.clientId == client && n.readAtMs == 0 && n.resolvedAtMs == 0)
            #expect(listed.counts.total == 1 && listed.counts[.protocols] == 1 && listed.counts.kinds.count == 7)
            // The office sent it: the staff are not told of their own delivery.
            #expect(try await t.list(t.owner).notifications.isEmpty)
            #expect(try await t.list(t.staff).notifications.isEmpty)

            var ack = Conton_Protocols_V1_AcknowledgeProtocolRequest()
            ack.protocolId = p.id
            ack.comment = "Recebido"
            _ = try await t.protocols.acknowledgeProtocol(ack, metadata: me)
            try await t.deliver()

            // Resolved by the acknowledgement: out of the panel and the counts, kept on request.
            #expect(try await t.list(me).notifications.isEmpty)
            #expect(try await t.counts(me).total == 0)
            let resolved = try await t.list(me, includeResolved: true).notifications
            #expect(resolved.map(\.id) == [n.id] && resolved[0].resolvedAtMs == NotificationsTest.start)
            // Both staff users are told the client acknowledged (the client did it, not them).
            for staff in [t.owner, t.staff] {
                let theirs = try await t.list(staff).notifications
                #expect(theirs.map(\.topic) == ["protocol.acknowledged"])
                #expect(theirs.first?.title == "Protocolo confirmado — Padaria Pão Quente Ltda")
                #expect(theirs.first?.body == "O cliente confirmou o recebimento. Comentário: Recebido")
            }
        }
    }

    @Test func anEventDeliveredTwiceMakesOneNotificationPerRecipient() async throws {
        try await NotificationsTest.run { t in
            let a = try await t.client("Cliente A Ltda", n: 1)
            try await t.upload("balancete.pdf", to: a)
            try await t.upload("folha.pdf", to: a, as: InProcessTestServer.as(.client(a)))
            try await t.deliver()
            let before = try await t.count("SELECT count(*) FROM notifications_notification")
            // office_to_client → the client's login; client_to_office → both staff users.
            #expect(before == 3)
            // Every event delivered again, twice at once (a crash before the outbox was marked,
            // and two deliverers racing).
            for _ in 0..<2 {
                try await t.server.host.database.write { db in try db.execute(sql: "UPDATE host_outbox SET delivered_at_ms = NULL") }
                async let one: Void = t.deliver()
                async let two: Void = t.deliver()
                _ = try await (one, two)
            }
            #expect(try await t.count("SELECT count(*) FROM notifications_notification") == before)
            #expect(try await t.count("SELECT count(*) FROM notifications_source WHERE topic = 'file.uploaded'") == 2)
            #expect(try await t.counts(NotificationsTest.client(a))[.files] == 1)
            #expect(try await t.counts(t.owner)[.files] == 1)
            let theirs = try await t.list(t.staff).notifications
            #expect(theirs.map(\.title) == ["Arquivo recebido — Cliente A Ltda"] && theirs.first?.body == "folha.pdf")
        }
    }

    @Test func markingReadOneOrAllOfAKind() async throws {
        try await NotificationsTest.run { t in
            let a = try await t.client("Cliente A Ltda", n: 1)
            let me = NotificationsTest.client(a)
            for i in 1...3 { try await t.upload("arquivo \(i).pdf", to: a) }
            _ = try await t.sendProtocol(to: a)
            try await t.deliver()
            var all = try await t.list(me)
            #expect(all.counts.total == 4 && all.counts[.files] == 3 && all.counts[.protocols] == 1)
            // Newest first while all are unread.
            #expect(all.notifications.map(\.topic) == ["protocol.sent", "file.uploaded", "file.uploaded", "file.uploaded"])

            var one = Conton_Notifications_V1_MarkReadRequest()
            one.notificationIds = [all.notifications[1].id, all.notifications[1].id]
            let marked = try await t.api.markRead(one, metadata: me)
            #expect(marked.marked == 1 && marked.counts.total == 3)
            #expect(try await t.api.markRead(one, metadata: me).marked == 0)          // already read: left as is
            all = try await t.list(me)
            // Unread first, then the read one.
            #expect(all.notifications.last?.id == one.notificationIds[0] && all.notifications.last?.readAtMs == NotificationsTest.start)
            #expect(try await t.list(me, unreadOnly: true).notifications.count == 3)

            var files = Conton_Notifications_V1_MarkAllReadRequest()
            files.kind = .files
            let allFiles = try await t.api.markAllRead(files, metadata: me)
            #expect(allFiles.marked == 2 && allFiles.counts.total == 1 && allFiles.counts[.protocols] == 1)
            #expect(try await t.api.markAllRead(.init(), metadata: me).marked == 1)
            #expect(try await t.counts(me).total == 0)

            // Paging: two at a time, every notification once.
            var seen: [String] = []
            var token = ""
            repeat {
                let page = try await t.list(me, pageSize: 2, token: token)
                seen += page.notifications.map(\.id)
                token = page.nextPageToken
            } while !token.isEmpty
            #expect(seen.count == 4 && Set(seen).count == 4)

            // Bad input: every violation at once.
            var bad = Conton_Notifications_V1_MarkReadRequest()
            bad.notificationIds = ["x", "-1"]
            let error = await rpcError { _ = try await t.api.markRead(bad, metadata: me) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.violations["notification_ids[0]"] != nil && error?.violations["notification_ids[1]"] != nil)
            #expect(await code { _ = try await t.api.markRead(.init(), metadata: me) } == .invalidArgument)
            var kind = Conton_Notifications_V1_MarkAllReadRequest()
            kind.kind = .unrecognized(42)
            #expect(await code { _ = try await t.api.markAllRead(kind, metadata: me) } == .invalidArgument)
            #expect(await code { _ = try await t.list(me, token: "bm90IG91cnM=") } == .invalidArgument)
        }
    }

    @Test func aClientReachesOnlyItsOwnNotificationsOnEveryMethod() async throws {
        try await NotificationsTest.run { t in
            let a = try await t.client("Cliente A Ltda", n: 1)
            let b = try await t.client("Cliente B Ltda", n: 2)
            let (meA, meB) = (NotificationsTest.client(a), NotificationsTest.client(b))
            try await t.upload("a.pdf", to: a)
            try await t.upload("b.pdf", to: b)
            try await t.upload("do cliente.pdf", to: b, as: meB)
            try await t.deliver()
            let ofA = try await t.list(meA).notifications
            let ofB = try await t.list(meB).notifications
            #expect(ofA.map(\.clientId) == [a] && ofB.map(\.clientId) == [b])
            #expect(ofA[0].title == "Novo arquivo: a.pdf")
            #expect(try await t.counts(meA).total == 1)
            #expect(try await t.counts(meB).total == 1)

            // B's id is as unknown to A as one that never was; nothing is marked.
            var other = Conton_Notifications_V1_MarkReadRequest()
            other.notificationIds = [ofA[0].id, ofB[0].id]
            let error = await rpcError { _ = try await t.api.markRead(other, metadata: meA) }
            #expect(error?.code == .notFound)
            #expect(try await t.counts(meA).total == 1)
            // Staff cannot mark a client's notification either (their own panel is separate).
            other.notificationIds = [ofB[0].id]
            #expect(await code { _ = try await t.api.markRead(other, metadata: t.owner) } == .notFound)
            // A's "mark all" touches A's only.
            #expect(try await t.api.markAllRead(.init(), metadata: meA).marked == 1)
            #expect(try await t.counts(meB).total == 1)
            #expect(try await t.counts(t.owner).total == 1)

            // Preferences are per user.
            var prefs = Conton_Notifications_V1_UpdatePreferencesRequest()
            var k = Conton_Notifications_V1_KindPreference()
            (k.kind, k.channel) = (.files, .none)
            prefs.kinds = [k]
            _ = try await t.api.updatePreferences(prefs, metadata: meA)
            #expect(try await t.api.getPreferences(.init(), metadata: meA).kinds.first { $0.kind == .files }?.channel == Conton_Notifications_V1_Channel.none)
            #expect(try await t.api.getPreferences(.init(), metadata: meB).kinds.first { $0.kind == .files }?.channel == .inApp)

            // A's stream carries A's notifications only.
            try await t.upload("b2.pdf", to: b)
            try await t.deliver()
            var sub = Conton_Notifications_V1_SubscribeRequest()
            sub.cursor = try await t.api.getUnreadCounts(.init(), metadata: meA).cursor
            try await t.upload("a2.pdf", to: a, as: t.staff)     // A turned files off: not told
            try await t.deliver()
            var prefsBack = prefs
            prefsBack.kinds[0].channel = .inApp
            _ = try await t.api.updatePreferences(prefsBack, metadata: meA)
            try await t.upload("a3.pdf", to: a)
            try await t.deliver()
            let firstOfA = try await t.api.subscribe(sub, metadata: meA) { response -> Conton_Notifications_V1_SubscribeResponse? in
                for try await message in response.messages { return message }
                return nil
            }
            #expect(firstOfA?.notifications.map(\.title) == ["Novo arquivo: a3.pdf"])

            // Service accounts have no panel.
            #expect(await code { _ = try await t.counts(InProcessTestServer.as(.service(scopes: ["files:read"]))) } == .permissionDenied)
            #expect(await code { _ = try await t.counts(InProcessTestServer.as(.anonymous)) } == .unauthenticated)
        }
    }

    @Test func preferencesChooseInAppEmailBothOrNone() async throws {
        try await NotificationsTest.run { t in
            let a = try await t.client("Cliente A Ltda", n: 1)
            func set(_ channel: Conton_Notifications_V1_Channel, for who: Metadata) async throws {
                var r = Conton_Notifications_V1_UpdatePreferencesRequest()
                var k = Conton_Notifications_V1_KindPreference()
                (k.kind, k.channel) = (.files, channel)
                r.kinds = [k]
                let p = try await t.api.updatePreferences(r, metadata: who)
                #expect(p.kinds.count == 7 && p.kinds.first { $0.kind == .files }?.channel == channel)
            }
            let defaults = try await t.api.getPreferences(.init(), metadata: t.owner)
            #expect(defaults.kinds.map(\.channel) == Array(repeating: .inApp, count: 7) && !defaults.digestEnabled && defaults.digestHour == 8)

            try await set(.none, for: t.owner)
            try await set(.email, for: t.staff)
            try await t.upload("um.pdf", to: a, as: NotificationsTest.client(a))
            try await t.deliver()
            #expect(try await t.list(t.owner).notifications.isEmpty)
            #expect(try await t.count("SELECT count(*) FROM notifications_notification WHERE recipient_id = 'test-owner'") == 0)
            // E-mail only: kept out of the panel, queued in the mail outbox in the same transaction.
            #expect(try await t.list(t.staff).notifications.isEmpty)
            #expect(try await t.counts(t.staff).total == 0)
            #expect(try await t.count("SELECT count(*) FROM mail_outbox WHERE recipients LIKE '%staff@test.example%' AND subject = 'Arquivo recebido — Cliente A Ltda'") == 1)

            try await set(.both, for: t.staff)
            try await t.upload("dois.pdf", to: a, as: NotificationsTest.client(a))
            try await t.deliver()
            #expect(try await t.list(t.staff).notifications.map(\.body) == ["dois.pdf"])
            #expect(try await t.count("SELECT count(*) FROM mail_outbox WHERE recipients LIKE '%staff@test.example%'") == 2)

            // Bad input: every violation at once, nothing written.
            var bad = Conton_Notifications_V1_UpdatePreferencesRequest()
            var k1 = Conton_Notifications_V1_KindPreference()
            (k1.kind, k1.channel) = (.files, .unspecified)
            var k2 = Conton_Notifications_V1_KindPreference()
            (k2.kind, k2.channel) = (.files, .email)
            var k3 = Conton_Notifications_V1_KindPreference()
            (k3.kind, k3.channel) = (.unspecified, .email)
            bad.kinds = [k1, k2, k3]
            bad.digestHour = 24
            let error = await rpcError { _ = try await t.api.updatePreferences(bad, metadata: t.staff) }
            #expect(error?.code == .invalidArgument)
            #expect(Set(error?.violations.keys.map { $0 } ?? []) == ["kinds[0].channel", "kinds[1].kind", "kinds[2].kind", "digest_hour"])
            #expect(try await t.api.getPreferences(.init(), metadata: t.staff).kinds.first { $0.kind == .files }?.channel == .both)
        }
    }

    @Test func theDailyDigestGoesOnceADayAtTheChosenHour() async throws {
        try await NotificationsTest.run { t in
            let a = try await t.client("Cliente A Ltda", n: 1)
            var r = Conton_Notifications_V1_UpdatePreferencesRequest()
            r.digestEnabled = true
            r.digestHour = 14
            _ = try await t.api.updatePreferences(r, metadata: t.owner)
            try await t.upload("extrato.pdf", to: a, as: NotificationsTest.client(a))
            try await t.deliver()
            let digests = "SELECT count(*) FROM mail_outbox WHERE recipients LIKE '%owner@test.example%' AND subject LIKE 'ContOn: % não lida(s)'"
            // Noon in São Paulo: before the hour.
            #expect(try await NotificationsPlugin.sendDigests(context: t.context) == 0)
            t.clock.advance(milliseconds: 2 * 3_600_000)
            #expect(try await NotificationsPlugin.sendDigests(context: t.context) == 1)
            #expect(try await NotificationsPlugin.sendDigests(context: t.context) == 0)     // once a day
            #expect(try await t.count(digests) == 1)
            let body = try await t.server.host.database.read { db in
                try String.fetchOne(db, sql: "SELECT payload FROM mail_outbox WHERE subject LIKE 'ContOn: %'") ?? ""
            }
            #expect(body.contains("Arquivo recebido — Cliente A Ltda"))
            // The next day, with nothing new unread: no e-mail.
            t.clock.advance(milliseconds: 86_400_000)
            #expect(try await NotificationsPlugin.sendDigests(context: t.context) == 0)
            #expect(try await t.count(digests) == 1)
        }
    }
}
