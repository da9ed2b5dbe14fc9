/// A logo image as uploaded: PNG or JPEG recognised by magic bytes, dimensions read from the
/// header (PNG `IHDR`, JPEG start-of-frame), at most ``maximumBytes``.
struct LogoImage: Sendable, Hashable {
    static let maximumBytes = 1 << 20

    enum Problem: Error, Sendable, Hashable, CustomStringConvertible {
        case empty, tooLarge(Int), notAnImage, noDimensions

        var description: String {
            switch self {
            case .empty: "is empty"
            case .tooLarge(let n): "is \(n) bytes; the limit is 1 MiB (\(LogoImage.maximumBytes) bytes)"
            case .notAnImage: "must be a PNG or JPEG image"
            case .noDimensions: "is a damaged image: its dimensions cannot be read"
            }
        }
    }

    let contentType: String
    let width: Int
    let height: Int

    init(_ bytes: [UInt8]) throws(Problem) {
        if bytes.isEmpty { throw .empty }
        if bytes.count > Self.maximumBytes { throw .tooLarge(bytes.count) }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            // Signature, then the IHDR chunk: length(4) "IHDR"(4) width(4) height(4).
            guard bytes.count >= 24, Array(bytes[12..<16]) == Array("IHDR".utf8) else { throw .noDimensions }
            contentType = "image/png"
            width = Self.be32(bytes, 16)
            height = Self.be32(bytes, 20)
        } else if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            contentType = "image/jpeg"
            (width, height) = try Self.jpegSize(bytes)
        } else {
            throw .notAnImage
        }
        guard width > 0, height > 0, width <= 20_000, height <= 20_000 else { throw .noDimensions }
    }

    private static func be32(_ b: [UInt8], _ i: Int) -> Int {
        Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3])
    }

    /// Walks the JPEG segments to the first start-of-frame marker (SOF0–SOF15 but DHT, JPG, DAC).
    private static func jpegSize(_ b: [UInt8]) throws(Problem) -> (Int, Int) {
        var i = 2
        while i + 9 < b.count {
            guard b[i] == 0xFF else { throw .noDimensions }
            let marker = b[i + 1]
            if marker == 0xFF { i += 1; continue }  // fill byte
            if marker == 0xD8 || (0xD0...0xD7).contains(marker) || marker == 0x01 { i += 2; continue }
            let length = Int(b[i + 2]) << 8 | Int(b[i + 3])
            guard length >= 2 else { throw .noDimensions }
            if (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker) {
                let height = Int(b[i + 5]) << 8 | Int(b[i + 6])
                let width = Int(b[i + 7]) << 8 | Int(b[i + 8])
                return (width, height)
            }
            if marker == 0xDA || marker == 0xD9 { break }  // scan data or end before any frame
            i += 2 + length
        }
        throw .noDimensions
    }
}
