import Foundation
import GRPCCore

/// List pagination (AIP-158): a page size with a default and a maximum, and an opaque page token
/// that carries the last key of the previous page (keyset pagination: stable under inserts).
public struct Pagination: Sendable, Hashable {
    /// Rows to return.
    public var size: Int
    /// The key after which this page starts (nil: the first page).
    public var after: String?

    /// Reads `page_size` and `page_token` of a request. A size of 0 means `defaultSize`; larger
    /// than `maximum` is clamped; negative or a token this server did not issue is INVALID_ARGUMENT.
    public init(size: Int32, token: String, defaultSize: Int = 50, maximum: Int = 500) throws(RPCError) {
        var errors = FieldErrors()
        if size < 0 { errors.add("page_size", "must not be negative") }
        var after: String?
        if !token.isEmpty {
            if let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8), text.hasPrefix("p1:") {
                after = String(text.dropFirst(3))
            } else {
                errors.add("page_token", "is not a token from a previous page")
            }
        }
        try errors.check()
        self.size = size == 0 ? defaultSize : min(Int(size), maximum)
        self.after = after
    }

    /// The token for the page after the one ending at `lastKey`; empty when the page was not full.
    public func nextToken(lastKey: String?, returned: Int) -> String {
        guard returned >= size, let lastKey else { return "" }
        return Data(("p1:" + lastKey).utf8).base64EncodedString()
    }
}

/// The key of a list ordered by a text column then an integer id, as ``Pagination``'s page
/// key: `<text key>\u{1}<id>`.
public enum ListCursor {
    public static func encode(_ key: String, _ id: Int64) -> String { key + "\u{1}" + String(id) }

    /// The (key, id) of a page key; INVALID_ARGUMENT on `page_token` when it is not one.
    public static func decode(_ token: String?) throws(RPCError) -> (key: String, id: Int64)? {
        guard let token else { return nil }
        guard let i = token.lastIndex(of: "\u{1}"), let id = Int64(token[token.index(after: i)...]) else {
            throw FieldErrors.single("page_token", "is not a token from a previous page")
        }
        return (String(token[..<i]), id)
    }
}
