import ContonKit
import GRPCCore

/// Where a subscriber stands: the database's epoch and a change sequence, written
/// `<epoch>.<seq>` (opaque to clients). A cursor of another epoch (a database restored or
/// replaced), past the last sequence, or older than what the janitor pruned is *stale*: the
/// stream starts from the oldest kept notification and says so. Anything else is not a cursor.
struct NotificationCursor: Sendable, Hashable, CustomStringConvertible {
    var epoch: String
    var seq: Int64

    var description: String { "\(epoch).\(seq)" }

    /// Parses `text`; INVALID_ARGUMENT on `cursor` when it is not a cursor.
    static func parse(_ text: String) throws(RPCError) -> NotificationCursor {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 12, parts[0].allSatisfy(\.isHexDigit), let seq = Int64(parts[1]), seq >= 0 else {
            throw FieldErrors.single("cursor", "is not a cursor from this service")
        }
        return NotificationCursor(epoch: String(parts[0]), seq: seq)
    }
}
