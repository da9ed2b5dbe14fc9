import Foundation
import GRDB

/// A typed domain event. Published inside the write transaction that causes it; delivered to
/// subscribers after commit through the outbox.
public protocol DomainEvent: Codable, Sendable {
    /// Topic name, `<plugin>.<what>` e.g. `client.created`.
    static var topic: String { get }
}

/// Subscriptions a plugin registers: topic → handler of the decoded event.
public struct EventSubscriptions {
    var handlers: [String: [@Sendable (Data) async throws -> Void]] = [:]

    /// Calls `handler` for every `E` published, after its transaction commits. A handler that
    /// throws is retried later (at-least-once delivery): make it idempotent.
    public mutating func subscribe<E: DomainEvent>(to type: E.Type, _ handler: @escaping @Sendable (E) async throws -> Void) {
        handlers[E.topic, default: []].append { data in
            try await handler(JSONDecoder().decode(E.self, from: data))
        }
    }
}
