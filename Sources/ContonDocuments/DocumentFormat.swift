import Foundation

/// How documents write dates and amounts, the Brazilian way: `dd/mm/aaaa`, `R$ 1.234,56`.
public enum DocumentFormat {
    /// The office's time zone (America/Sao_Paulo, as the rest of ContOn).
    public static let timeZone = TimeZone(identifier: "America/Sao_Paulo")!

    /// "R$ 1.234,56"; negative amounts "-R$ 1,00".
    public static func money(cents: Int64) -> String {
        (cents < 0 ? "-" : "") + "R$ " + grouped(cents.magnitude / 100) + "," + twoDigits(Int(cents.magnitude % 100))
    }

    /// "1234,56": an amount for a CSV cell, which Excel in pt-BR reads as a number.
    public static func csvMoney(cents: Int64) -> String {
        (cents < 0 ? "-" : "") + String(cents.magnitude / 100) + "," + twoDigits(Int(cents.magnitude % 100))
    }

    /// "02/12/2026" from "2026-12-02"; anything else as given.
    public static func date(iso: String) -> String {
        let parts = iso.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4 else { return iso }
        return "\(parts[2])/\(parts[1])/\(parts[0])"
    }

    /// "02/12/2026 às 10:30" in the office's time zone.
    public static func dateTime(milliseconds: Int64) -> String {
        let c = components(milliseconds)
        return "\(twoDigits(c.day!))/\(twoDigits(c.month!))/\(c.year!) às \(twoDigits(c.hour!)):\(twoDigits(c.minute!))"
    }

    /// An address on one line: "Avenida Paulista, 1000 · Bela Vista · São Paulo/SP · CEP 01310-100"
    /// (empty parts left out; a CEP of 8 digits written `01310-100`).
    public static func address(street: String, number: String, complement: String, district: String, city: String,
                               uf: String, cep: String) -> String {
        let line = [street, number, complement].filter { !$0.isEmpty }.joined(separator: ", ")
        let place = [city, uf].filter { !$0.isEmpty }.joined(separator: "/")
        let digits = cep.filter(\.isASCII).filter(\.isNumber)
        let postal = cep.isEmpty ? "" : "CEP " + (digits.count == 8 ? "\(digits.prefix(5))-\(digits.suffix(3))" : cep)
        return [line, district, place, postal].filter { !$0.isEmpty }.joined(separator: " · ")
    }

    /// ISO 8601 with the offset ("2026-12-02T10:30:00-03:00"), for the PDF's creation date.
    static func iso8601(milliseconds: Int64) -> String {
        let c = components(milliseconds)
        let offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(milliseconds) / 1000)) / 60
        let sign = offset < 0 ? "-" : "+"
        return "\(c.year!)-\(twoDigits(c.month!))-\(twoDigits(c.day!))T\(twoDigits(c.hour!)):\(twoDigits(c.minute!)):\(twoDigits(c.second!))"
            + "\(sign)\(twoDigits(abs(offset) / 60)):\(twoDigits(abs(offset) % 60))"
    }

    private static func components(_ milliseconds: Int64) -> DateComponents {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.dateComponents([.year, .month, .day, .hour, .minute, .second],
                                       from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }

    /// 50000 → "50.000" (or "50,000" with `separator` ",", for English messages).
    public static func grouped(_ value: some BinaryInteger, separator: Character = ".") -> String {
        let digits = String(value.magnitude)
        var out = value < 0 ? "-" : ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(separator) }
            out.append(ch)
        }
        return out
    }

    private static func twoDigits(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
