import CContonPDF

/// The PDF being drawn: a thin owner of the C shim's `conton_pdf` (cairo + pango + libqrencode).
/// Not thread-safe; one render uses one canvas on one thread.
final class PDFCanvas {
    private let pdf: OpaquePointer
    let width: Double, height: Double

    /// A4 portrait, in points.
    static let a4 = (width: 595.28, height: 841.89)

    init(width: Double = PDFCanvas.a4.width, height: Double = PDFCanvas.a4.height) throws(RenderError) {
        guard let pdf = conton_pdf_new(width, height) else { throw .cairo("cannot create a PDF surface") }
        self.pdf = pdf
        self.width = width
        self.height = height
    }

    deinit { conton_pdf_free(pdf) }

    func setMetadata(title: String, author: String, creator: String, createDate: String) {
        conton_pdf_set_metadata(pdf, title, author, creator, createDate)
    }

    /// The height `text` takes in `width` points (and draws it when `draw`).
    @discardableResult
    func text(_ text: String, x: Double, y: Double, width: Double, font: String, align: Int32 = 0, gray: Double = 0,
              draw: Bool = true) -> Double {
        conton_pdf_text(pdf, x, y, width, text, font, align, gray, draw ? 1 : 0)
    }

    func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, width: Double = 0.5, gray: Double = 0) {
        conton_pdf_line(pdf, x1, y1, x2, y2, width, gray)
    }

    func fill(x: Double, y: Double, width: Double, height: Double, gray: Double) {
        conton_pdf_fill_rect(pdf, x, y, width, height, gray)
    }

    /// Loads the logo the pages draw; false when it cannot be decoded.
    func setLogo(_ logo: Letterhead.Logo) -> Bool {
        logo.bytes.withUnsafeBufferPointer { buffer in
            conton_pdf_set_logo(pdf, buffer.baseAddress, buffer.count, logo.isJPEG ? 1 : 0, Int32(clamping: logo.width),
                                Int32(clamping: logo.height)) == 0
        }
    }

    /// The width the logo takes scaled into the box (0 without one); drawn when `draw`.
    @discardableResult
    func logo(x: Double, y: Double, maxWidth: Double, maxHeight: Double, draw: Bool = true) -> Double {
        conton_pdf_draw_logo(pdf, x, y, maxWidth, maxHeight, draw ? 1 : 0)
    }

    func qr(_ text: String, x: Double, y: Double, size: Double) throws(RenderError) {
        guard conton_pdf_qr(pdf, text, x, y, size) == 0 else { throw .qr(text) }
    }

    func nextPage() { conton_pdf_next_page(pdf) }

    /// The finished document's bytes.
    func finish() throws(RenderError) -> [UInt8] {
        var bytes: UnsafeMutablePointer<UInt8>?
        var length = 0
        guard conton_pdf_finish(pdf, &bytes, &length) == 0, let bytes else { throw .cairo("cairo could not finish the PDF") }
        defer { conton_pdf_free_bytes(bytes) }
        return Array(UnsafeBufferPointer(start: bytes, count: length))
    }
}

/// Why a document could not be rendered.
public enum RenderError: Error, Sendable, Hashable, CustomStringConvertible {
    case cairo(String)
    case qr(String)

    public var description: String {
        switch self {
        case .cairo(let what): what
        case .qr(let text): "libqrencode could not encode '\(text)'"
        }
    }
}
