/// Why a CNAB 240 retorno file was refused: where (1-based line and column) and what was
/// expected there.
public struct RetornoError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable machine reason.
    public enum Reason: String, Sendable, Hashable, CaseIterable {
        /// The file has no lines.
        case empty = "EMPTY"
        /// A line is not 240 characters long.
        case lineLength = "LINE_LENGTH"
        /// A record type (column 8) out of place or unknown.
        case recordType = "RECORD_TYPE"
        /// A detail segment (column 14) out of place: a U without its T, a T without its U.
        case segment = "SEGMENT"
        /// A field that must be digits, a date, or one fixed value is not.
        case field = "FIELD"
        /// The file is from another bank than its header (or than the caller's agreement) says.
        case bank = "BANK"
        /// The file belongs to another agreement (convênio, agency/account) than the caller's.
        case agreement = "AGREEMENT"
        /// The file is a remessa, not a retorno (header column 143).
        case notRetorno = "NOT_RETORNO"
    }

    /// The machine reason.
    public let reason: Reason
    /// 1-based line number.
    public let line: Int
    /// 1-based column of the first character at fault.
    public let column: Int
    /// What was expected there, e.g. "8 digits (a date DDMMAAAA)".
    public let expected: String
    /// What was found (the field's text, or a length).
    public let found: String

    /// Makes an error.
    public init(_ reason: Reason, line: Int, column: Int, expected: String, found: String) {
        self.reason = reason
        self.line = line
        self.column = column
        self.expected = expected
        self.found = found
    }

    /// "line 4, column 38: expected 8 digits (a date DDMMAAAA), found '31132025'".
    public var description: String {
        "line \(line), column \(column): expected \(expected), found '\(found)'"
    }
}
