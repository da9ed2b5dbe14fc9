/// One boleto's event in a retorno: segment T and its segment U.
public struct RetornoOccurrence: Sendable, Hashable {
    /// What happened, as this library reads the *código de movimento retorno*.
    public enum Kind: Sendable, Hashable {
        /// 02, entrada confirmada: the bank registered the boleto.
        case registered
        /// 03, entrada rejeitada, with the motivo codes (T 214–223).
        case rejected(reasons: [String])
        /// 06 (liquidação) or 17 (liquidação após baixa): paid.
        case paid(Payment)
        /// 09, baixa: written off (cancelled) by the bank or at the office's request.
        case cancelled
        /// Any other code, kept as it is.
        case other(code: String)
    }

    /// What was paid, from segments T and U.
    public struct Payment: Sendable, Hashable {
        /// Amount paid (U 78–92).
        public let amountCents: Int64
        /// Juros/multa/encargos charged (U 18–32).
        public let interestCents: Int64
        /// The bank's tariff (T 199–213).
        public let feesCents: Int64
        /// Discount granted (U 33–47).
        public let discountCents: Int64
        /// Net amount credited (U 93–107).
        public let netCreditCents: Int64
        /// Payment (occurrence) date (U 138–145).
        public let paidDate: BankDate?
        /// Credit date (U 146–153); nil when the bank left it zero.
        public let creditDate: BankDate?

        /// Makes a payment.
        public init(amountCents: Int64, interestCents: Int64 = 0, feesCents: Int64 = 0, discountCents: Int64 = 0,
                    netCreditCents: Int64? = nil, paidDate: BankDate?, creditDate: BankDate?) {
            self.amountCents = amountCents
            self.interestCents = interestCents
            self.feesCents = feesCents
            self.discountCents = discountCents
            self.netCreditCents = netCreditCents ?? (amountCents - feesCents)
            self.paidDate = paidDate
            self.creditDate = creditDate
        }
    }

    /// The nosso número's digits, as ``NossoNumero/digits`` (BB 17, Sicoob 8).
    public let nossoNumero: String
    /// Seu número (T 59–73), blanks trimmed.
    public let documentNumber: String
    /// Uso da empresa (T 106–130), blanks trimmed: what the remessa wrote at P 196–220.
    public let companyReference: String
    /// The 2-character código de movimento retorno (T 16–17).
    public let movementCode: String
    /// The non-empty motivo codes (T 214–223, up to five of 2 characters).
    public let reasonCodes: [String]
    /// The reading of ``movementCode``.
    public let kind: Kind
    /// Due date (T 74–81), nil when zero.
    public let dueDate: BankDate?
    /// Face value (T 82–96).
    public let faceValueCents: Int64
    /// The 1-based line of segment T.
    public let line: Int
}
