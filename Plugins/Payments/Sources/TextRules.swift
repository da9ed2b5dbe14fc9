import ContonKit
import DocumentsCapability

/// The plugin's rules for free text: trimmed; `required` when asked; at most `max` characters;
/// no control characters; one line unless `multiline` (notes).
enum TextRules {
    static func clean(_ raw: String, _ field: String, max: Int = 200, required: Bool = false, multiline: Bool = false,
                      errors: inout FieldErrors) -> String {
        let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if value.isEmpty {
            if required { errors.add(field, "is required") }
        } else if value.count > max {
            errors.add(field, "must have at most \(DocumentFormat.grouped(max, separator: ",")) characters")
        } else if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && !"\n\r\t".unicodeScalars.contains($0) }) {
            errors.add(field, "must not contain control characters")
        } else if !multiline && value.contains(where: \.isNewline) {
            errors.add(field, "must be one line")
        }
        return value
    }
}
