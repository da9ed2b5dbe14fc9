import ContonKit

/// A request was opened: by the client (`kind` "from_client") or a documents request by the office
/// ("from_office").
public struct RequestOpened: DomainEvent, Equatable {
    public static let topic = "request.opened"
    public var requestID: String
    public var clientID: String
    public var number: Int64
    public var kind: String
    public var subject: String
}

/// A request was answered: by the office (a client request marked ANSWERED, `by` "office") or by
/// the client (items of a documents request, `by` "client", with their ids).
public struct RequestAnswered: DomainEvent, Equatable {
    public static let topic = "request.answered"
    public var requestID: String
    public var clientID: String
    public var by: String
    public var itemIDs: [String]
}

/// A reminder e-mail went to the client about a documents request's pending items.
public struct RequestReminded: DomainEvent, Equatable {
    public static let topic = "request.reminded"
    public var requestID: String
    public var clientID: String
    public var pendingItems: Int
    public var reminder: Int
}

/// Every item of a documents request was answered (files or "nada a enviar"): it is CLOSED.
public struct RequestDone: DomainEvent, Equatable {
    public static let topic = "request.done"
    public var requestID: String
    public var clientID: String
    public var nothingToSend: Int
    public var sent: Int
}
