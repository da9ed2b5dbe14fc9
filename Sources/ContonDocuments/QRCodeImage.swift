import CContonPDF

/// A QR code as a PNG image (libqrencode, error correction M, drawn by cairo): for an API that
/// hands a client a picture to show, such as a Pix charge's.
public enum QRCodeImage {
    /// The PNG of `text`, `modulePixels` pixels a module (1–64), with a quiet zone of 4 modules.
    /// - Throws: ``RenderError/qr(_:)`` when the text does not fit a QR code, or the pixel size
    ///   is out of range.
    public static func png(_ text: String, modulePixels: Int = 8) throws(RenderError) -> [UInt8] {
        var bytes: UnsafeMutablePointer<UInt8>?
        var length = 0
        guard (1...64).contains(modulePixels), conton_qr_png(text, Int32(modulePixels), &bytes, &length) == 0, let bytes else {
            throw .qr(text)
        }
        defer { conton_pdf_free_bytes(bytes) }
        return Array(UnsafeBufferPointer(start: bytes, count: length))
    }
}
