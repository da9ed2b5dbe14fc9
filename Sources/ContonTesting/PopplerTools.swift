import ContonStore
import Foundation

/// poppler-utils and zbar-tools (installed by the Makefile), run on rendered bytes: what a person's PDF reader and a phone's
/// QR scanner would see.
public enum PopplerTools {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// With `CONTON_DOCUMENT_SAMPLES=DIR` set, keeps `bytes` there as `name`, to look at
    /// (docs/DOCUMENTS.md shows pages rendered from these).
    public static func keep(_ bytes: [UInt8], as name: String) throws {
        guard let dir = ProcessInfo.processInfo.environment["CONTON_DOCUMENT_SAMPLES"] else { return }
        try Data(bytes).write(to: URL(fileURLWithPath: dir).appendingPathComponent(name))
    }

    /// Writes `pdf` to a temporary file, runs `body` with its path, removes it.
    public static func withFile<T: Sendable>(_ pdf: [UInt8], _ body: @escaping @Sendable (String) throws -> T) async throws -> T {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("conton-doc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("doc.pdf").path
        try Data(pdf).write(to: URL(fileURLWithPath: path))
        return try await BlockingWork.run(name: "poppler") { try body(path) }
    }

    /// Runs a tool (off the cooperative pool: `waitUntilExit` blocks); its standard output.
    public static func run(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/\(tool)")
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        _ = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failure(description: "\(tool) \(arguments) exited \(process.terminationStatus)") }
        return String(decoding: data, as: UTF8.self)
    }

    /// `pdftotext -layout` of each page (form feeds split pages).
    public static func text(_ pdf: [UInt8]) async throws -> [String] {
        try await withFile(pdf) { path in
            try run("pdftotext", ["-layout", "-enc", "UTF-8", path, "-"]).components(separatedBy: "\u{0C}").filter { !$0.isEmpty }
        }
    }

    /// `pdfinfo`'s fields.
    public static func info(_ pdf: [UInt8]) async throws -> [String: String] {
        try await withFile(pdf) { path in
            var fields: [String: String] = [:]
            for line in try run("pdfinfo", [path]).split(separator: "\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            return fields
        }
    }

    /// Every symbol zbarimg reads on page `page` rendered at `dpi`, as "type:data"
    /// ("I2/5:00193…", "QR-Code:000201…").
    public static func symbols(_ pdf: [UInt8], page: Int = 1, dpi: Int = 300) async throws -> [String] {
        try await withFile(pdf) { path in
            let png = (path as NSString).deletingLastPathComponent + "/page"
            _ = try run("pdftoppm", ["-r", "\(dpi)", "-f", "\(page)", "-l", "\(page)", "-png", "-singlefile", path, png])
            return try run("zbarimg", ["-q", png + ".png"]).split(separator: "\n").map(String.init)
        }
    }

    /// What zbarimg reads in a PNG image (`--raw`: the data only, one symbol a line).
    public static func pngSymbols(_ png: [UInt8]) async throws -> [String] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("conton-png-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("image.png").path
        try Data(png).write(to: URL(fileURLWithPath: path))
        return try await BlockingWork.run(name: "zbarimg") {
            try run("zbarimg", ["-q", "--raw", path]).split(separator: "\n").map(String.init)
        }
    }

    /// The QR codes zbarimg reads on page `page` rendered at 150 dpi.
    public static func qrCodes(_ pdf: [UInt8], page: Int = 1) async throws -> [String] {
        try await withFile(pdf) { path in
            let png = (path as NSString).deletingLastPathComponent + "/page"
            _ = try run("pdftoppm", ["-r", "150", "-f", "\(page)", "-l", "\(page)", "-png", "-singlefile", path, png])
            return try run("zbarimg", ["-q", "--raw", png + ".png"]).split(separator: "\n").map(String.init)
        }
    }
}
