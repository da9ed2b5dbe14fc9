/// Writes a ``DynamicMessage`` as proto3 JSON.
struct ProtoJSONEncoder {
    var writer = JSONWriter()

    mutating func message(_ m: DynamicMessage, path: String) throws {
        if let special = WellKnownJSON(m.descriptor.fullName) {
            try writeWellKnown(special, m, path: path)
            return
        }
        writer.raw("{")
        var first = true
        for field in m.descriptor.fields {
            guard let value = m.fields[field.number] else { continue }
            if case .list(let list) = value, list.isEmpty { continue }
            if !field.hasPresence, value.isDefault { continue }
            if !first { writer.raw(",") }
            first = false
            writer.string(field.jsonName)
            writer.raw(":")
            let fieldPath = ProtoFieldDescriptor.path(path, field.jsonName)
            if field.isMap, case .list(let entries) = value, let entryType = field.messageType {
                try map(entries, entryType, path: fieldPath)
            } else if field.isRepeated, case .list(let list) = value {
                writer.raw("[")
                for (i, element) in list.enumerated() {
                    if i > 0 { writer.raw(",") }
                    try self.value(element, field, path: "\(fieldPath)[\(i)]")
                }
                writer.raw("]")
            } else {
                try self.value(value, field, path: fieldPath)
            }
        }
        writer.raw("}")
    }

    private mutating func map(_ entries: [ProtoValue], _ entryType: ProtoMessageDescriptor, path: String) throws {
        guard let keyField = entryType.field(number: 1), let valueField = entryType.field(number: 2) else {
            writer.raw("{}")
            return
        }
        writer.raw("{")
        var first = true
        for case .message(let entry) in entries {
            if !first { writer.raw(",") }
            first = false
            let key = entry[1] ?? keyField.type.zeroValue ?? .string("")
            let keyText: String
            switch key {
            case .string(let s): keyText = s
            case .bool(let b): keyText = b ? "true" : "false"
            case .int32(let v): keyText = String(v)
            case .int64(let v): keyText = String(v)
            case .uint32(let v): keyText = String(v)
            case .uint64(let v): keyText = String(v)
            default: keyText = ""
            }
            writer.string(keyText)
            writer.raw(":")
            let value = entry[2] ?? valueField.type.zeroValue ?? valueField.messageType.map { .message(DynamicMessage($0)) }
            if let value {
                try self.value(value, valueField, path: "\(path)[\"\(keyText)\"]")
            } else {
                writer.raw("null")
            }
        }
        writer.raw("}")
    }

    mutating func value(_ value: ProtoValue, _ field: ProtoFieldDescriptor, path: String) throws {
        switch value {
        case .int32(let v): writer.raw(String(v))
        case .uint32(let v): writer.raw(String(v))
        case .int64(let v): writer.string(String(v))
        case .uint64(let v): writer.string(String(v))
        case .float(let v): number(Double(v), text: v.description)
        case .double(let v): number(v, text: v.description)
        case .bool(let v): writer.raw(v ? "true" : "false")
        case .string(let v): writer.string(v)
        case .bytes(let v): writer.string(Base64.encode(v))
        case .enumValue(let v):
            if let name = field.enumType?.name(of: v) {
                writer.string(name)
            } else {
                writer.raw(String(v))
            }
        case .message(let m): try message(m, path: path)
        case .list: writer.raw("null")
        }
    }

    /// A float or double: shortest round-trip text, no trailing ".0"; NaN and infinities as strings.
    private mutating func number(_ v: Double, text: String) {
        if v.isNaN {
            writer.string("NaN")
        } else if v.isInfinite {
            writer.string(v < 0 ? "-Infinity" : "Infinity")
        } else if text.hasSuffix(".0") {
            writer.raw(String(text.dropLast(2)))
        } else {
            writer.raw(text)
        }
    }

    private mutating func writeWellKnown(_ kind: WellKnownJSON, _ m: DynamicMessage, path: String) throws {
        switch kind {
        case .timestamp:
            writer.string(try WellKnownJSON.formatTimestamp(seconds: m.singular(1), nanos: m.singular(2), path: path))
        case .duration:
            writer.string(try WellKnownJSON.formatDuration(seconds: m.singular(1), nanos: m.singular(2), path: path))
        case .fieldMask:
            let paths: [String] = m.repeated(1)
            writer.string(paths.map { $0.split(separator: ".", omittingEmptySubsequences: false).map { ProtoNaming.jsonName(String($0)) }.joined(separator: ".") }.joined(separator: ","))
        case .wrapper:
            guard let field = m.descriptor.field(number: 1), let zero = field.type.zeroValue else {
                writer.raw("null")
                return
            }
            try value(m[1] ?? zero, field, path: path)
        }
    }
}
