import ClientsCapability
import ContonAPI
import ContonKit
import GRDB
import ServiceLifecycle

/// Notificações (plugin id `notifications`): the home screen's panel. It follows the other plugins'
/// events after commit and makes one notification per recipient and event (exactly once, even when
/// an event is delivered twice), resolves them when their action is done, streams them live to
/// every subscriber of the recipient, and honours each user's preferences and daily digest
/// (docs/NOTIFICATIONS.md).
public struct NotificationsPlugin: Plugin {
    /// How long a live stream stays silent before a heartbeat.
    let heartbeat: Duration
    /// How often due digests are looked for.
    let digestInterval: Duration
    /// Read, resolved and e-mail-only notifications older than this are pruned (daily).
    let retentionDays: Int
    /// Whether the digest and janitor sweeps also run at start (tests that run them by hand turn
    /// this off).
    let sweepAtStart: Bool
    let hub = NotificationHub()

    public init(heartbeat: Duration = .seconds(15), digestInterval: Duration = .seconds(300), retentionDays: Int = 180,
                sweepAtStart: Bool = true) {
        self.heartbeat = heartbeat
        self.digestInterval = digestInterval
        self.retentionDays = retentionDays
        self.sweepAtStart = sweepAtStart
    }

    public var id: String { "notifications" }
    public var requiredCapabilities: [any Any.Type] { [(any StaffDirectory).self] }

    /// Live `Subscribe` streams in this process now.
    public var liveSubscribers: Int { hub.subscribers }

    /// Sends the digests due now; returns how many e-mails were queued.
    @discardableResult
    public static func sendDigests(context: PluginContext) async throws -> Int {
        try await NotificationDigest.sweep(context: context, staff: context.capabilities.require((any StaffDirectory).self))
    }

    /// Prunes old read/resolved notifications; returns how many were deleted.
    @discardableResult
    public static func prune(context: PluginContext, retentionDays: Int) async throws -> Int {
        try await NotificationJanitor.prune(context: context, retentionDays: retentionDays)
    }

    public func registerMigrations(_ migrations: inout PluginMigrations) {
        NotificationsSchema.register(&migrations)
    }

    public func registerServices(_ services: inout ServiceRegistrar, context: PluginContext) {
        services.register(NotificationsService(context: context, hub: hub))
        let hub = self.hub
        services.run(PeriodicService(name: "notifications.heartbeat", interval: heartbeat, runAtStart: false) { hub.heartbeat() })
        let retentionDays = self.retentionDays
        services.run(PeriodicService(name: "notifications.digest", interval: digestInterval, runAtStart: sweepAtStart, onError: { error in
            context.logger.error("notifications digest failed; will retry", metadata: ["error": "\(error)"])
        }) {
            try await Self.sendDigests(context: context)
        })
        services.run(PeriodicService(name: "notifications.janitor", interval: .seconds(86_400), runAtStart: sweepAtStart, onError: { error in
            context.logger.error("notifications janitor failed; will retry", metadata: ["error": "\(error)"])
        }) {
            try await Self.prune(context: context, retentionDays: retentionDays)
        })
    }

    public func registerSubscriptions(_ subscriptions: inout EventSubscriptions, context: PluginContext) {
        guard let staff = context.capabilities.optional((any StaffDirectory).self) else { return }
        let maker = NotificationMaker(context: context, staff: staff, clients: context.capabilities.optional((any ClientRegistry).self), hub: hub)
        for topic in NotificationRules.topics {
            subscriptions.subscribe(topic: topic) { event in try await maker.handle(event) }
        }
    }
}
