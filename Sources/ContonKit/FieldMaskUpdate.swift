import ContonProto
import Foundation
import GRPCCore

/// Partial updates with a field mask (AIP-134), for any generated message: the paths listed in
/// `update_mask` (snake_case, dotted into nested messages) are copied from the request's message
/// onto the stored one; a path whose value is absent in the request resets that field. An empty
/// mask means every field populated in the request.
public enum FieldMaskUpdate {
    /// `stored` with the masked fields of `update` applied. Unknown paths and output-only paths
    /// are INVALID_ARGUMENT on `update_mask[i]`.
    public static func apply<M: ProtoMessage>(_ paths: [String], from update: M, to stored: M,
                                              outputOnly: Set<String> = [], maskField: String = "update_mask") throws -> M {
        let source = try object(update)
        var target = try object(stored)
        var errors = FieldErrors()
        var effective = paths
        if effective.isEmpty {
            effective = populatedPaths(source, descriptor: M.protoDescriptor).filter { !outputOnly.contains($0) }
        }
        for (i, path) in paths.enumerated() {
            if outputOnly.contains(path) || outputOnly.contains(where: { path.hasPrefix($0 + ".") }) {
                errors.add("\(maskField)[\(i)]", "'\(path)' is output only")
            } else if jsonPath(path, in: M.protoDescriptor) == nil {
                errors.add("\(maskField)[\(i)]", "unknown field '\(path)'")
            }
        }
        try errors.check()
        for path in effective {
            guard let keys = jsonPath(path, in: M.protoDescriptor) else { continue }
            let value = value(at: keys, in: source)
            set(value, at: keys, in: &target)
        }
        let data = try JSONSerialization.data(withJSONObject: target)
        return try M(jsonString: String(decoding: data, as: UTF8.self))
    }

    /// The top-level snake_case names of the fields set in `message` (what an empty mask
    /// updates), without `excluding`.
    public static func populated<M: ProtoMessage>(_ message: M, excluding: Set<String> = []) -> [String] {
        guard let source = try? object(message) else { return [] }
        return populatedPaths(source, descriptor: M.protoDescriptor).filter { !excluding.contains($0) }
    }

    /// The JSON member names of a snake_case dotted path, if every segment is a field (only the
    /// last may be a non-message field).
    static func jsonPath(_ path: String, in descriptor: ProtoMessageDescriptor) -> [String]? {
        var keys: [String] = []
        var current: ProtoMessageDescriptor? = descriptor
        let segments = path.split(separator: ".", omittingEmptySubsequences: false)
        for (i, segment) in segments.enumerated() {
            guard let message = current, let field = message.field(protoName: String(segment)) else { return nil }
            keys.append(field.jsonName)
            let isLast = i == segments.count - 1
            if !isLast && (field.isRepeated || field.messageType == nil) { return nil }
            current = field.messageType
        }
        return keys.isEmpty ? nil : keys
    }

    /// Top-level snake_case names of the fields present (non-default) in a JSON object.
    static func populatedPaths(_ object: [String: Any], descriptor: ProtoMessageDescriptor) -> [String] {
        descriptor.fields.filter { object[$0.jsonName] != nil }.map(\.name)
    }

    private static func object<M: ProtoMessage>(_ message: M) throws -> [String: Any] {
        let json = try message.jsonString()
        return (try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]) ?? [:]
    }

    private static func value(at keys: [String], in object: [String: Any]) -> Any? {
        var current: Any? = object
        for key in keys {
            current = (current as? [String: Any])?[key]
        }
        return current
    }

    private static func set(_ value: Any?, at keys: [String], in object: inout [String: Any]) {
        guard let first = keys.first else { return }
        if keys.count == 1 {
            object[first] = value
            return
        }
        var child = object[first] as? [String: Any] ?? [:]
        set(value, at: Array(keys.dropFirst()), in: &child)
        object[first] = child
    }
}
