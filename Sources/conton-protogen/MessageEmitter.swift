/// Emits a generated Swift struct for a proto message (with its nested types), and the extension
/// that converts it to and from ``DynamicMessage``.
struct MessageEmitter {
    let model: MessageModel
    /// The fully qualified Swift name (`Conton_Testing_V1_Kinds.Nested`).
    let swiftName: String
    let isProto3: Bool
    let index: TypeIndex

    private var declaredName: String { String(swiftName.split(separator: ".").last ?? "") }

    /// How one non-oneof field is stored.
    private enum Storage {
        case map(key: String, value: String)
        case repeated(String)
        case message(String)
        case optional(String, defaultValue: String)
        case plain(String, defaultValue: String)
    }

    private func storage(_ f: FieldModel) throws -> Storage {
        if let entry = index.mapEntry(f) {
            guard let k = entry.fields.first(where: { $0.number == 1 }), let v = entry.fields.first(where: { $0.number == 2 }) else {
                throw GeneratorError("\(model.fullName).\(f.name): malformed map entry")
            }
            return .map(key: try index.valueType(k), value: try index.valueType(v))
        }
        let type = try index.valueType(f)
        if f.label == .repeated { return .repeated(type) }
        if f.kind == .message { return .message(type) }
        if !isProto3 { return .optional(type, defaultValue: try defaultValue(f, explicit: f.defaultValue)) }
        return .plain(type, defaultValue: try defaultValue(f, explicit: nil))
    }

    /// A Swift literal for the field's default.
    private func defaultValue(_ f: FieldModel, explicit: String?) throws -> String {
        switch f.kind {
        case .enum: return try index.defaultEnumCase(f.typeName, named: explicit)
        case .string: return explicit.map(Self.stringLiteral) ?? "\"\""
        case .bytes: return explicit.map { "Array(\(Self.stringLiteral($0)).utf8)" } ?? "[]"
        case .bool: return explicit ?? "false"
        case .float, .double:
            switch explicit {
            case nil: return "0"
            case "inf": return ".infinity"
            case "-inf": return "-.infinity"
            case "nan": return ".nan"
            case let v?: return v
            }
        default: return explicit ?? "0"
        }
    }

    static func stringLiteral(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out += u.value < 0x20 ? "\\u{\(String(u.value, radix: 16))}" : String(u)
            }
        }
        return out + "\""
    }

    private func oneofTypeName(_ name: String) -> String { "OneOf_" + SwiftNaming.upperCamel(name) }

    // MARK: declaration

    func emitDeclaration(_ w: inout CodeWriter, file: String) throws {
        w.line("/// Message `\(model.fullName)` from `\(file)`.")
        try w.block("public struct \(declaredName): ProtoMessage {") { w in
            w.line("/// The full protobuf name of this message.")
            w.line("public static let protoMessageName = \"\(model.fullName)\"")
            w.line("/// The protobuf-c descriptor of this message (from the ContonProtosC registry).")
            w.line("public static let protoDescriptor = ProtoMessageDescriptor.registered(protoMessageName)")
            var privateStorage: [String] = []
            for f in model.fields where f.oneofIndex == nil {
                let p = SwiftNaming.propertyName(f.name)
                let e = SwiftNaming.escaped(p)
                w.line()
                w.line("/// `\(fieldSignature(f))`")
                switch try storage(f) {
                case .map(let k, let v):
                    w.line("public var \(e): [\(k): \(v)] = [:]")
                case .repeated(let t):
                    w.line("public var \(e): [\(t)] = []")
                case .message(let t):
                    w.block("public var \(e): \(t) {") { w in
                        w.line("get { _\(p)?.value ?? \(t)() }")
                        w.line("set { _\(p) = ProtoBox(newValue) }")
                    }
                    w.line("/// Whether `\(p)` is set.")
                    w.line("public var has\(SwiftNaming.capitalized(p)): Bool { _\(p) != nil }")
                    w.line("/// Unsets `\(p)`.")
                    w.line("public mutating func clear\(SwiftNaming.capitalized(p))() { _\(p) = nil }")
                    privateStorage.append("private var _\(p): ProtoBox<\(t)>? = nil")
                case .optional(let t, let d):
                    w.block("public var \(e): \(t) {") { w in
                        w.line("get { _\(p) ?? \(d) }")
                        w.line("set { _\(p) = newValue }")
                    }
                    w.line("/// Whether `\(p)` is set.")
                    w.line("public var has\(SwiftNaming.capitalized(p)): Bool { _\(p) != nil }")
                    w.line("/// Unsets `\(p)`.")
                    w.line("public mutating func clear\(SwiftNaming.capitalized(p))() { _\(p) = nil }")
                    privateStorage.append("private var _\(p): \(t)? = nil")
                case .plain(let t, let d):
                    w.line("public var \(e): \(t) = \(d)")
                }
            }
            for (i, name) in model.oneofNames.enumerated() {
                let members = model.fields.filter { $0.oneofIndex == i }
                guard !members.isEmpty else { continue }
                let p = SwiftNaming.escaped(SwiftNaming.propertyName(name))
                let typeName = oneofTypeName(name)
                w.line()
                w.line("/// `oneof \(name)`: at most one of its fields is set.")
                w.line("public var \(p): \(typeName)? = nil")
                for f in members {
                    let fp = SwiftNaming.escaped(SwiftNaming.propertyName(f.name))
                    let t = try index.valueType(f)
                    let d = f.kind == .message ? "\(t)()" : try defaultValue(f, explicit: f.defaultValue)
                    w.line()
                    w.line("/// `\(fieldSignature(f))` in `oneof \(name)`; setting it selects it.")
                    w.block("public var \(fp): \(t) {") { w in
                        w.line("get { if case .\(fp)(let value)? = \(p) { return value }; return \(d) }")
                        w.line("set { \(p) = .\(fp)(newValue) }")
                    }
                }
            }
            w.line()
            w.line("/// Fields read from the wire that this version of the message does not know.")
            w.line("public var unknownFields = ProtoUnknownFields()")
            for (i, name) in model.oneofNames.enumerated() {
                let members = model.fields.filter { $0.oneofIndex == i }
                guard !members.isEmpty else { continue }
                let indirect = members.contains { $0.kind == .message } ? "indirect " : ""
                w.line()
                w.line("/// The fields of `oneof \(name)`.")
                try w.block("public \(indirect)enum \(oneofTypeName(name)): Sendable, Hashable {") { w in
                    for f in members {
                        w.line("/// `\(fieldSignature(f))`")
                        w.line("case \(SwiftNaming.escaped(SwiftNaming.propertyName(f.name)))(\(try index.valueType(f)))")
                    }
                }
            }
            for e in model.enums {
                w.line()
                EnumEmitter(model: e, declaredName: SwiftNaming.nestedTypeName(e.name, isEnum: true)).emit(&w)
            }
            for n in model.nested where !n.isMapEntry {
                w.line()
                let nestedName = swiftName + "." + SwiftNaming.nestedTypeName(n.name, isEnum: false)
                try MessageEmitter(model: n, swiftName: nestedName, isProto3: isProto3, index: index).emitDeclaration(&w, file: file)
            }
            w.line()
            w.line("/// A message with every field at its default.")
            w.line("public init() {}")
            if !privateStorage.isEmpty {
                w.line()
                for s in privateStorage { w.line(s) }
            }
        }
    }

    private func fieldSignature(_ f: FieldModel) -> String {
        let type: String
        if let entry = index.mapEntry(f),
           let k = entry.fields.first(where: { $0.number == 1 }), let v = entry.fields.first(where: { $0.number == 2 }) {
            type = "map<\(protoType(k)), \(protoType(v))>"
        } else {
            let label = f.label == .repeated ? "repeated " : (!isProto3 && f.oneofIndex == nil ? (f.label == .required ? "required " : "optional ") : "")
            type = label + protoType(f)
        }
        return "\(type) \(f.name) = \(f.number)"
    }

    private func protoType(_ f: FieldModel) -> String {
        switch f.kind {
        case .message, .enum, .group: f.typeName
        default: "\(f.kind)"
        }
    }

    // MARK: conversion

    func emitConversion(_ w: inout CodeWriter) throws {
        try w.block("extension \(swiftName) {") { w in
            w.line("/// Converts from the dynamic form.")
            try w.block("public init(dynamicMessage source: DynamicMessage) {") { w in
                w.line("self.init()")
                for f in model.fields where f.oneofIndex == nil {
                    let p = SwiftNaming.propertyName(f.name)
                    let e = SwiftNaming.escaped(p)
                    switch try storage(f) {
                    case .map: w.line("self.\(e) = source.map(\(f.number))")
                    case .repeated: w.line("self.\(e) = source.repeated(\(f.number))")
                    case .message(let t): w.line("self._\(p) = (source.optional(\(f.number)) as \(t)?).map(ProtoBox.init)")
                    case .optional: w.line("self._\(p) = source.optional(\(f.number))")
                    case .plain: w.line("self.\(e) = source.singular(\(f.number))")
                    }
                }
                for (i, name) in model.oneofNames.enumerated() {
                    let members = model.fields.filter { $0.oneofIndex == i }
                    for (j, f) in members.enumerated() {
                        let c = SwiftNaming.escaped(SwiftNaming.propertyName(f.name))
                        let keyword = j == 0 ? "if" : "} else if"
                        w.line("\(keyword) let value: \(try index.valueType(f)) = source.optional(\(f.number)) {")
                        w.line("    self.\(SwiftNaming.escaped(SwiftNaming.propertyName(name))) = .\(c)(value)")
                    }
                    if !members.isEmpty { w.line("}") }
                }
                w.line("self.unknownFields = source.unknownFields")
            }
            w.line()
            w.line("/// This message in dynamic form.")
            try w.block("public func dynamicMessage() -> DynamicMessage {") { w in
                w.line("var result = DynamicMessage(Self.protoDescriptor)")
                for f in model.fields where f.oneofIndex == nil {
                    let p = SwiftNaming.propertyName(f.name)
                    let e = SwiftNaming.escaped(p)
                    switch try storage(f) {
                    case .map: w.line("result.setMap(\(f.number), self.\(e))")
                    case .repeated: w.line("result.setRepeated(\(f.number), self.\(e))")
                    case .message: w.line("if let value = self._\(p) { result.set(\(f.number), value.value) }")
                    case .optional: w.line("if let value = self._\(p) { result.set(\(f.number), value) }")
                    case .plain: w.line("result.setSingular(\(f.number), self.\(e))")
                    }
                }
                for (i, name) in model.oneofNames.enumerated() {
                    let members = model.fields.filter { $0.oneofIndex == i }
                    guard !members.isEmpty else { continue }
                    w.switchBlock("switch self.\(SwiftNaming.escaped(SwiftNaming.propertyName(name))) {") { w in
                        for f in members {
                            w.line("case .\(SwiftNaming.escaped(SwiftNaming.propertyName(f.name)))(let value)?: result.set(\(f.number), value)")
                        }
                        w.line("case nil: break")
                    }
                }
                w.line("result.unknownFields = self.unknownFields")
                w.line("return result")
            }
        }
        if index.holdsOfficeInternal(model.fullName) {
            w.line()
            try emitOfficeInternal(&w)
        }
        for n in model.nested where !n.isMapEntry {
            w.line()
            let nestedName = swiftName + "." + SwiftNaming.nestedTypeName(n.name, isEnum: false)
            try MessageEmitter(model: n, swiftName: nestedName, isProto3: isProto3, index: index).emitConversion(&w)
        }
    }

    /// The `OfficeInternalFields` conformance: clears the marked fields and recurses into every
    /// held message that has some.
    private func emitOfficeInternal(_ w: inout CodeWriter) throws {
        try w.block("extension \(swiftName): OfficeInternalFields {") { w in
            w.line("/// Clears the fields marked `(conton.rpc.v1.office_internal)`, here and in the messages held.")
            try w.block("public mutating func clearOfficeInternalFields() {") { w in
                for f in model.fields where f.oneofIndex == nil {
                    let p = SwiftNaming.propertyName(f.name)
                    let e = SwiftNaming.escaped(p)
                    let storage = try storage(f)
                    if f.isOfficeInternal {
                        switch storage {
                        case .map: w.line("self.\(e) = [:]")
                        case .repeated: w.line("self.\(e) = []")
                        case .message, .optional: w.line("self._\(p) = nil")
                        case .plain(_, let d): w.line("self.\(e) = \(d)")
                        }
                        continue
                    }
                    guard f.kind == .message else { continue }
                    switch storage {
                    case .map:
                        guard let entry = index.mapEntry(f), let v = entry.fields.first(where: { $0.number == 2 }),
                              v.kind == .message, index.holdsOfficeInternal(v.typeName) else { continue }
                        w.line("for key in self.\(e).keys { self.\(e)[key]?.clearOfficeInternalFields() }")
                    case .repeated:
                        guard index.holdsOfficeInternal(f.typeName) else { continue }
                        w.line("for i in self.\(e).indices { self.\(e)[i].clearOfficeInternalFields() }")
                    case .message:
                        guard index.holdsOfficeInternal(f.typeName) else { continue }
                        w.line("if self._\(p) != nil { self.\(e).clearOfficeInternalFields() }")
                    default: break
                    }
                }
                for (i, name) in model.oneofNames.enumerated() {
                    let o = SwiftNaming.escaped(SwiftNaming.propertyName(name))
                    for f in model.fields where f.oneofIndex == i {
                        let c = SwiftNaming.escaped(SwiftNaming.propertyName(f.name))
                        if f.isOfficeInternal {
                            w.line("if case .\(c)? = self.\(o) { self.\(o) = nil }")
                        } else if f.kind == .message, index.holdsOfficeInternal(f.typeName) {
                            w.line("if case .\(c)(var value)? = self.\(o) { value.clearOfficeInternalFields(); self.\(o) = .\(c)(value) }")
                        }
                    }
                }
            }
        }
    }
}
