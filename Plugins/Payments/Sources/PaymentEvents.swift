import ContonKit

/// Payables were created: one event per CreatePayables entry (a payable, or all its
/// instalments), however many rows it made; recurring generation publishes one per payable.
public struct PayableCreated: DomainEvent, Equatable {
    public static let topic = "payable.created"
    public var payableIDs: [String]
    public var supplierID: String
    public var description: String
    public var totalCents: Int64
    /// The first (or only) due date.
    public var firstDueDate: String
}

/// A payment was registered on a payable (partial or the last one); `paid` tells whether the
/// balance reached zero.
public struct PayableSettled: DomainEvent, Equatable {
    public static let topic = "payable.settled"
    public var payableID: String
    public var supplierID: String
    public var paymentID: String
    public var amountPaidCents: Int64
    public var balanceCents: Int64
    public var paid: Bool
}

/// A pending payable falls due within the office's due-soon window (published once per payable).
public struct PayableDueSoon: DomainEvent, Equatable {
    public static let topic = "payable.due_soon"
    public var payableID: String
    public var supplierID: String
    public var dueDate: String
    public var balanceCents: Int64
}

/// A pending payable passed its due date (published once per payable).
public struct PayableOverdue: DomainEvent, Equatable {
    public static let topic = "payable.overdue"
    public var payableID: String
    public var supplierID: String
    public var dueDate: String
    public var balanceCents: Int64
}
