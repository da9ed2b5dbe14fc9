/// What a boleto prints: the recibo do pagador and the ficha de compensação (FEBRABAN), as
/// plain text already formatted by the plugin, plus the 44 digits of the bar code and the Pix
/// payload of a boleto híbrido. ``PrintedBlock/boletoSlip(_:)`` places it: the recibo at the
/// cursor, the ficha at the bottom of the page, a cut line between them.
public struct BoletoSlip: Sendable, Hashable {
    /// "Banco do Brasil".
    public var bankName: String
    /// The bank code with its digit, "001-9".
    public var bankCodeWithDigit: String
    /// The linha digitável as printed.
    public var digitableLine: String
    /// The 44 digits the bar code encodes.
    public var barcode: String
    /// "Pagável em qualquer banco até o vencimento".
    public var paymentPlace: String
    /// DD/MM/AAAA.
    public var dueDate: String
    public var beneficiaryName: String
    /// The formatted CNPJ (or CPF).
    public var beneficiaryDocument: String
    /// The beneficiary's address line, optional.
    public var beneficiaryAddress: String
    /// "Agência / Código do beneficiário" as the bank prints it, "1234-5 / 1234567".
    public var agencyAndCode: String
    /// DD/MM/AAAA.
    public var documentDate: String
    /// Número do documento (the receivable's).
    public var documentNumber: String
    /// Espécie do documento: "DS" (duplicata de serviço), "RC" (recibo)…
    public var documentKind: String
    /// "N" or "S".
    public var accepted: String
    /// DD/MM/AAAA.
    public var processingDate: String
    public var nossoNumero: String
    public var wallet: String
    /// "R$ 1.234,56".
    public var amount: String
    /// Up to about eight lines: fine, interest, the office's own instructions.
    public var instructions: [String]
    public var payerName: String
    /// The formatted CPF or CNPJ.
    public var payerDocument: String
    /// One or two address lines.
    public var payerAddress: [String]
    /// What the payment is for (the receivable's description), on the recibo.
    public var subject: String
    /// The Pix "copia e cola"; empty: no QR code.
    public var pixPayload: String

    public init(bankName: String, bankCodeWithDigit: String, digitableLine: String, barcode: String,
                paymentPlace: String = "Pagável em qualquer banco até o vencimento", dueDate: String,
                beneficiaryName: String, beneficiaryDocument: String, beneficiaryAddress: String = "", agencyAndCode: String,
                documentDate: String, documentNumber: String, documentKind: String = "DS", accepted: String = "N",
                processingDate: String, nossoNumero: String, wallet: String, amount: String, instructions: [String],
                payerName: String, payerDocument: String, payerAddress: [String], subject: String, pixPayload: String = "") {
        self.bankName = bankName
        self.bankCodeWithDigit = bankCodeWithDigit
        self.digitableLine = digitableLine
        self.barcode = barcode
        self.paymentPlace = paymentPlace
        self.dueDate = dueDate
        self.beneficiaryName = beneficiaryName
        self.beneficiaryDocument = beneficiaryDocument
        self.beneficiaryAddress = beneficiaryAddress
        self.agencyAndCode = agencyAndCode
        self.documentDate = documentDate
        self.documentNumber = documentNumber
        self.documentKind = documentKind
        self.accepted = accepted
        self.processingDate = processingDate
        self.nossoNumero = nossoNumero
        self.wallet = wallet
        self.amount = amount
        self.instructions = instructions
        self.payerName = payerName
        self.payerDocument = payerDocument
        self.payerAddress = payerAddress
        self.subject = subject
        self.pixPayload = pixPayload
    }
}
