/// Why a *linha digitável* (or a boleto's barcode) was refused by ``BoletoLine/init(_:today:)``.
///
/// The ``description`` is a clear English phrase about the line, naming the digit at fault by its
/// 1-based position among the typed digits (separators not counted), e.g. "the check digit of
/// field 2 (digit 21) is 3; it should be 7". ``position`` and ``expected`` carry the same facts
/// for a form that wants to highlight the digit.
public struct BoletoLineError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable machine-readable reason; the raw values never change once released.
    public enum Reason: String, Sendable, Hashable, CaseIterable {
        /// Nothing but blanks and separators was given.
        case empty = "EMPTY"
        /// A character that is neither a digit nor a separator (a letter, a symbol, a non-ASCII digit).
        case characters = "CHARACTERS"
        /// Not 47 (bank slip), 48 (utility/tax slip) or 44 (barcode) digits.
        case length = "LENGTH"
        /// A 48-digit line that does not start with 8 (the utility/tax product code).
        case firstDigit = "FIRST_DIGIT"
        /// A utility/tax slip whose third digit (value type) is not 6, 7, 8 or 9.
        case valueType = "VALUE_TYPE"
        /// A bank slip whose fourth digit (currency) is not 9 (real).
        case currency = "CURRENCY"
        /// A field's, block's or the general check digit does not match.
        case checkDigit = "CHECK_DIGIT"
        /// The `today` argument is not a `YYYY-MM-DD` date (a caller's mistake, not the user's).
        case today = "TODAY"
    }

    /// The stable machine reason.
    public let reason: Reason
    /// The 1-based position, among the typed digits, of the digit at fault: the wrong check
    /// digit, the value-type digit (3), the currency digit (4) or the first digit; `nil` when no
    /// single digit is at fault (length, characters, `today`).
    public let position: Int?
    /// The digit that belongs at ``position`` when exactly one does (a check digit, the currency
    /// 9, the product code 8); `nil` otherwise.
    public let expected: Character?
    /// A clear English phrase about the line, e.g. "the general check digit (digit 33) is 1; it
    /// should be 4".
    public let description: String

    /// Makes an error; `description` should name the digit at `position`.
    public init(_ reason: Reason, position: Int? = nil, expected: Character? = nil, _ description: String) {
        self.reason = reason
        self.position = position
        self.expected = expected
        self.description = description
    }

    /// A check digit `found` at `position` where `expected` belongs; `what` is "field 2",
    /// "block 3" or "general".
    static func checkDigit(_ what: String, position: Int, found: Int, expected: Int) -> BoletoLineError {
        let name = what == "general" ? "the general check digit" : "the check digit of \(what)"
        return BoletoLineError(.checkDigit, position: position, expected: Character(String(expected)),
                               "\(name) (digit \(position)) is \(found); it should be \(expected)")
    }
}
