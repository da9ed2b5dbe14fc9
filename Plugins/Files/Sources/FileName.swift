import Foundation

/// File and folder names are metadata only: they never become paths on the server (content is
/// stored by its hash), and they are cleaned so that no client that saves a file under its name
/// can be led astray either.
enum FileName {
    /// The longest file name kept, in characters.
    static let maxFileNameLength = 255
    /// The longest folder name, in characters.
    static let maxFolderNameLength = 80

    /// Why a name was refused.
    enum Problem: Error, Equatable, CustomStringConvertible {
        case empty
        case tooLong(limit: Int)
        case onlyDots

        var description: String {
            switch self {
            case .empty: "is required"
            case .tooLong(let limit): "must have at most \(limit) characters"
            case .onlyDots: "cannot be only dots"
            }
        }
    }

    /// A file name as stored: Unicode NFC, control characters (C0, DEL, C1, line and paragraph
    /// separators) removed, `/` and `\` replaced by `_`, surrounding spaces trimmed; 1–255
    /// characters, not only dots.
    static func file(_ raw: String) throws(Problem) -> String {
        let cleaned = clean(raw, replacingSlashes: true)
        guard !cleaned.isEmpty else { throw .empty }
        guard cleaned.count <= maxFileNameLength else { throw .tooLong(limit: maxFileNameLength) }
        guard !cleaned.allSatisfy({ $0 == "." }) else { throw .onlyDots }
        return cleaned
    }

    /// A folder name as stored: cleaned like a file name, 1–80 characters.
    static func folder(_ raw: String) throws(Problem) -> String {
        let cleaned = clean(raw, replacingSlashes: false)
        guard !cleaned.isEmpty else { throw .empty }
        guard cleaned.count <= maxFolderNameLength else { throw .tooLong(limit: maxFolderNameLength) }
        return cleaned
    }

    static func clean(_ raw: String, replacingSlashes: Bool) -> String {
        var scalars = String.UnicodeScalarView()
        // Controls go first: Foundation's normalisation would stop at a NUL.
        let visible = String(String.UnicodeScalarView(raw.unicodeScalars.filter { !Self.isControl($0) }))
        for scalar in visible.precomposedStringWithCanonicalMapping.unicodeScalars {
            switch scalar.value {
            case 0x2F where replacingSlashes, 0x5C where replacingSlashes:
                scalars.append("_")
            default:
                scalars.append(scalar)
            }
        }
        return String(scalars).trimmingCharacters(in: .whitespaces)
    }

    /// C0 and C1 controls, DEL, line and paragraph separators, the byte-order mark, and the
    /// bidirectional marks and overrides that can disguise an extension (`U+202E`).
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0xFEFF: true
        default: false
        }
    }
}
