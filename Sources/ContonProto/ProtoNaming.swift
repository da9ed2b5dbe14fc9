/// Name conversions shared by the runtime (JSON) and the code generator.
public enum ProtoNaming {
    /// protoc's JSON name of a field: underscores removed, the letter after each capitalised
    /// (`"response_size"` → `"responseSize"`, `"field_1"` → `"field1"`).
    public static func jsonName(_ protoName: String) -> String {
        var out = ""
        out.reserveCapacity(protoName.utf8.count)
        var upperNext = false
        for ch in protoName {
            if ch == "_" {
                upperNext = true
            } else if upperNext {
                out.append(contentsOf: ch.uppercased())
                upperNext = false
            } else {
                out.append(ch)
            }
        }
        return out
    }

    /// The inverse used for FieldMask paths in JSON: `"fooBar"` → `"foo_bar"`.
    public static func snakeCase(_ camel: String) -> String {
        var out = ""
        for ch in camel {
            if ch.isUppercase {
                out.append("_")
                out.append(contentsOf: ch.lowercased())
            } else {
                out.append(ch)
            }
        }
        return out
    }
}
