/// CRC-16/CCITT-FALSE (polynomial 0x1021, initial value 0xFFFF, no reflection, no final XOR),
/// the checksum of EMV QR codes and so of Pix BR Codes. Table-driven.
public enum CRC16 {
    /// The checksum of `bytes`.
    public static func ccittFalse(_ bytes: some Sequence<UInt8>) -> UInt16 {
        var crc: UInt16 = 0xFFFF
        for byte in bytes {
            crc = (crc << 8) ^ table[Int((crc >> 8) ^ UInt16(byte))]
        }
        return crc
    }

    /// The checksum of `text`'s UTF-8 bytes as 4 upper-case hex digits, zero-padded.
    public static func hex(_ text: String) -> String {
        let s = String(ccittFalse(text.utf8), radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - s.count) + s
    }

    private static let table: [UInt16] = (0..<256).map { i in
        var c = UInt16(i) << 8
        for _ in 0..<8 { c = c & 0x8000 != 0 ? (c << 1) ^ 0x1021 : c << 1 }
        return c
    }
}
