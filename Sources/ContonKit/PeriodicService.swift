import ServiceLifecycle

/// Background work that runs every `interval` (first at once) until the server shuts down: a
/// plugin's sweep or janitor, registered with ``ServiceRegistrar/run(_:)``. Graceful shutdown
/// ends the wait between runs at once and lets a run in progress finish.
///
/// ```swift
/// services.run(PeriodicService(name: "fees.overdue-sweep", interval: .seconds(3600)) {
///     try await FeesPlugin.sweepOverdue(context: context)
/// })
/// ```
public struct PeriodicService: Service {
    public let name: String
    public let interval: Duration
    let work: @Sendable () async throws -> Void
    let onError: @Sendable (any Error) -> Void

    /// - Parameters:
    ///   - runAtStart: run once at start (true), or wait one interval first.
    ///   - onError: told about a failed run (the next run happens anyway).
    public init(name: String, interval: Duration, runAtStart: Bool = true,
                onError: @escaping @Sendable (any Error) -> Void = { _ in },
                _ work: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.interval = interval
        self.runAtStart = runAtStart
        self.onError = onError
        self.work = work
    }

    let runAtStart: Bool

    public func run() async throws {
        var first = true
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            if !first || !runAtStart {
                // Waits the interval, or until shutdown begins.
                do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) } } catch { }
                if Task.isCancelled || Task.isShuttingDownGracefully { return }
            }
            first = false
            do { try await work() } catch { onError(error) }
        }
    }
}

/// Delivers the event outbox after each commit that published, until the server shuts down.
struct EventDeliveryService: Service {
    let events: EventBus

    func run() async throws {
        await withGracefulShutdownHandler {
            await events.run()
        } onGracefulShutdown: {
            events.finish()
        }
    }
}
