import ContonProto
import GRPCCore

/// What a client principal is sent: every response message with its office-internal fields
/// (`[(conton.rpc.v1.office_internal) = true]`, e.g. `Client.notes`) cleared. The authorization
/// interceptor wraps the response writer of every call a client principal makes, so the rule
/// lives in one place and in the protos, not in each handler.
enum OfficeInternalRedaction {
    /// `message` without its office-internal fields (unchanged when it has none).
    static func redacted<Message>(_ message: Message) -> Message {
        guard var redactable = message as? any OfficeInternalFields else { return message }
        redactable.clearOfficeInternalFields()
        return redactable as! Message
    }

    /// A writer that redacts every message before handing it to `base`.
    struct Writer<Element: Sendable>: RPCWriterProtocol {
        let base: RPCWriter<Element>

        func write(_ element: Element) async throws {
            try await base.write(OfficeInternalRedaction.redacted(element))
        }

        func write(contentsOf elements: some Sequence<Element>) async throws {
            try await base.write(contentsOf: elements.map(OfficeInternalRedaction.redacted))
        }
    }
}
