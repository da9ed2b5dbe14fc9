/// What can go wrong around a benchmark run (the calls' own failures are counted, not thrown).
public enum BenchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The options make no sense (zero connections, negative payload, …).
    case invalidOptions(String)
    /// A child server could not be started or did not print its ready line in time.
    case serverStart(String)
    /// A report file could not be read or holds something other than result lines.
    case badReport(String)

    public var description: String {
        switch self {
        case .invalidOptions(let message): "invalid options: \(message)"
        case .serverStart(let message): "server did not start: \(message)"
        case .badReport(let message): "bad report: \(message)"
        }
    }
}
