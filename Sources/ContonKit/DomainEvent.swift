import Foundation
import GRDB

/// A typed domain event. Published inside the write transaction that causes it; delivered to
/// subscribers after commit through the outbox.
public protocol DomainEvent: Codable, Sendable {
    /// Topic name, `<plugin>.<what>` e.g. `client.created`.
    static var topic: String { get }
}

/// One event as the outbox delivers it: its outbox id (unique for ever: the outbox's key is
/// AUTOINCREMENT, never reused), its topic, its JSON payload and who caused it. A subscriber that
/// must act exactly once per event keys its own rows on ``id`` in the same transaction as its work.
public struct DeliveredEvent: Sendable, Hashable {
    public var id: Int64
    public var topic: String
    public var payload: Data
    /// The principal whose call published it: `staff`, `client`, `service`, or `system` (a sweep,
    /// an operator's command) — and its user or account id ("" for the system).
    public var actorKind: String
    public var actorID: String

    public init(id: Int64, topic: String, payload: Data, actorKind: String = "system", actorID: String = "") {
        self.id = id
        self.topic = topic
        self.payload = payload
        self.actorKind = actorKind
        self.actorID = actorID
    }

    /// The payload decoded as `E` (a plugin's own mirror of another plugin's event is fine: the
    /// JSON's field names are the contract).
    public func decode<E: Decodable>(_ type: E.Type) throws -> E {
        try JSONDecoder().decode(E.self, from: payload)
    }
}

/// Subscriptions a plugin registers: topic → handler of the delivered event.
public struct EventSubscriptions {
    var handlers: [String: [@Sendable (DeliveredEvent) async throws -> Void]] = [:]

    /// Calls `handler` for every event of `topic`, with its outbox id — for a subscriber that
    /// reads another plugin's events without importing its implementation (decode the payload
    /// into your own type) or that must act exactly once per event. Retried like the typed form.
    public mutating func subscribe(topic: String, _ handler: @escaping @Sendable (DeliveredEvent) async throws -> Void) {
        handlers[topic, default: []].append(handler)
    }

    /// Calls `handler` for every `E` published, after its transaction commits. A handler that
    /// throws is retried later (at-least-once delivery): make it idempotent.
    public mutating func subscribe<E: DomainEvent>(to type: E.Type, _ handler: @escaping @Sendable (E) async throws -> Void) {
        handlers[E.topic, default: []].append { event in
            try await handler(event.decode(E.self))
        }
    }
}
