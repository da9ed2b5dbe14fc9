import ContonAPI
import ContonKit
import ContonTesting
import Foundation
import GRDB
import GRPCCore
import NotificationsPlugin
import Testing

/// `Subscribe`: live, resumable from a cursor without a gap or a repeat, with a heartbeat, many
/// streams per user, and a stale cursor said so.
@Suite struct NotificationStreamTests {
    typealias Message = Conton_Notifications_V1_SubscribeResponse

    @Test func aSubscriberThatDisconnectsAndResumesReceivesEveryNotificationOnce() async throws {
        try await NotificationsTest.run { t in
            let a = try await t.client("Cliente A Ltda", n: 1)
            let b = try await t.client("Cliente B Ltda", n: 2)
            let me = NotificationsTest.client(a)
            // Connected "from now": files arrive while it listens.
            let (first, cursor1) = try await t.api.subscribe(NotificationsTest.subscribe(from: ""), metadata: me) { response in
                var seen: [String] = []
                var cursor = ""
                var started = false
                for try await m in response.messages {
                    cursor = m.cursor
                    #expect(!m.cursorStale)
                    if !started {
                        started = true
                        #expect(m.notifications.isEmpty && m.counts.total == 0)
                        for i in 1...3 {
                            try await t.upload("arquivo \(i).pdf", to: a)
                            try await t.upload("de outro \(i).pdf", to: b)
                        }
                        try await t.deliver()
                    }
                    seen += m.notifications.map(\.id)
                    if seen.count >= 3 { break }
                }
                return (seen, cursor)
            }
            #expect(first.count == 3)

            // Disconnected: two more arrive, and one of the first is read elsewhere.
            for i in 4...5 { try await t.upload("arquivo \(i).pdf", to: a) }
            try await t.deliver()
            var read = Conton_Notifications_V1_MarkReadRequest()
            read.notificationIds = [first[0]]
            _ = try await t.api.markRead(read, metadata: me)

            // Resumed from the last cursor: exactly what it missed, then live again.
            let (second, changed) = try await t.api.subscribe(NotificationsTest.subscribe(from: cursor1), metadata: me) { response in
                var seen: [String] = []
                var changed: [Conton_Notifications_V1_Notification] = []
                var started = false
                for try await m in response.messages where !m.heartbeat {
                    seen += m.notifications.map(\.id)
                    changed += m.changed
                    if !started {
                        started = true
                        #expect(m.notifications.count == 2 && m.counts.total == 4)
                        try await t.upload("arquivo 6.pdf", to: a)
                        try await t.deliver()
                    }
                    if seen.count >= 3 { break }
                }
                return (seen, changed)
            }
            #expect(changed.map(\.id) == [first[0]] && changed.first?.readAtMs == NotificationsTest.start)
            let all = first + second
            #expect(all.count == 6 && Set(all).count == 6)
            let stored = try await t.list(me).notifications.map(\.id)
            #expect(Set(stored) == Set(all))
        }
    }

    @Test func everyStreamOfAUserGetsEachNotificationOnce() async throws {
        try await NotificationsTest.run { t in
            let a = try await t.client("Cliente A Ltda", n: 1)
            let me = NotificationsTest.client(a)
            // Streams of one user woken together share their reads (NotificationHub.sharedRead):
            // commits in quick succession must still reach every stream, each once.
            let n = 12
            let received = try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await t.api.subscribe(NotificationsTest.subscribe(from: ""), metadata: me) { response in
                            var titles: [String] = []
                            for try await m in response.messages {
                                titles += m.notifications.map(\.title)
                                if titles.count >= n { break }
                            }
                            return titles
                        }
                    }
                }
                try await t.waitForSubscribers(4)
                for i in 1...n {
                    try await t.upload("contrato \(i).pdf", to: a)
                    if i % 3 == 0 { try await t.deliver() }
                }
                try await t.deliver()
                var all: [[String]] = []
                for try await titles in group { all.append(titles) }
                return all
            }
            let expected = (1...n).map { "Novo arquivo: contrato \($0).pdf" }
            #expect(received.count == 4)
            for titles in received { #expect(titles == expected) }
        }
    }

    @Test func aQuietStreamGetsHeartbeats() async throws {
        try await NotificationsTest.run(heartbeat: .milliseconds(50)) { t in
            let a = try await t.client("Cliente A Ltda", n: 1)
            let beats = try await t.api.subscribe(NotificationsTest.subscribe(from: ""), metadata: NotificationsTest.client(a)) { response in
                var messages: [Message] = []
                for try await m in response.messages {
                    messages.append(m)
                    if messages.count == 3 { break }
                }
                return messages
            }
            #expect(!beats[0].heartbeat && beats[1].heartbeat && beats[2].heartbeat)
            #expect(beats[1].cursor == beats[0].cursor && beats[1].notifications.isEmpty)
        }
    }

    @Test func aStaleCursorStartsFromTheOldestKeptNotificationAndSaysSo() async throws {
        try await NotificationsTest.run { t in
            let a = try await t.client("Cliente A Ltda", n: 1)
            let me = NotificationsTest.client(a)
            let old = try await t.api.getUnreadCounts(.init(), metadata: me).cursor
            try await t.upload("velho.pdf", to: a)
            try await t.upload("novo.pdf", to: a)
            try await t.deliver()
            let listed = try await t.list(me).notifications
            let (newer, older) = (listed[0], listed[1])
            var read = Conton_Notifications_V1_MarkReadRequest()
            read.notificationIds = [older.id]
            _ = try await t.api.markRead(read, metadata: me)

            func firstMessage(_ cursor: String) async throws -> Message? {
                try await t.api.subscribe(NotificationsTest.subscribe(from: cursor), metadata: me) { response -> Message? in
                    for try await m in response.messages { return m }
                    return nil
                }
            }
            // Before pruning the old cursor is good: both made since, as new.
            let fresh = try #require(try await firstMessage(old))
            #expect(!fresh.cursorStale && Set(fresh.notifications.map(\.id)) == [newer.id, older.id])

            // 181 days on, the read one is pruned; the unread one is kept however old.
            t.clock.advance(milliseconds: 181 * 86_400_000)
            #expect(try await NotificationsPlugin.prune(context: t.context, retentionDays: 180) == 1)
            let stale = try #require(try await firstMessage(old))
            #expect(stale.cursorStale && stale.notifications.map(\.id) == [newer.id] && stale.counts.total == 1)
            // A cursor of another database is stale too; one that is not a cursor is refused.
            let foreign = try #require(try await firstMessage("0123456789ab.1"))
            #expect(foreign.cursorStale && foreign.notifications.map(\.id) == [newer.id])
            let error = await rpcError { _ = try await firstMessage("não é um cursor") }
            #expect(error?.code == .invalidArgument && error?.violations["cursor"] != nil)
            // The current cursor is not stale.
            let now = try await t.list(me).cursor
            let current = try #require(try await firstMessage(now))
            #expect(!current.cursorStale && current.notifications.isEmpty)
        }
    }
}

/// Over the real server (TLS, the ContOn transport): a client that closes its stream leaves the
/// hub at once, however long the heartbeat.
@Suite struct NotificationStreamOverTLSTests {
    @Test func aClosedStreamLeavesTheHub() async throws {
        let plugin = NotificationsPlugin(heartbeat: .seconds(3600), sweepAtStart: false)
        try await withTestServer(plugins: [plugin]) { test in
            let api = Conton_Notifications_V1_Notifications.Client(wrapping: test.client)
            let staff = TestServer.bearer(try await test.login())
            let first = try await api.subscribe(.init(), metadata: staff) { response -> Conton_Notifications_V1_SubscribeResponse? in
                for try await m in response.messages { return m }
                return nil
            }
            #expect(first?.counts.kinds.count == 7 && first?.cursor.isEmpty == false)
            for _ in 0..<10_000 where plugin.liveSubscribers != 0 { try await Task.sleep(for: .milliseconds(5)) }
            #expect(plugin.liveSubscribers == 0)
        }
    }
}
