import ContonProto

/// The parts of a `google.protobuf.FileDescriptorSet` the generator uses, read through
/// ContonProto's dynamic messages (so the generator does not depend on its own output).
struct FileModel {
    var name: String
    var package: String
    var isProto3: Bool
    var messages: [MessageModel]
    var enums: [EnumModel]
    var services: [ServiceModel]
}

struct MessageModel {
    var name: String
    /// Full proto name without a leading dot, e.g. "conton.health.v1.HealthCheckRequest".
    var fullName: String
    var fields: [FieldModel]
    var oneofNames: [String]
    var nested: [MessageModel]
    var enums: [EnumModel]
    var isMapEntry: Bool
}

struct FieldModel {
    enum Label: Int32 { case optional = 1, required = 2, repeated = 3 }
    enum Kind: Int32 {
        case double = 1, float, int64, uint64, int32, fixed64, fixed32, bool, string, group, message, bytes, uint32, `enum`,
             sfixed32, sfixed64, sint32, sint64
    }

    var name: String
    var number: Int32
    var label: Label
    var kind: Kind
    /// Full type name without a leading dot, for message and enum fields.
    var typeName: String
    var defaultValue: String?
    var oneofIndex: Int?
    /// `[(conton.rpc.v1.office_internal) = true]`: cleared in responses to client principals.
    var isOfficeInternal = false
}

/// The numbers of ContOn's custom options (`Protos/conton/rpc/v1/options.proto`). protoc-c does
/// not know them, so they arrive as unknown fields of the `*Options` messages.
enum CustomOption {
    static let access: UInt32 = 51000
    static let officeInternal: UInt32 = 51001

    /// The message option `number` of type `messageName` among `options`' unknown fields.
    static func message(_ number: UInt32, _ messageName: String, in options: DynamicMessage?) throws -> DynamicMessage? {
        guard let field = options?.unknownFields.fields.first(where: { $0.number == number && $0.wireType == 2 }) else { return nil }
        // A length-delimited unknown field keeps its length prefix.
        var i = 0, length = 0, shift = 0
        while i < field.data.count {
            let byte = field.data[i]
            length |= Int(byte & 0x7F) << shift
            i += 1
            if byte < 0x80 { break }
            shift += 7
        }
        guard i + length == field.data.count else { throw GeneratorError("malformed option \(number)") }
        guard ProtoMessageDescriptor.named(messageName) != nil else {
            throw GeneratorError("\(messageName) is not compiled into this generator yet; run scripts/gen-protos.sh again after rebuilding it")
        }
        return try ProtoCodec.decode(field.data[i...], messageName: messageName)
    }

    /// Whether the bool option `number` is set to true among `options`' unknown fields.
    static func flag(_ number: UInt32, in options: DynamicMessage?) -> Bool {
        guard let options else { return false }
        return options.unknownFields.fields.contains { $0.number == number && $0.wireType == 0 && $0.data.contains { $0 != 0 } }
    }
}

struct EnumModel {
    var name: String
    var fullName: String
    var values: [(name: String, number: Int32)]
}

struct ServiceModel {
    struct Method {
        var name: String
        var inputType: String
        var outputType: String
        var clientStreaming: Bool
        var serverStreaming: Bool
        /// The `(conton.rpc.v1.access)` option as a `conton.rpc.v1.AccessRule` message; nil when the
        /// rpc has none (the server then refuses to start).
        var access: DynamicMessage?
    }

    var name: String
    var fullName: String
    var methods: [Method]
}

/// Why the generator cannot go on.
struct GeneratorError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension FileModel {
    /// Reads every file of a serialized FileDescriptorSet.
    static func load(descriptorSet bytes: [UInt8]) throws -> [FileModel] {
        let set = try ProtoCodec.decode(bytes, messageName: "google.protobuf.FileDescriptorSet")
        return try (set.repeated(1) as [DynamicMessage]).map(FileModel.init(file:))
    }

    init(file f: DynamicMessage) throws {
        name = f.singular(1)
        package = f.singular(2)
        let syntax: String = f.singular(12)
        isProto3 = syntax == "proto3"
        let prefix = package
        messages = try (f.repeated(4) as [DynamicMessage]).map { try MessageModel(message: $0, scope: prefix) }
        enums = (f.repeated(5) as [DynamicMessage]).map { EnumModel(enum: $0, scope: prefix) }
        services = try (f.repeated(6) as [DynamicMessage]).map { try ServiceModel(service: $0, scope: prefix) }
    }
}

private func qualified(_ scope: String, _ name: String) -> String {
    scope.isEmpty ? name : "\(scope).\(name)"
}

private func stripDot(_ s: String) -> String {
    s.hasPrefix(".") ? String(s.dropFirst()) : s
}

private func enumNumber(_ m: DynamicMessage, _ number: Int32) -> Int32? {
    if case .enumValue(let v)? = m[number] { return v }
    return nil
}

extension MessageModel {
    init(message m: DynamicMessage, scope: String) throws {
        name = m.singular(1)
        fullName = qualified(scope, name)
        let full = fullName
        fields = try (m.repeated(2) as [DynamicMessage]).map { try FieldModel(field: $0, in: full) }
        nested = try (m.repeated(3) as [DynamicMessage]).map { try MessageModel(message: $0, scope: full) }
        enums = (m.repeated(4) as [DynamicMessage]).map { EnumModel(enum: $0, scope: full) }
        oneofNames = (m.repeated(8) as [DynamicMessage]).map { $0.singular(1) as String }
        let options: DynamicMessage? = m.optional(7)
        isMapEntry = options?.optional(7) == true
    }
}

extension FieldModel {
    init(field f: DynamicMessage, in message: String) throws {
        name = f.singular(1)
        number = f.singular(3)
        guard let label = Label(rawValue: enumNumber(f, 4) ?? 1), let kind = Kind(rawValue: enumNumber(f, 5) ?? 0) else {
            throw GeneratorError("\(message).\(name): unsupported label or type")
        }
        guard kind != .group else { throw GeneratorError("\(message).\(name): proto2 groups are not supported") }
        self.label = label
        self.kind = kind
        typeName = stripDot(f.singular(6))
        defaultValue = f.optional(7)
        oneofIndex = (f.optional(9) as Int32?).map(Int.init)
        isOfficeInternal = CustomOption.flag(CustomOption.officeInternal, in: f.optional(8))
        if f.optional(17) == true {
            throw GeneratorError("\(message).\(name): proto3 optional is not supported by protoc-c 1.4")
        }
    }
}

extension EnumModel {
    init(enum e: DynamicMessage, scope: String) {
        name = e.singular(1)
        fullName = qualified(scope, name)
        values = (e.repeated(2) as [DynamicMessage]).map { ($0.singular(1), $0.singular(2)) }
    }
}

extension ServiceModel {
    init(service s: DynamicMessage, scope: String) throws {
        name = s.singular(1)
        fullName = qualified(scope, name)
        methods = try (s.repeated(2) as [DynamicMessage]).map { m in
            Method(
                name: m.singular(1), inputType: stripDot(m.singular(2)), outputType: stripDot(m.singular(3)),
                clientStreaming: m.singular(5), serverStreaming: m.singular(6),
                access: try CustomOption.message(CustomOption.access, "conton.rpc.v1.AccessRule", in: m.optional(4)))
        }
    }
}
