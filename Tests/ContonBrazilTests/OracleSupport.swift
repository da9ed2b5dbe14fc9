import Foundation
import Testing
@testable import ContonBrazil

/// Runs `Tests/support/brazil_oracle.py` (validate-docbr plus an implementation written from
/// the Receita Federal rules), or another script there (`script:`), and exchanges JSON with it.
enum Oracle {
    /// Tests/support/brazil_oracle.py, from this file's path.
    static let script: String = support("brazil_oracle.py")

    /// Tests/support/NAME, from this file's path.
    static func support(_ name: String) -> String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("support/\(name)").path
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// One verdict of `judge`: validate-docbr's, the spec implementation's reason ("OK" when
    /// valid), and whether both oracles' input rules apply to this input.
    struct Verdict: Decodable {
        var docbr: Bool
        var spec: String
        var comparable: Bool
    }

    /// `python3 brazil_oracle.py ARGS` with `input` encoded as JSON on stdin; stdout decoded.
    static func call<Input: Encodable, Output: Decodable>(_ arguments: [String], input: Input, as: Output.Type,
                                                          script: String = Oracle.script) async throws -> Output {
        let data = try await run(arguments, stdin: JSONEncoder().encode(input), script: script)
        return try JSONDecoder().decode(Output.self, from: data)
    }

    /// `python3 brazil_oracle.py ARGS` with no input.
    static func call<Output: Decodable>(_ arguments: [String], as: Output.Type) async throws -> Output {
        try JSONDecoder().decode(Output.self, from: await run(arguments, stdin: Data()))
    }

    /// ``runBlocking(_:stdin:)`` on a thread of its own: waiting for a child process on the
    /// cooperative pool (two threads on a two-core machine) would stall every other test.
    static func run(_ arguments: [String], stdin: Data, script: String = Oracle.script) async throws -> Data {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try runBlocking(arguments, stdin: stdin, script: script) }) }
        }
    }

    /// Runs the oracle with stdin, stdout and stderr in temporary files (no pipe can fill up).
    static func runBlocking(_ arguments: [String], stdin: Data, script: String = Oracle.script) throws -> Data {
        let fm = FileManager.default
        let base = fm.temporaryDirectory.appendingPathComponent("brazil-oracle-\(UUID().uuidString)").path
        let (inPath, outPath, errPath) = (base + ".in", base + ".out", base + ".err")
        defer { for p in [inPath, outPath, errPath] { try? fm.removeItem(atPath: p) } }
        guard fm.createFile(atPath: inPath, contents: stdin), fm.createFile(atPath: outPath, contents: nil),
              fm.createFile(atPath: errPath, contents: nil) else {
            throw Failure(description: "cannot create temporary files at \(base)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script] + arguments
        let input = try FileHandle(forReadingFrom: URL(fileURLWithPath: inPath))
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let errors = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        try input.close()
        try output.close()
        try errors.close()
        guard process.terminationStatus == 0 else {
            let message = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
            throw Failure(description: "\(URL(fileURLWithPath: script).lastPathComponent) \(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(message)")
        }
        return try Data(contentsOf: URL(fileURLWithPath: outPath))
    }
}

/// A small deterministic generator (SplitMix64) so every random test is reproducible.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The failure reason of `body` ("CHECK_DIGITS", …), or "OK" when it does not throw.
func failureReason<T>(_ body: @autoclosure () throws(BrazilValidationError) -> T) -> String {
    do throws(BrazilValidationError) { _ = try body(); return "OK" } catch { return error.reason.rawValue }
}
