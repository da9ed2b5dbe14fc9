import ContonProto

/// swift-protobuf's naming conventions, as this generator applies them.
///
/// - Types: package components upper-camel-cased and joined by `_`, then the proto name;
///   nested types nest (`Conton_Health_V1_HealthCheckResponse.ServingStatus`). A nested type
///   named like a Swift type the generated code uses gets `Message`/`Enum` appended.
/// - Properties: the field's lowerCamelCase JSON name; Swift keywords in backticks; names that
///   clash with generated members get `_p` appended.
/// - Enum cases: the value name without the enum's name as prefix, lowerCamelCase
///   (`NOT_SERVING` → `notServing`, `TYPE_INT32` in `Type` → `int32`).
enum SwiftNaming {
    static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout",
        "internal", "let", "open", "operator", "private", "precedencegroup", "protocol", "public", "rethrows",
        "static", "struct", "subscript", "typealias", "var", "break", "case", "catch", "continue", "default", "defer",
        "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return", "throw", "switch", "where",
        "while", "Any", "as", "await", "false", "is", "nil", "self", "Self", "super", "throws", "true", "try",
        "_", "some", "any", "package", "consume", "copy", "borrowing", "consuming", "each", "macro", "actor",
    ]

    /// Names the generated code declares on every message, or that cannot be escaped.
    static let reservedMembers: Set<String> = [
        "unknownFields", "dynamicMessage", "hashValue", "hash", "protoMessageName", "protoDescriptor",
        "serializedBytes", "serialize", "jsonString", "protoValue", "protoDefault", "self", "Self", "Type",
        "Protocol", "init", "deinit", "subscript", "_",
    ]

    /// Type names a nested type must not shadow.
    static let reservedTypeNames: Set<String> = [
        "Type", "Protocol", "Self", "Any", "String", "Int32", "Int64", "UInt32", "UInt64", "Float", "Double", "Bool",
        "UInt8", "Array", "Dictionary", "Optional", "Error", "ProtoValue", "DynamicMessage", "ProtoBox",
        "ProtoUnknownFields", "ProtoMessageDescriptor", "Sendable", "Hashable",
    ]

    /// `"conton.health.v1"` → `"Conton_Health_V1_"`.
    static func typePrefix(package: String) -> String {
        package.split(separator: ".").map { upperCamel(String($0)) + "_" }.joined()
    }

    /// `"conton.health.v1"` → `"conton_health_v1_"` (service property prefix, as grpc-swift-protobuf).
    static func propertyPrefix(package: String) -> String {
        package.split(separator: ".").map { lowerCamel(upperCamel(String($0))) + "_" }.joined()
    }

    /// `"foo_bar"` → `"FooBar"`, `"v1"` → `"V1"`.
    static func upperCamel(_ s: String) -> String {
        s.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// A nested type's Swift name.
    static func nestedTypeName(_ name: String, isEnum: Bool) -> String {
        reservedTypeNames.contains(name) ? name + (isEnum ? "Enum" : "Message") : name
    }

    /// The property name of a field.
    static func propertyName(_ fieldName: String) -> String {
        let camel = lowerFirst(ProtoNaming.jsonName(fieldName))
        return reservedMembers.contains(camel) ? camel + "_p" : camel
    }

    /// An identifier usable in declarations and after a dot.
    static func escaped(_ identifier: String) -> String {
        keywords.contains(identifier) ? "`\(identifier)`" : identifier
    }

    /// The capitalised form used in `hasX` / `clearX`.
    static func capitalized(_ s: String) -> String {
        s.prefix(1).uppercased() + s.dropFirst()
    }

    static func lowerFirst(_ s: String) -> String {
        s.prefix(1).lowercased() + s.dropFirst()
    }

    /// grpc-swift's function name of a method: `"Check"` → `"check"`, `"ImportCSV"` → `"importCSV"`,
    /// `"CSVImport"` → `"csvImport"`.
    static func lowerCamel(_ input: String) -> String {
        guard let firstLower = input.firstIndex(where: \.isLowercase) else { return input.lowercased() }
        if firstLower == input.startIndex { return input }
        if firstLower == input.index(after: input.startIndex) {
            return input[input.startIndex].lowercased() + input[firstLower...]
        }
        let split = input.index(before: firstLower)
        return input[..<split].lowercased() + input[split...]
    }

    /// The Swift case names of an enum's values, in declaration order.
    static func enumCaseNames(enumName: String, values: [String]) -> [String] {
        var used = Set<String>()
        return values.map { value in
            var name = caseName(stripPrefix(value, enumName: enumName))
            if name == "unrecognized" || reservedMembers.contains(name) { name += "_" }
            while !used.insert(name).inserted { name += "_" }
            return name
        }
    }

    /// Removes the enum's name from the front of a value name when what is left is a valid name.
    private static func stripPrefix(_ value: String, enumName: String) -> String {
        let prefix = Array(enumName.lowercased().filter { $0 != "_" })
        let chars = Array(value)
        var i = 0, p = 0
        while i < chars.count, p < prefix.count {
            if chars[i] == "_" { i += 1; continue }
            guard Character(chars[i].lowercased()) == prefix[p] else { return value }
            i += 1
            p += 1
        }
        guard p == prefix.count else { return value }
        while i < chars.count, chars[i] == "_" { i += 1 }
        guard i < chars.count, chars[i].isLetter else { return value }
        return String(chars[i...])
    }

    /// `"NOT_SERVING"` → `"notServing"`, `"SINT32"` → `"sint32"`.
    private static func caseName(_ value: String) -> String {
        let parts = value.split(separator: "_").map(String.init)
        guard let first = parts.first else { return "_" + value }
        let rest = parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst().lowercased() }
        var name = first.lowercased() + rest.joined()
        if let c = name.first, c.isNumber { name = "_" + name }
        return name
    }
}
