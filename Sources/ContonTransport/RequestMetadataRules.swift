import ContonAPI

/// The rules request metadata follows on the wire (docs/PROTOCOL.md §4), checked when a call
/// opens, before any handler runs. A call that breaks one is answered at once with
/// INVALID_ARGUMENT naming the first offending key; the connection carries on.
///
/// - A key is non-empty lower-case ASCII `[0-9a-z_.-]`, as in gRPC; nothing is lower-cased for
///   the client (`Authorization` is refused, not read as `authorization`).
/// - A key ending in `-bin` carries any bytes; every other value is printable ASCII 0x20–0x7E.
/// - Keys starting with `grpc-` or `conton-` are reserved: a client sends none (the deadline
///   travels in `CallHeaders.timeout_micros`, the idempotency key in `idempotency_key`).
enum RequestMetadataRules {
    static let reservedPrefixes = ["grpc-", "conton-"]

    /// Why a call with these headers is refused, or nil.
    static func violation(_ entries: [Conton_Rpc_V1_MetadataEntry], idempotencyKey: String) -> String? {
        for (index, entry) in entries.enumerated() {
            if let problem = self.violation(key: entry.key, value: entry.value, index: index) { return problem }
        }
        if !idempotencyKey.utf8.allSatisfy(isPrintable) {
            return "idempotency_key \(quoted(idempotencyKey)): must be printable ASCII (0x20-0x7E)"
        }
        return nil
    }

    static func violation(key: String, value: [UInt8], index: Int) -> String? {
        if key.isEmpty { return "metadata entry \(index) has an empty key" }
        guard key.utf8.allSatisfy(isKeyByte) else {
            return "metadata key \(quoted(key)): keys are lower-case ASCII letters, digits, '_', '.' and '-' only"
        }
        if let prefix = reservedPrefixes.first(where: key.hasPrefix) {
            let hint = key == GRPCTimeout.metadataKey ? "; a deadline travels in CallHeaders.timeout_micros" : ""
            return "metadata key \(quoted(key)): the '\(prefix)' prefix is reserved for the protocol\(hint)"
        }
        if !key.hasSuffix("-bin"), !value.allSatisfy(isPrintable) {
            return "metadata key \(quoted(key)): a text value must be printable ASCII (0x20-0x7E); bytes go under a key ending in '-bin'"
        }
        return nil
    }

    static func isKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"): true
        default: false
        }
    }

    static func isPrintable(_ byte: UInt8) -> Bool { (0x20...0x7E).contains(byte) }

    /// The key in quotes, every byte outside printable ASCII (and the quote) as `\xNN`, so that
    /// the status message names it unambiguously.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for byte in text.utf8 {
            if isPrintable(byte) && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                out.append(Character(Unicode.Scalar(byte)))
            } else {
                out += "\\x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out + "\""
    }
}
