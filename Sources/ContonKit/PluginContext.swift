import ContonStore
import Foundation
import GRDB
import Logging

/// A source of the current time, replaceable in tests.
public protocol Clock: Sendable {
    /// Now, as UTC milliseconds since 1970.
    var nowMilliseconds: Int64 { get }
}

/// The system clock.
public struct SystemClock: Clock {
    public init() {}
    public var nowMilliseconds: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}

/// What a plugin receives: the database, clock, event bus, mailer, logger.
public struct PluginContext: Sendable {
    public let pluginID: String
    public let database: ContonDatabase
    public let clock: any Clock
    public let events: EventBus
    /// Queues e-mail in a transaction (see ``Mutation/mail(_:)``).
    public let mailer: Mailer
    /// Every registered method's access policy (complete once the server has started).
    public let policies: AccessPolicyTable
    /// What other plugins offer this one (complete before services are registered).
    public let capabilities: Capabilities
    public let logger: Logger
}
