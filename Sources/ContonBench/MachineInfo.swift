import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What a benchmark ran on, and how busy the machine was: figures mean little without it.
public struct MachineInfo: Sendable, Codable, Equatable {
    /// Online CPUs (`nproc`).
    public var cpus: Int
    /// `model name` from /proc/cpuinfo.
    public var cpuModel: String
    /// `uname -sr`.
    public var kernel: String
    /// The 1-minute load average from /proc/loadavg.
    public var loadAverage1m: Double?

    enum CodingKeys: String, CodingKey {
        case cpus, cpuModel = "cpu_model", kernel, loadAverage1m = "load_1m"
    }

    /// The machine now.
    public static func current() -> MachineInfo {
        let cpuinfo = CPUMeter.readSmallFile("/proc/cpuinfo") ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        var name = utsname()
        uname(&name)
        func text<T>(_ field: T) -> String {
            withUnsafeBytes(of: field) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
        }
        return MachineInfo(cpus: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), cpuModel: model,
                           kernel: "\(text(name.sysname)) \(text(name.release))", loadAverage1m: loadAverage())
    }

    /// The 1-minute load average, or nil when /proc/loadavg cannot be read.
    public static func loadAverage() -> Double? {
        CPUMeter.readSmallFile("/proc/loadavg")?.split(separator: " ").first.flatMap { Double($0) }
    }

    /// Processes running a compiler or linker now (`swift-frontend`, `swift-build`, `clang`, `ld`…):
    /// other builds on the machine skew figures, so runs record how many there were.
    public static func busyCompilerProcesses() -> Int {
        let names: Set<String> = ["swift-frontend", "swift-build", "swift-driver", "swift-test", "clang", "clang-17", "ld", "ld.gold", "ld.lld", "cc1", "cc1plus"]
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.reduce(0) { count, entry in
            guard entry.first?.isNumber == true,
                  let comm = CPUMeter.readSmallFile("/proc/\(entry)/comm")?.trimmingCharacters(in: .whitespacesAndNewlines)
            else { return count }
            return names.contains(comm) ? count + 1 : count
        }
    }

    /// `2 × Intel(R) Xeon(R) … · Linux 6.1.0 · load 0.13`.
    public var summary: String {
        "\(cpus) × \(cpuModel) · \(kernel)" + (loadAverage1m.map { " · load \(String(format: "%.2f", $0))" } ?? "")
    }
}
