/// A federative unit (*unidade federativa*): the 26 states and the Federal District, by their
/// two-letter IBGE codes. The raw value is the code (`"SP"`).
///
/// ``init(_:)`` accepts the code in any case or the full name, accent- and case-insensitively
/// (`"sp"`, `"São Paulo"`, `"sao paulo"`). Encodes as the code; decoding accepts what
/// ``init(_:)`` accepts.
public enum UF: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case ac = "AC", al = "AL", ap = "AP", am = "AM", ba = "BA", ce = "CE", df = "DF", es = "ES"
    case go = "GO", ma = "MA", mt = "MT", ms = "MS", mg = "MG", pa = "PA", pb = "PB", pr = "PR"
    case pe = "PE", pi = "PI", rj = "RJ", rn = "RN", rs = "RS", ro = "RO", rr = "RR", sc = "SC"
    case sp = "SP", se = "SE", to = "TO"

    /// Parses a code (`"SP"`, `"sp"`) or a full name (`"São Paulo"`, `"sao paulo"`).
    /// - Throws: ``BrazilValidationError`` with reason `EMPTY` or `UNKNOWN` (subject `.uf`).
    public init(_ input: String) throws(BrazilValidationError) {
        let key = SearchKey.fold(input)
        if key.isEmpty { throw BrazilValidationError(.uf, .empty, "state (UF) is empty") }
        if let uf = UF(rawValue: key.uppercased()) ?? UF.allCases.first(where: { SearchKey.fold($0.name) == key }) {
            self = uf
        } else {
            throw BrazilValidationError(.uf, .unknown,
                "\"\(input.trimmingWhitespace)\" is not a Brazilian state code (UF) such as SP, nor a state name")
        }
    }

    /// The two-letter code, `"SP"`.
    public var code: String { rawValue }

    /// The official name: `"São Paulo"`, `"Distrito Federal"`.
    public var name: String {
        switch self {
        case .ac: "Acre"
        case .al: "Alagoas"
        case .ap: "Amapá"
        case .am: "Amazonas"
        case .ba: "Bahia"
        case .ce: "Ceará"
        case .df: "Distrito Federal"
        case .es: "Espírito Santo"
        case .go: "Goiás"
        case .ma: "Maranhão"
        case .mt: "Mato Grosso"
        case .ms: "Mato Grosso do Sul"
        case .mg: "Minas Gerais"
        case .pa: "Pará"
        case .pb: "Paraíba"
        case .pr: "Paraná"
        case .pe: "Pernambuco"
        case .pi: "Piauí"
        case .rj: "Rio de Janeiro"
        case .rn: "Rio Grande do Norte"
        case .rs: "Rio Grande do Sul"
        case .ro: "Rondônia"
        case .rr: "Roraima"
        case .sc: "Santa Catarina"
        case .sp: "São Paulo"
        case .se: "Sergipe"
        case .to: "Tocantins"
        }
    }

    /// The IBGE numeric code (`35` for SP), used by NF-e/NFS-e and municipality codes.
    public var ibgeCode: Int {
        switch self {
        case .ro: 11
        case .ac: 12
        case .am: 13
        case .rr: 14
        case .pa: 15
        case .ap: 16
        case .to: 17
        case .ma: 21
        case .pi: 22
        case .ce: 23
        case .rn: 24
        case .pb: 25
        case .pe: 26
        case .al: 27
        case .se: 28
        case .ba: 29
        case .mg: 31
        case .es: 32
        case .rj: 33
        case .sp: 35
        case .pr: 41
        case .sc: 42
        case .rs: 43
        case .ms: 50
        case .mt: 51
        case .go: 52
        case .df: 53
        }
    }

    /// The telephone area codes (DDDs) ANATEL assigned to this state, ascending. DDD 61 serves
    /// the Federal District and neighbouring Goiás municipalities; it is listed under DF.
    public var areaCodes: [Int] {
        switch self {
        case .sp: [11, 12, 13, 14, 15, 16, 17, 18, 19]
        case .rj: [21, 22, 24]
        case .es: [27, 28]
        case .mg: [31, 32, 33, 34, 35, 37, 38]
        case .pr: [41, 42, 43, 44, 45, 46]
        case .sc: [47, 48, 49]
        case .rs: [51, 53, 54, 55]
        case .df: [61]
        case .go: [62, 64]
        case .to: [63]
        case .mt: [65, 66]
        case .ms: [67]
        case .ac: [68]
        case .ro: [69]
        case .ba: [71, 73, 74, 75, 77]
        case .se: [79]
        case .pe: [81, 87]
        case .al: [82]
        case .pb: [83]
        case .rn: [84]
        case .ce: [85, 88]
        case .pi: [86, 89]
        case .pa: [91, 93, 94]
        case .am: [92, 97]
        case .rr: [95]
        case .ap: [96]
        case .ma: [98, 99]
        }
    }

    /// The state an area code (DDD) belongs to, or nil for a code ANATEL never assigned.
    public init?(areaCode: Int) {
        guard let uf = UF.allCases.first(where: { $0.areaCodes.contains(areaCode) }) else { return nil }
        self = uf
    }

    /// The code.
    public var description: String { rawValue }

    /// Decodes a string and validates it as ``init(_:)`` does.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        do { try self.init(container.decode(String.self)) } catch let error as BrazilValidationError {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    /// Encodes the normalised string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

extension String {
    /// The string without leading and trailing Unicode white space.
    var trimmingWhitespace: String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let end = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[start...end])
    }
}
