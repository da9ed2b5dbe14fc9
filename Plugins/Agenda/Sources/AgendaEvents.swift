import ContonKit

/// An event was put on the agenda (by CreateEvent; obligations publish ``ObligationsGenerated``).
public struct AgendaEventCreated: DomainEvent, Equatable {
    public static let topic = "agenda.event_created"
    public var eventID: Int64
    /// '' for an office event.
    public var clientID: String
    public var title: String
    public var startDate: String
    public var sharedWithClient: Bool
    public var responsibleUserID: String
}

/// A reminder of an occurrence fell due (once per event, occurrence and reminder).
public struct AgendaReminderDue: DomainEvent, Equatable {
    public static let topic = "agenda.reminder"
    public var eventID: Int64
    public var clientID: String
    public var title: String
    /// The occurrence (its rule's day) and when it starts.
    public var originalDate: String
    public var startMs: Int64
    public var minutesBefore: Int
    public var sharedWithClient: Bool
    public var responsibleUserID: String
}

/// GenerateObligations put a year of obligations on the agenda.
public struct ObligationsGenerated: DomainEvent, Equatable {
    public static let topic = "agenda.obligations_generated"
    public var year: Int
    public var clientID: String
    public var created: Int
    public var updated: Int
    public var removed: Int
}
