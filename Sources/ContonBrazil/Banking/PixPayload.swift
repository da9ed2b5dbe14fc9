/// A static Pix BR Code ("Pix copia e cola"), as the Banco Central's *Manual de Padrões para
/// Iniciação do Pix* lays it out (EMV QRCPS TLV fields: 2-digit id, 2-digit length, value):
///
/// `00`=`01` · `26`={`00`=`br.gov.bcb.pix`, `01`=key, `02`=info (optional)} · `52`=`0000` ·
/// `53`=`986` · `54`=amount (`123.45`; omitted when zero) · `58`=`BR` · `59`=merchant name (≤ 25)
/// · `60`=city (≤ 15) · `62`={`05`=txid (≤ 25 alphanumerics, or `***`)} · `63`=CRC16.
///
/// Name, city and info are folded to upper-case ASCII (``ASCIIText``) and cut to their maximum;
/// the CRC (CRC-16/CCITT-FALSE over the whole text including `6304`) ends the payload as 4
/// upper-case hex digits.
public struct PixPayload: Sendable, Hashable, CustomStringConvertible {
    /// The merchant account GUI of Pix.
    public static let gui = "br.gov.bcb.pix"
    /// Field 59's maximum length.
    public static let maxNameLength = 25
    /// Field 60's maximum length.
    public static let maxCityLength = 15
    /// Field 62-05's maximum length.
    public static let maxTxidLength = 25

    /// The receiver's key.
    public let key: PixKey
    /// The merchant name as written (folded, at most 25 characters).
    public let merchantName: String
    /// The city as written (folded, at most 15 characters).
    public let merchantCity: String
    /// The amount in centavos; 0 means the payer types it.
    public let amountCents: Int64
    /// The txid as written: the one given, or `***`.
    public let txid: String
    /// Field 26-02 as written, or nil.
    public let info: String?
    /// The payload: what "Pix copia e cola" pastes and the QR code encodes.
    public let text: String

    /// Builds a static BR Code.
    /// - Parameters:
    ///   - amountCents: 0 to leave the amount to the payer.
    ///   - txid: nil or "" → `***`; else 1–25 of A–Z, a–z, 0–9.
    ///   - info: an optional message (field 26-02), folded to ASCII.
    /// - Throws: ``PixError``.
    public init(key: PixKey, merchantName: String, merchantCity: String, amountCents: Int64 = 0,
                txid: String? = nil, info: String? = nil) throws(PixError) {
        let name = ASCIIText.folded(merchantName, maxLength: Self.maxNameLength)
        let city = ASCIIText.folded(merchantCity, maxLength: Self.maxCityLength)
        if name.isEmpty { throw .emptyField(name: "merchant name") }
        if city.isEmpty { throw .emptyField(name: "merchant city") }
        let tx = (txid ?? "").isEmpty ? "***" : (txid ?? "")
        if tx != "***" {
            guard tx.count <= Self.maxTxidLength,
                  tx.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) }) else {
                throw .invalidTxid(tx)
            }
        }
        let note = info.map { ASCIIText.folded($0) }.flatMap { $0.isEmpty ? nil : $0 }
        var account = try Self.tlv("00", Self.gui) + Self.tlv("01", key.value)
        if let note { account += try Self.tlv("02", note) }
        var text = try Self.tlv("00", "01") + Self.tlv("26", account) + Self.tlv("52", "0000") + Self.tlv("53", "986")
        guard amountCents >= 0 else { throw .invalidAmount(cents: amountCents) }
        if amountCents > 0 {
            let reais = String(amountCents / 100)
            let cents = amountCents % 100
            text += try Self.tlv("54", reais + "." + (cents < 10 ? "0" : "") + String(cents), maximum: 13)
        }
        text += try Self.tlv("58", "BR") + Self.tlv("59", name) + Self.tlv("60", city) + Self.tlv("62", Self.tlv("05", tx))
        text += "6304"
        text += CRC16.hex(text)
        (self.key, self.merchantName, self.merchantCity, self.amountCents) = (key, name, city, amountCents)
        (self.txid, self.info, self.text) = (tx, note, text)
    }

    /// Builds a static BR Code from a key type and value, validating the key with ``PixKey``.
    /// - Parameter keyType: the DICT type name: `CPF`, `CNPJ`, `EMAIL`, `PHONE` or `EVP`.
    /// - Throws: ``PixError/unknownKeyType(_:)``, ``PixError/invalidKey(_:)``, or as
    ///   ``init(key:merchantName:merchantCity:amountCents:txid:info:)``.
    public init(keyType: String, keyValue: String, merchantName: String, merchantCity: String,
                amountCents: Int64 = 0, txid: String? = nil, info: String? = nil) throws(PixError) {
        guard let type = PixKey.KeyType(rawValue: keyType.uppercased()) else { throw .unknownKeyType(keyType) }
        let key: PixKey
        do { key = try PixKey(type: type, value: keyValue) } catch { throw .invalidKey(error) }
        try self.init(key: key, merchantName: merchantName, merchantCity: merchantCity,
                      amountCents: amountCents, txid: txid, info: info)
    }

    /// The payload text.
    public var description: String { text }

    /// `id` + 2-digit length + `value`.
    static func tlv(_ id: String, _ value: String, maximum: Int = 99) throws(PixError) -> String {
        let n = value.utf8.count
        guard n <= maximum else { throw .fieldTooLong(id: id, length: n, maximum: maximum) }
        return id + (n < 10 ? "0" : "") + String(n) + value
    }
}
