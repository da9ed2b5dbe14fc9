import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// Paths and subprocesses shared by the tests.
enum TestSupport {
    /// The repository root, from this file's path (Tests/ContonProtoTests/TestSupport.swift).
    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct ProcessFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs a program to completion with posix_spawn (Foundation's `Process` leaks a weak
    /// reference, which LeakSanitizer reports); stdin, stdout and stderr go through temporary
    /// files. Returns stdout, or throws with stderr when the program fails.
    static func run(_ executable: String, _ arguments: [String], stdin: [UInt8] = [], environment: [String: String] = [:]) throws -> [UInt8] {
        let fm = FileManager.default
        let base = fm.temporaryDirectory.appendingPathComponent("conton-run-\(UUID().uuidString)").path
        let (inPath, outPath, errPath) = (base + ".in", base + ".out", base + ".err")
        defer { for p in [inPath, outPath, errPath] { try? fm.removeItem(atPath: p) } }
        guard fm.createFile(atPath: inPath, contents: Data(stdin)) else {
            throw ProcessFailure(description: "cannot write \(inPath)")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard spawned == 0 else { throw ProcessFailure(description: "cannot run \(executable): errno \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        let out = readFile(outPath) ?? []
        let exitedCleanly = status & 0x7F == 0 && (status >> 8) & 0xFF == 0
        guard exitedCleanly else {
            let err = String(decoding: readFile(errPath) ?? [], as: UTF8.self)
            throw ProcessFailure(description: "\(executable) \(arguments.joined(separator: " ")) failed (wait status \(status)): \(err)")
        }
        return out
    }

    /// A file's bytes, read with POSIX calls (FoundationEssentials' `FileManager.contents` leaks
    /// a buffer on empty files, which LeakSanitizer reports); `nil` when it cannot be opened.
    static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return n == 0 ? result : nil }
            result.append(contentsOf: chunk[0..<n])
        }
    }

    /// `protoc --encode=<type>` of a text-format message (maps in deterministic order).
    static func protocEncode(_ text: String, type: String = "conton.testing.v1.Kinds",
                             file: String = "conton/testing/v1/kinds.proto") throws -> [UInt8] {
        try run("/usr/bin/protoc", ["-I\(repoRoot.path)/Protos", "--deterministic_output", "--encode=\(type)", file], stdin: Array(text.utf8))
    }

    /// `protoc --decode=<type>`: the text format of binary bytes.
    static func protocDecode(_ bytes: [UInt8], type: String = "conton.testing.v1.Kinds",
                             file: String = "conton/testing/v1/kinds.proto") throws -> String {
        String(decoding: try run("/usr/bin/protoc", ["-I\(repoRoot.path)/Protos", "--decode=\(type)", file], stdin: bytes), as: UTF8.self)
    }
}
