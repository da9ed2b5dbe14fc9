/// Reads proto3 JSON into a ``DynamicMessage``.
enum ProtoJSONDecoder {
    static func message(_ json: JSONValue, _ d: ProtoMessageDescriptor, path: String) throws -> DynamicMessage {
        if let special = WellKnownJSON(d.fullName) {
            return try wellKnown(special, json, d, path: path)
        }
        guard case .object(let members) = json else {
            throw ProtoJSONError(.invalidValue, path: path, "expected an object for \(d.fullName), got \(json.typeName)")
        }
        var result = DynamicMessage(d)
        let fields = d.fields
        var seen = Set<Int32>()
        var oneofsSet: [UInt32: String] = [:]
        for (key, value) in members {
            let fieldPath = ProtoFieldDescriptor.path(path, key)
            guard let field = d.field(protoName: key) ?? fields.first(where: { $0.jsonName == key }) else {
                throw ProtoJSONError(.unknownField, path: fieldPath, "unknown field \"\(key)\" in \(d.fullName)")
            }
            guard seen.insert(field.number).inserted else {
                throw ProtoJSONError(.duplicateField, path: fieldPath, "field \(field.name) appears more than once")
            }
            if case .null = value, !isNullValue(field) { continue }
            if let group = field.oneofGroup {
                if let other = oneofsSet[group] {
                    throw ProtoJSONError(.duplicateField, path: fieldPath, "fields \(other) and \(key) belong to the same oneof; set at most one")
                }
                oneofsSet[group] = key
            }
            if field.isMap, let entryType = field.messageType {
                result[field.number] = try map(value, field, entryType, path: fieldPath)
            } else if field.isRepeated {
                guard case .array(let elements) = value else {
                    throw ProtoJSONError(.invalidValue, path: fieldPath, "expected an array, got \(value.typeName)")
                }
                let list = try elements.enumerated().map { i, e in try single(e, field, path: "\(fieldPath)[\(i)]") }
                result[field.number] = list.isEmpty ? nil : .list(list)
            } else {
                let v = try single(value, field, path: fieldPath)
                result[field.number] = (!field.hasPresence && v.isDefault) ? nil : v
            }
        }
        return result
    }

    /// `google.protobuf.NullValue` is the one type where JSON `null` is a value; not used here.
    private static func isNullValue(_ field: ProtoFieldDescriptor) -> Bool { false }

    private static func map(_ json: JSONValue, _ field: ProtoFieldDescriptor, _ entryType: ProtoMessageDescriptor, path: String) throws -> ProtoValue? {
        guard case .object(let members) = json else {
            throw ProtoJSONError(.invalidValue, path: path, "expected an object (map), got \(json.typeName)")
        }
        guard let keyField = entryType.field(number: 1), let valueField = entryType.field(number: 2) else { return nil }
        var seen = Set<String>()
        var entries: [ProtoValue] = []
        for (key, value) in members {
            let entryPath = "\(path)[\"\(key)\"]"
            guard seen.insert(key).inserted else {
                throw ProtoJSONError(.duplicateField, path: entryPath, "map key \"\(key)\" appears more than once")
            }
            var entry = DynamicMessage(entryType)
            entry[1] = try mapKey(key, keyField, path: entryPath)
            if case .null = value {
                throw ProtoJSONError(.invalidValue, path: entryPath, "map values cannot be null")
            }
            entry[2] = try single(value, valueField, path: entryPath)
            entries.append(.message(entry))
        }
        return entries.isEmpty ? nil : .list(entries)
    }

    private static func mapKey(_ key: String, _ field: ProtoFieldDescriptor, path: String) throws -> ProtoValue {
        switch field.type {
        case .string:
            guard !key.utf8.contains(0) else {
                throw ProtoJSONError(.invalidValue, path: path, "a string must not contain U+0000 (NUL)")
            }
            return .string(key)
        case .bool:
            guard key == "true" || key == "false" else {
                throw ProtoJSONError(.invalidValue, path: path, "expected a boolean map key, got \"\(key)\"")
            }
            return .bool(key == "true")
        default:
            return try single(.string(key), field, path: path)
        }
    }

    /// One value of the field's type (an element of a repeated field, or a singular field).
    static func single(_ json: JSONValue, _ field: ProtoFieldDescriptor, path: String) throws -> ProtoValue {
        func invalid(_ expected: String) -> ProtoJSONError {
            ProtoJSONError(.invalidValue, path: path, "expected \(expected), got \(describe(json))")
        }
        switch field.type {
        case .int32, .sint32, .sfixed32:
            guard let v = integer(json).flatMap(Int32.init(exactly:)) else { throw invalid("a 32-bit integer") }
            return .int32(v)
        case .uint32, .fixed32:
            guard let v = integer(json).flatMap(UInt32.init(exactly:)) else { throw invalid("an unsigned 32-bit integer") }
            return .uint32(v)
        case .int64, .sint64, .sfixed64:
            guard let v = integer(json).flatMap(Int64.init(exactly:)) else { throw invalid("a 64-bit integer") }
            return .int64(v)
        case .uint64, .fixed64:
            guard let v = integer(json).flatMap(UInt64.init(exactly:)) else { throw invalid("an unsigned 64-bit integer") }
            return .uint64(v)
        case .float:
            guard let v = floating(json) else { throw invalid("a number") }
            guard v.isNaN || v.isInfinite || abs(v) <= Double(Float.greatestFiniteMagnitude) else { throw invalid("a float in range") }
            return .float(Float(v))
        case .double:
            guard let v = floating(json) else { throw invalid("a number") }
            return .double(v)
        case .bool:
            guard case .bool(let b) = json else { throw invalid("true or false") }
            return .bool(b)
        case .string:
            guard case .string(let s) = json else { throw invalid("a string") }
            // protobuf-c keeps strings as C strings: a NUL would silently cut the value short, and
            // the server refuses strings with NULs anyway.
            guard !s.utf8.contains(0) else {
                throw ProtoJSONError(.invalidValue, path: path, "a string must not contain U+0000 (NUL)")
            }
            return .string(s)
        case .bytes:
            guard case .string(let s) = json, let b = Base64.decode(s) else { throw invalid("base64 text") }
            return .bytes(b)
        case .enum:
            switch json {
            case .string(let name):
                guard let v = field.enumType?.value(named: name) else {
                    throw ProtoJSONError(.invalidValue, path: path, "unknown value \"\(name)\" for enum \(field.enumType?.fullName ?? "")")
                }
                return .enumValue(v)
            default:
                guard let v = integer(json).flatMap(Int32.init(exactly:)) else { throw invalid("an enum name or number") }
                return .enumValue(v)
            }
        case .message:
            guard let type = field.messageType else { throw invalid("a message") }
            return .message(try message(json, type, path: path))
        }
    }

    private static func describe(_ json: JSONValue) -> String {
        switch json {
        case .number(let n): "\(n)"
        case .string(let s): "\"\(s)\""
        case .bool(let b): "\(b)"
        default: json.typeName
        }
    }

    /// An integer from a JSON number or string: exact for plain integers, otherwise a number that
    /// is integral (e.g. `1e3`, `2.0`).
    private static func integer(_ json: JSONValue) -> IntegerText? {
        let text: String
        switch json {
        case .number(let n): text = n
        case .string(let s): text = s
        default: return nil
        }
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        if !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit) {
            return IntegerText(text: text, double: nil)
        }
        guard let d = strictDouble(text), d.isFinite, d.rounded(.towardZero) == d else { return nil }
        return IntegerText(text: nil, double: d)
    }

    private static func floating(_ json: JSONValue) -> Double? {
        switch json {
        case .number(let n): return strictDouble(n)
        case .string("NaN"): return .nan
        case .string("Infinity"): return .infinity
        case .string("-Infinity"): return -.infinity
        case .string(let s): return strictDouble(s)
        default: return nil
        }
    }

    /// A finite number in JSON number syntax (no "inf", "nan", hex or spaces).
    private static func strictDouble(_ text: String) -> Double? {
        guard !text.isEmpty, text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x2B || $0 == 0x2E || $0 == 0x65 || $0 == 0x45 }),
              let d = Double(text), d.isFinite else { return nil }
        return d
    }

    // MARK: well-known types

    private static func wellKnown(_ kind: WellKnownJSON, _ json: JSONValue, _ d: ProtoMessageDescriptor, path: String) throws -> DynamicMessage {
        var result = DynamicMessage(d)
        switch kind {
        case .timestamp, .duration:
            guard case .string(let text) = json else {
                throw ProtoJSONError(.invalidValue, path: path, "expected a string for \(d.fullName), got \(json.typeName)")
            }
            let (seconds, nanos) = kind == .timestamp
                ? try WellKnownJSON.parseTimestamp(text, path: path)
                : try WellKnownJSON.parseDuration(text, path: path)
            result.setSingular(1, seconds)
            result.setSingular(2, nanos)
        case .fieldMask:
            guard case .string(let text) = json else {
                throw ProtoJSONError(.invalidValue, path: path, "expected a string for google.protobuf.FieldMask, got \(json.typeName)")
            }
            let paths = text.isEmpty ? [] : text.split(separator: ",", omittingEmptySubsequences: false).map { path in
                path.split(separator: ".", omittingEmptySubsequences: false).map { ProtoNaming.snakeCase(String($0)) }.joined(separator: ".")
            }
            result.setRepeated(1, paths)
        case .wrapper:
            guard let field = d.field(number: 1) else { return result }
            let v = try single(json, field, path: path)
            result[1] = v.isDefault ? nil : v
        }
        return result
    }
}

/// An integer parsed from JSON: exact decimal text, or an integral double.
struct IntegerText {
    let text: String?
    let double: Double?
}

extension Int32 { init?(exactly i: IntegerText) { if let t = i.text { self.init(t) } else if let d = i.double { self.init(exactly: d) } else { return nil } } }
extension UInt32 { init?(exactly i: IntegerText) { if let t = i.text { self.init(t) } else if let d = i.double { self.init(exactly: d) } else { return nil } } }
extension Int64 { init?(exactly i: IntegerText) { if let t = i.text { self.init(t) } else if let d = i.double { self.init(exactly: d) } else { return nil } } }
extension UInt64 { init?(exactly i: IntegerText) { if let t = i.text { self.init(t) } else if let d = i.double { self.init(exactly: d) } else { return nil } } }
