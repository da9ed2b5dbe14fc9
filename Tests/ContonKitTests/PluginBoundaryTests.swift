import Foundation
import Testing

/// The two rules of docs/PLUGINS.md that keep plugins apart, checked on the repository itself:
/// no plugin reads or writes another plugin's tables, and no plugin target depends on another
/// plugin's implementation target (only on ContonKit and the small capability targets).
@Suite struct PluginBoundaryTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every `.swift` file below `folder` (relative to the repository), with its text.
    static func sources(_ folder: String) -> [(path: String, text: String)] {
        let base = root.appendingPathComponent(folder)
        guard let e = FileManager.default.enumerator(atPath: base.path) else { return [] }
        var out: [(String, String)] = []
        while let p = e.nextObject() as? String {
            if p.hasSuffix(".swift"), let text = try? String(contentsOf: base.appendingPathComponent(p), encoding: .utf8) { out.append((folder + "/" + p, text)) }
        }
        return out
    }

    /// The tables an owner's migrations create.
    static func tables(in texts: [String]) -> Set<String> {
        var names = Set<String>()
        for text in texts {
            for m in text.matches(of: /CREATE\s+(?:VIRTUAL\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([a-z][a-z0-9_]*)/) { names.insert(String(m.output.1)) }
            for m in text.matches(of: /create\(table:\s*"([a-z][a-z0-9_]*)"/) { names.insert(String(m.output.1)) }
        }
        return names
    }

    /// The plugin folders under Plugins/ (each a feature plugin with Sources/).
    static var pluginFolders: [String] {
        let plugins = root.appendingPathComponent("Plugins")
        return ((try? FileManager.default.contentsOfDirectory(atPath: plugins.path)) ?? []).sorted().filter {
            FileManager.default.fileExists(atPath: plugins.appendingPathComponent($0 + "/Sources").path)
        }
    }

    @Test func noPluginTouchesAnotherPluginsTables() throws {
        // Owners: every plugin, the identity layer, and the host (audit, outbox, mail).
        var owners: [String: (tables: Set<String>, texts: [(path: String, text: String)])] = [:]
        for folder in Self.pluginFolders {
            let files = Self.sources("Plugins/\(folder)/Sources")
            owners[folder] = (Self.tables(in: files.map(\.text)), files)
        }
        let identity = Self.sources("Sources/ContonIdentity")
        owners["identity"] = (Self.tables(in: identity.map(\.text)), [])
        let host = Self.sources("Sources/ContonKit") + Self.sources("Sources/ContonStore") + Self.sources("Sources/ContonMail")
        owners["host"] = (Self.tables(in: host.map(\.text)), [])
        #expect(owners.count >= 7)
        #expect(owners["Clients"]?.tables.contains("clients_client") == true && owners["Fees"]?.tables.contains("fees_receivable") == true)
        #expect(owners["host"]?.tables.contains("host_audit") == true && owners["identity"]?.tables.contains("identity_user") == true)
        var violations: [String] = []
        for (owner, entry) in owners {
            let foreign = owners.filter { $0.key != owner }.values.reduce(into: Set<String>()) { $0.formUnion($1.tables) }
            for file in entry.texts {
                for name in foreign where file.text.contains(try Regex("\\b\(name)\\b")) {
                    violations.append("\(file.path) names \(name), a table of another owner")
                }
            }
        }
        #expect(violations.isEmpty, "\(violations.sorted().joined(separator: "\n"))")
    }

    /// Each target declaration of Package.swift: its name, its target dependencies (strings), the
    /// packages of its product dependencies, and its path.
    static func targets() throws -> [(name: String, dependencies: [String], packages: [String], path: String?)] {
        let manifest = try String(contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8)
        var targets: [(name: String, dependencies: [String], packages: [String], path: String?)] = []
        for chunk in manifest.components(separatedBy: ".target(").dropFirst() + manifest.components(separatedBy: ".testTarget(").dropFirst() {
            let declaration = String(chunk.prefix(2000))
            guard let name = declaration.firstMatch(of: /name:\s*"([^"]+)"/)?.output.1 else { continue }
            let list = declaration.firstMatch(of: /dependencies:\s*\[([^\]]*)\]/).map { String($0.output.1) } ?? ""
            let packages = list.matches(of: /package:\s*"([^"]+)"/).map { String($0.output.1) }
            let withoutProducts = list.replacing(/\.product\([^)]*\)/, with: "")
            let dependencies = withoutProducts.matches(of: /"([^"]+)"/).map { String($0.output.1) }
            let path = declaration.firstMatch(of: /path:\s*"([^"]+)"/).map { String($0.output.1) }
            targets.append((String(name), dependencies, packages, path))
        }
        return targets
    }

    /// ContonKit is the plugin API and nothing else: neither NIO, nor the transport or TLS, nor
    /// the mail delivery, even transitively.
    @Test func contonKitDependsOnNoTransportNIOOrMailDelivery() throws {
        let targets = try Self.targets()
        let byName = Dictionary(targets.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var seen = Set<String>(), queue = ["ContonKit"]
        while let next = queue.popLast() {
            guard seen.insert(next).inserted, let target = byName[next] else { continue }
            queue += target.dependencies
        }
        #expect(seen.contains("ContonStore") && seen.contains("ContonRPC") && seen.contains("ContonMailQueue"))
        for forbidden in ["ContonTransport", "ContonTLS", "ContonWire", "ContonMail"] {
            #expect(!seen.contains(forbidden), "ContonKit reaches \(forbidden)")
        }
        let packages = seen.compactMap { byName[$0] }.flatMap(\.packages)
        #expect(!packages.contains("swift-nio"), "ContonKit reaches SwiftNIO through \(seen.filter { byName[$0]?.packages.contains("swift-nio") == true })")
    }

    @Test func noPluginTargetDependsOnAnotherPluginsImplementation() throws {
        let targets = try Self.targets()
        let implementations = Set(targets.filter { $0.path?.hasPrefix("Plugins/") == true && $0.path?.hasSuffix("/Sources") == true }.map(\.name))
        #expect(implementations.isSuperset(of: ["ClientsPlugin", "FeesPlugin", "FilesPlugin", "OfficePlugin", "ExamplePlugin"]))
        var violations: [String] = []
        for target in targets where implementations.contains(target.name) {
            for dependency in target.dependencies where implementations.contains(dependency) {
                violations.append("\(target.name) depends on \(dependency)")
            }
        }
        #expect(violations.isEmpty, "\(violations)")
    }
}
