import ContonKit

/// A fee generation committed: one event per batch, however many fees it created.
public struct FeesGenerated: DomainEvent, Equatable {
    public static let topic = "fees.generated"
    public var generationID: String
    public var clients: Int
    public var created: Int
    public var skipped: Int
    public var firstCompetence: String
    public var lastCompetence: String
    public var totalCents: Int64
}

/// A readjustment of monthly fees committed (ReadjustFees): one event for the whole.
public struct FeesReadjusted: DomainEvent, Equatable {
    public static let topic = "fees.readjusted"
    public var readjustmentID: String
    public var clients: Int
    /// "4.87".
    public var percent: String
    /// The first competence charged the new fees, YYYY-MM.
    public var fromMonth: String
    public var previousTotalCents: Int64
    public var newTotalCents: Int64
}

/// A payment was registered on a receivable (partial or the last one); `paid` tells whether its
/// balance reached zero.
public struct ReceivableSettled: DomainEvent, Equatable {
    public static let topic = "receivable.settled"
    public var receivableID: String
    public var clientID: String
    public var paymentID: String
    public var receiptNumber: Int64
    public var amountPaidCents: Int64
    public var balanceCents: Int64
    public var paid: Bool
}

/// A receivable was cancelled (CancelReceivable, CancelFee): billing writes its boleto off.
public struct ReceivableCancelled: DomainEvent, Equatable {
    public static let topic = "receivable.cancelled"
    public var receivableID: String
    public var clientID: String
    public var reason: String
}

/// An open receivable passed its due date (published once per receivable by the overdue sweep).
public struct ReceivableOverdue: DomainEvent, Equatable {
    public static let topic = "receivable.overdue"
    public var receivableID: String
    public var clientID: String
    public var dueDate: String
    public var balanceCents: Int64
}
