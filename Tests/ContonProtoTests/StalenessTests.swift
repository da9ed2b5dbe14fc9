import Foundation
import Testing

/// The committed generated code (protoc-c C, registry, descriptor set, Swift, Python `_pb2`) matches what
/// `scripts/gen-protos.sh` produces from `Protos/` now.
@Suite struct StalenessTests {
    /// The generator: `$CONTON_PROTOGEN`, or the one SwiftPM built next to this test bundle (the
    /// test target depends on `conton-protogen`, so it is always built with the tests).
    static func generatorPath() throws -> String {
        if let explicit = ProcessInfo.processInfo.environment["CONTON_PROTOGEN"], !explicit.isEmpty {
            return explicit
        }
        let exe = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // The test binary may sit inside a bundle directory below the build folder.
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("conton-protogen").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir.deleteLastPathComponent()
        }
        throw TestSupport.ProcessFailure(description: "conton-protogen not found near \(exe); build it (swift build --product conton-protogen) or set CONTON_PROTOGEN")
    }

    @Test func generatedCodeIsUpToDate() throws {
        let fm = FileManager.default
        let tmp = fm.temporaryDirectory.appendingPathComponent("conton-gen-\(UUID().uuidString)")
        try fm.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: tmp) }
        _ = try TestSupport.run("/bin/bash", [TestSupport.repoRoot.appendingPathComponent("scripts/gen-protos.sh").path, tmp.path], environment: ["CONTON_PROTOGEN": try Self.generatorPath()])

        let compared = [
            "Sources/ContonProtosC", "Sources/ContonAPI/Generated", "Protos/descriptors",
            "clients/python/conton_client/gen",
        ]
        var checked = 0
        for folder in compared {
            let fresh = try files(under: tmp.appendingPathComponent(folder))
            let committed = try files(under: TestSupport.repoRoot.appendingPathComponent(folder))
                .filter { !$0.hasSuffix(".pyc") }
                .filter { folder != "Sources/ContonProtosC" || $0.hasSuffix(".pb-c.c") || $0.hasSuffix(".pb-c.h") || fresh.contains($0) }
            #expect(Set(committed) == Set(fresh), "\(folder): files differ; run scripts/gen-protos.sh")
            for name in fresh {
                let a = TestSupport.readFile(tmp.appendingPathComponent(folder).appendingPathComponent(name).path)
                let b = TestSupport.readFile(TestSupport.repoRoot.appendingPathComponent(folder).appendingPathComponent(name).path)
                let same = a == b  // compared outside #expect so a failure names the file, not every byte
                #expect(same, "\(folder)/\(name) is stale; run make protos")
                checked += 1
            }
        }
        // docs/SECURITY.md's permission table is generated from the access options.
        let document = TestSupport.readFile(tmp.appendingPathComponent("docs/SECURITY.md").path)
        let committedDocument = TestSupport.readFile(TestSupport.repoRoot.appendingPathComponent("docs/SECURITY.md").path)
        let sameDocument = document == committedDocument
        #expect(sameDocument, "docs/SECURITY.md's permission table is stale; run make protos")
        #expect(checked > 20)
    }

    /// Relative paths of the regular files below a folder, sorted.
    private func files(under root: URL) throws -> [String] {
        guard let e = FileManager.default.enumerator(atPath: root.path) else { return [] }
        var out: [String] = []
        while let p = e.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: root.appendingPathComponent(p).path, isDirectory: &isDir), !isDir.boolValue {
                out.append(p)
            }
        }
        return out.sorted()
    }
}
