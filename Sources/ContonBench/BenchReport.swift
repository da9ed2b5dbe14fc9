import Foundation

/// Formats results: an aligned text table, a Markdown table, one JSON line per run.
public enum BenchReport {
    /// The table's columns, in order.
    static let header = ["transport", "mode", "conns×flight", "payload", "calls", "errors", "calls/s", "msgs/s",
                         "p50 µs", "p90 µs", "p99 µs", "p99.9 µs", "max µs", "CPU µs/call"]
    /// Which columns hold text (left-aligned); the rest are numbers (right-aligned).
    static let textColumns: Set<Int> = [0, 1, 2, 5, 13]

    /// One row of cells per result.
    static func cells(_ r: LoadResult) -> [String] {
        let o = r.options
        let mode = o.mode == .unary ? (r.options.unaryMethod.method == "UnaryCall" ? "unary" : "unary \(o.unaryMethod.method)")
                                    : "stream×\(o.streamMessages)"
        return [
            r.transport, mode, "\(o.connections)×\(o.concurrency)", "\(o.payloadSize) B", "\(r.calls)", errorsCell(r),
            number(r.callsPerSecond, decimals: 0), number(r.messagesPerSecond, decimals: 0),
            micros(r.latency.p50), micros(r.latency.p90), micros(r.latency.p99), micros(r.latency.p999), micros(r.latency.max),
            cpuCell(r),
        ]
    }

    /// An aligned plain-text table, a header line and one line per result; error details follow
    /// the table (first message per status code).
    public static func table(_ results: [LoadResult]) -> String {
        let rows = [header] + results.map(cells)
        var widths = [Int](repeating: 0, count: header.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        var lines = rows.map { row in
            row.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return textColumns.contains(i) ? cell + pad : pad + cell
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        lines.insert(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "), at: 1)
        lines += errorDetails(results)
        return lines.joined(separator: "\n")
    }

    /// A GitHub-flavoured Markdown table of the same columns (for docs/BENCHMARKS.md).
    public static func markdown(_ results: [LoadResult]) -> String {
        var lines = ["| " + header.joined(separator: " | ") + " |",
                     "|" + header.indices.map { textColumns.contains($0) ? "---|" : "--:|" }.joined()]
        lines += results.map { "| " + cells($0).joined(separator: " | ") + " |" }
        lines += errorDetails(results).map { "\n" + $0 }
        return lines.joined(separator: "\n")
    }

    /// One JSON object on one line (sorted keys): what `--json` prints per run and
    /// ``decode(lines:)`` reads back.
    public static func jsonLine(_ result: LoadResult) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(result)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// Reads results back from JSON lines; other lines (blank, or text a tool printed around
    /// them) are skipped.
    /// - Throws: ``BenchError/badReport(_:)`` for a line that starts like JSON but is no result.
    public static func decode(lines text: String) throws(BenchError) -> [LoadResult] {
        var results: [LoadResult] = []
        for (number, line) in text.split(whereSeparator: \.isNewline).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("{") else { continue }
            do {
                results.append(try JSONDecoder().decode(LoadResult.self, from: Data(trimmed.utf8)))
            } catch {
                throw .badReport("line \(number + 1): \(error)")
            }
        }
        return results
    }

    /// The results grouped by `notes["scenario"]` (in order of first appearance), each group in
    /// its original order — so runs of one scenario over several transports sit together.
    public static func groupedByScenario(_ results: [LoadResult]) -> [LoadResult] {
        var order: [String: Int] = [:]
        for r in results where order[r.notes["scenario"] ?? ""] == nil {
            order[r.notes["scenario"] ?? ""] = order.count
        }
        return results.enumerated().sorted { a, b in
            let ka = order[a.element.notes["scenario"] ?? ""]!, kb = order[b.element.notes["scenario"] ?? ""]!
            return ka != kb ? ka < kb : a.offset < b.offset
        }.map(\.element)
    }

    // MARK: - Cells

    static func errorsCell(_ r: LoadResult) -> String {
        guard r.errorCount > 0 else { return "0" }
        return r.errors.map { "\($0.count) \($0.name)" }.joined(separator: ", ")
    }

    static func cpuCell(_ r: LoadResult) -> String {
        var parts: [String] = []
        for scope in CPUMeter.Scope.allCases {
            guard let reading = r.cpu(scope), let perCall = reading.microsPerCall else { continue }
            let label = switch scope {
            case .server: "srv"
            case .client: "cli"
            case .clientAndServer: "cli+srv"
            }
            parts.append("\(label) \(number(perCall, decimals: 1))")
        }
        return parts.isEmpty ? "-" : parts.joined(separator: " ")
    }

    static func errorDetails(_ results: [LoadResult]) -> [String] {
        results.flatMap { r in
            r.errors.map { "\(r.transport) \(r.options.mode.rawValue) \(r.options.connections)×\(r.options.concurrency): \($0.count) × \($0.name) (\($0.code)): \($0.firstMessage)" }
        }
    }

    /// Microseconds: one decimal below 100 µs, none above.
    static func micros(_ value: Double) -> String {
        number(value, decimals: value < 100 ? 1 : 0)
    }

    static func number(_ value: Double, decimals: Int) -> String {
        String(format: "%.\(decimals)f", value)
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
