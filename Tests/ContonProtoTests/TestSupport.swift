import Foundation
import Testing

/// Paths and subprocesses shared by the tests.
enum TestSupport {
    /// The repository root, from this file's path (Tests/ContonProtoTests/TestSupport.swift).
    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct ProcessFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs a program to completion; returns stdout, or throws with stderr when it fails.
    static func run(_ executable: String, _ arguments: [String], stdin: [UInt8] = [], environment: [String: String] = [:],
                    directory: URL = repoRoot) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        process.environment = env
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Drain stderr concurrently so a chatty child cannot block on a full pipe.
        let errorData = LockedData()
        let errorReader = Thread { errorData.set(errors.fileHandleForReading.readDataToEndOfFile()) }
        errorReader.start()
        input.fileHandleForWriting.write(Data(stdin))
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorData.isSet { usleep(1000) }
        guard process.terminationStatus == 0 else {
            throw ProcessFailure(description: "\(executable) \(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(String(decoding: errorData.value, as: UTF8.self))")
        }
        return [UInt8](out)
    }

    /// `protoc --encode=<type>` of a text-format message (maps in deterministic order).
    static func protocEncode(_ text: String, type: String = "conton.testing.v1.Kinds",
                             file: String = "conton/testing/v1/kinds.proto") throws -> [UInt8] {
        try run("/usr/bin/protoc", ["-IProtos", "--deterministic_output", "--encode=\(type)", file], stdin: Array(text.utf8))
    }

    /// `protoc --decode=<type>`: the text format of binary bytes.
    static func protocDecode(_ bytes: [UInt8], type: String = "conton.testing.v1.Kinds",
                             file: String = "conton/testing/v1/kinds.proto") throws -> String {
        String(decoding: try run("/usr/bin/protoc", ["-IProtos", "--decode=\(type)", file], stdin: bytes), as: UTF8.self)
    }
}

/// A value written by one thread and read by another.
final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?
    func set(_ d: Data) { lock.lock(); data = d; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return data != nil }
    var value: Data { lock.lock(); defer { lock.unlock() }; return data ?? Data() }
}
