/// The office as every page shows it at the top: its logo (Meus Dados), name, CNPJ and address.
public struct Letterhead: Sendable, Hashable {
    /// An image as stored: PNG or JPEG bytes and its pixel size.
    public struct Logo: Sendable, Hashable {
        public var bytes: [UInt8]
        public var isJPEG: Bool
        public var width: Int
        public var height: Int

        public init(bytes: [UInt8], isJPEG: Bool, width: Int, height: Int) {
            self.bytes = bytes
            self.isJPEG = isJPEG
            self.width = width
            self.height = height
        }
    }

    public var officeName: String
    /// Lines under the name: "CNPJ 11.222.333/0001-81", the address, contacts.
    public var lines: [String]
    public var logo: Logo?

    public init(officeName: String, lines: [String] = [], logo: Logo? = nil) {
        self.officeName = officeName
        self.lines = lines
        self.logo = logo
    }
}

/// What makes a rendered document verifiable: its code, printed and in a QR code, and when and
/// for whom it was issued.
public struct DocumentStamp: Sendable, Hashable {
    /// The verification code, as printed (``VerificationCode``).
    public var code: String
    /// The issue instant, in milliseconds since 1970.
    public var issuedAtMilliseconds: Int64
    /// Who asked for it, as printed ("Maria Souza").
    public var issuedBy: String

    public init(code: String, issuedAtMilliseconds: Int64, issuedBy: String) {
        self.code = code
        self.issuedAtMilliseconds = issuedAtMilliseconds
        self.issuedBy = issuedBy
    }
}
