/// Emits a generated Swift enum for a proto enum.
struct EnumEmitter {
    let model: EnumModel
    /// The name in its declaration (`ServingStatus`), possibly suffixed to avoid a clash.
    let declaredName: String

    func emit(_ w: inout CodeWriter) {
        let names = SwiftNaming.enumCaseNames(enumName: model.name, values: model.values.map(\.name))
        var primary: [(name: String, number: Int32, proto: String)] = []
        var aliases: [(name: String, target: String, proto: String)] = []
        var seen: [Int32: String] = [:]
        for (i, v) in model.values.enumerated() {
            if let target = seen[v.number] {
                aliases.append((names[i], target, v.name))
            } else {
                seen[v.number] = names[i]
                primary.append((names[i], v.number, v.name))
            }
        }
        w.line("/// Enum `\(model.fullName)`. Numbers it does not declare are kept as `unrecognized`.")
        w.block("public enum \(declaredName): ProtoEnum {") { w in
            for c in primary {
                w.line("/// `\(c.proto) = \(c.number)`")
                w.line("case \(SwiftNaming.escaped(c.name))")
            }
            w.line("/// A number this version of the enum does not declare.")
            w.line("case unrecognized(Int32)")
            w.line()
            for a in aliases {
                w.line("/// `\(a.proto)`: an alias of `\(a.target)`.")
                w.line("public static let \(SwiftNaming.escaped(a.name)): Self = .\(SwiftNaming.escaped(a.target))")
            }
            w.line("/// The enum's full protobuf name.")
            w.line("public static let protoEnumName = \"\(model.fullName)\"")
            w.line("/// The declared values, in declaration order.")
            w.line("public static let allCases: [Self] = [\(primary.map { "." + SwiftNaming.escaped($0.name) }.joined(separator: ", "))]")
            w.line()
            w.line("/// The default value, `\(primary.first?.proto ?? "")`.")
            w.line("public init() { self = .\(SwiftNaming.escaped(primary.first?.name ?? "unrecognized(0)")) }")
            w.line()
            w.line("/// The value with this number; `unrecognized` when the enum does not declare it.")
            w.block("public init(rawValue: Int32) {") { w in
                w.switchBlock("switch rawValue {") { w in
                    for c in primary { w.line("case \(c.number): self = .\(SwiftNaming.escaped(c.name))") }
                    w.line("default: self = .unrecognized(rawValue)")
                }
            }
            w.line()
            w.line("/// The value's number.")
            w.block("public var rawValue: Int32 {") { w in
                w.switchBlock("switch self {") { w in
                    for c in primary { w.line("case .\(SwiftNaming.escaped(c.name)): \(c.number)") }
                    w.line("case .unrecognized(let number): number")
                }
            }
            w.line()
            w.line("public static func == (a: Self, b: Self) -> Bool { a.rawValue == b.rawValue }")
            w.line("public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }")
        }
    }
}
