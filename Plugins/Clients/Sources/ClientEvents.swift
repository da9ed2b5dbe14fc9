import ContonKit

/// A client was registered (by CreateClient or ImportClients).
public struct ClientCreated: DomainEvent, Equatable {
    public static let topic = "client.created"
    public var clientID: String
}

/// A client's registration changed; `fields` are the snake_case paths that were written.
public struct ClientUpdated: DomainEvent, Equatable {
    public static let topic = "client.updated"
    public var clientID: String
    public var fields: [String]
}

/// A client was archived: hidden from lists, its portal login disabled, its history kept.
public struct ClientArchived: DomainEvent, Equatable {
    public static let topic = "client.archived"
    public var clientID: String
}

/// A client was deleted for good; only its id remains, in the audit log.
public struct ClientDeleted: DomainEvent, Equatable {
    public static let topic = "client.deleted"
    public var clientID: String
}
