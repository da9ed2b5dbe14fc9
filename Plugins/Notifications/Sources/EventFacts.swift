import Foundation

/// The fields of the other plugins' events this plugin reads, decoded from their JSON payloads
/// (the field names are the contract; this plugin imports none of their implementations). Every
/// field is optional: each topic carries some of them.
struct EventFacts: Decodable, Sendable {
    var clientID: String?
    var responsibleUserID: String?
    var title: String?
    var number: Int64?
    var subject: String?
    // agenda
    var eventID: Int64?
    var startDate: String?
    var originalDate: String?
    var startMs: Int64?
    var minutesBefore: Int?
    var sharedWithClient: Bool?
    // payments
    var payableID: String?
    var payableIDs: [String]?
    var description: String?
    var totalCents: Int64?
    var firstDueDate: String?
    var dueDate: String?
    var balanceCents: Int64?
    var amountPaidCents: Int64?
    var paid: Bool?
    // receivables
    var receivableID: String?
    var receiptNumber: Int64?
    var generationID: String?
    var clients: Int?
    var created: Int?
    var firstCompetence: String?
    var lastCompetence: String?
    // protocols
    var protocolID: String?
    var itemCount: Int?
    var comment: String?
    // attendances
    var attendanceID: String?
    var authorKind: String?
    var `internal`: Bool?
    var visibleToClient: Bool?
    var deadline: String?
    // files
    var fileID: String?
    var fileName: String?
    var direction: String?
    // requests
    var requestID: String?
    var kind: String?
    var by: String?
    var itemIDs: [String]?
    var pendingItems: Int?
    var reminder: Int?
    var nothingToSend: Int?
    var sent: Int?
}
