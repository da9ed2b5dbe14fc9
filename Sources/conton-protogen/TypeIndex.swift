/// Every message and enum of the descriptor set by full proto name, with its Swift name.
struct TypeIndex {
    struct Entry {
        var swiftName: String
        var isEnum: Bool
        var message: MessageModel?
        var enumModel: EnumModel?
        var isProto3: Bool
    }

    private(set) var entries: [String: Entry] = [:]

    init(files: [FileModel]) {
        for file in files {
            let prefix = SwiftNaming.typePrefix(package: file.package)
            for m in file.messages { addMessage(m, swiftName: prefix + m.name, proto3: file.isProto3) }
            for e in file.enums { entries[e.fullName] = Entry(swiftName: prefix + e.name, isEnum: true, enumModel: e, isProto3: file.isProto3) }
        }
    }

    private mutating func addMessage(_ m: MessageModel, swiftName: String, proto3: Bool) {
        entries[m.fullName] = Entry(swiftName: swiftName, isEnum: false, message: m, isProto3: proto3)
        for n in m.nested {
            addMessage(n, swiftName: swiftName + "." + SwiftNaming.nestedTypeName(n.name, isEnum: false), proto3: proto3)
        }
        for e in m.enums {
            entries[e.fullName] = Entry(
                swiftName: swiftName + "." + SwiftNaming.nestedTypeName(e.name, isEnum: true), isEnum: true, enumModel: e, isProto3: proto3)
        }
    }

    /// Whether a message has `office_internal` fields, itself or in any message it holds (map
    /// values included).
    func holdsOfficeInternal(_ fullName: String, visiting: Set<String> = []) -> Bool {
        guard let m = entries[fullName]?.message, !visiting.contains(fullName) else { return false }
        let visiting = visiting.union([fullName])
        return m.fields.contains { f in
            if f.isOfficeInternal { return true }
            guard f.kind == .message else { return false }
            if let entry = mapEntry(f) {
                return entry.fields.contains { $0.number == 2 && $0.kind == .message && holdsOfficeInternal($0.typeName, visiting: visiting) }
            }
            return holdsOfficeInternal(f.typeName, visiting: visiting)
        }
    }

    func swiftName(_ fullName: String) throws -> String {
        guard let e = entries[fullName] else { throw GeneratorError("unknown type \(fullName)") }
        return e.swiftName
    }

    /// The map entry message of a field, when the field is a map.
    func mapEntry(_ field: FieldModel) -> MessageModel? {
        guard field.label == .repeated, field.kind == .message, let m = entries[field.typeName]?.message, m.isMapEntry else { return nil }
        return m
    }

    /// The Swift type of one value of the field (the element type for repeated fields).
    func valueType(_ field: FieldModel) throws -> String {
        switch field.kind {
        case .double: "Double"
        case .float: "Float"
        case .int64, .sint64, .sfixed64: "Int64"
        case .uint64, .fixed64: "UInt64"
        case .int32, .sint32, .sfixed32: "Int32"
        case .uint32, .fixed32: "UInt32"
        case .bool: "Bool"
        case .string: "String"
        case .bytes: "[UInt8]"
        case .enum, .message, .group: try swiftName(field.typeName)
        }
    }

    /// The Swift case of the enum's default value (its first declared value), e.g. `.unknown`.
    func defaultEnumCase(_ fullName: String, named valueName: String? = nil) throws -> String {
        guard let e = entries[fullName]?.enumModel, let first = e.values.first else { throw GeneratorError("enum \(fullName) has no values") }
        let names = SwiftNaming.enumCaseNames(enumName: e.name, values: e.values.map(\.name))
        let index = valueName.flatMap { v in e.values.firstIndex { $0.name == v } } ?? 0
        _ = first
        return "." + SwiftNaming.escaped(names[index])
    }
}
