/// gRPC's `grpc-timeout` metadata value ("<digits><unit>", unit one of H M S m u n), which
/// GRPCCore's client sets from the call's deadline; the wire carries it as `timeout_micros`.
enum GRPCTimeout {
    static let metadataKey = "grpc-timeout"

    static func microseconds(_ value: String) -> UInt64? {
        guard let unit = value.last, let amount = UInt64(value.dropLast()) else { return nil }
        switch unit {
        case "H": return amount.multipliedReportingOverflow(by: 3_600_000_000).partialValue
        case "M": return amount.multipliedReportingOverflow(by: 60_000_000).partialValue
        case "S": return amount.multipliedReportingOverflow(by: 1_000_000).partialValue
        case "m": return amount.multipliedReportingOverflow(by: 1_000).partialValue
        case "u": return amount
        case "n": return max(1, amount / 1_000)
        default: return nil
        }
    }
}
