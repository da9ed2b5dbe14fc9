/// A rendered PDF: its bytes, its page count, and whether the office's logo had to be left out.
public struct RenderedPDF: Sendable {
    public var bytes: [UInt8]
    public var pages: Int
    /// The letterhead had a logo that cairo could not decode: the pages were drawn without it.
    public var logoLeftOut: Bool
}

/// Lays a ``PrintedDocument`` out on A4 pages (portrait, or landscape for wide lists) and draws it through cairo and pango:
///
/// - **every page**: the letterhead (logo, office name, CNPJ and address lines), the title and
///   subtitle, and a footer with the QR code of the verification code, the code itself, the issue
///   instant in the office's time zone and who asked for it, and "Página n de m";
/// - **the body**, top to bottom: fields in a grid, paragraphs, headings, tables that break across
///   pages repeating their header row (a row never splits), totals rows in bold after the last
///   row, a signature line.
///
/// Layout is two passes: measure and place everything (so the page count is known), then draw.
public enum PDFRenderer {
    // Geometry, in points. A4 is 595.28 × 841.89.
    static let margin = 42.0, top = 34.0, bottom = 30.0
    static let logoBox = (width: 130.0, height: 48.0)
    static let qrSize = 50.0
    static let footerHeight = 58.0

    static let font = "DejaVu Sans"
    static func regular(_ size: Double) -> String { "\(font) \(size)" }
    static func bold(_ size: Double) -> String { "\(font) Bold \(size)" }

    /// Renders `document`.
    public static func render(_ document: PrintedDocument, letterhead: Letterhead, stamp: DocumentStamp) throws(RenderError) -> RenderedPDF {
        let a4 = PDFCanvas.a4
        let canvas = document.landscape ? try PDFCanvas(width: a4.height, height: a4.width) : try PDFCanvas()
        canvas.setMetadata(title: document.title, author: letterhead.officeName, creator: "ContOn",
                           createDate: DocumentFormat.iso8601(milliseconds: stamp.issuedAtMilliseconds))
        var logoLeftOut = false
        if let logo = letterhead.logo, !canvas.setLogo(logo) { logoLeftOut = true }
        var layout = PageLayout(canvas: canvas, document: document, letterhead: letterhead)
        for block in document.blocks { layout.place(block) }
        let pages = layout.finish()
        for (index, ops) in pages.enumerated() {
            if index > 0 { canvas.nextPage() }
            layout.drawHeader()
            for op in ops { try op.draw(on: canvas) }
            try drawFooter(canvas, stamp: stamp, page: index + 1, of: pages.count)
        }
        return RenderedPDF(bytes: try canvas.finish(), pages: pages.count, logoLeftOut: logoLeftOut)
    }

    static func drawFooter(_ canvas: PDFCanvas, stamp: DocumentStamp, page: Int, of pages: Int) throws(RenderError) {
        let y = canvas.height - bottom - footerHeight
        let width = canvas.width - 2 * margin
        canvas.line(margin, y, margin + width, y, width: 0.6, gray: 0.55)
        try canvas.qr(stamp.code, x: margin - 4, y: y + 4, size: qrSize)
        let x = margin + qrSize + 4, textWidth = width - qrSize - 4 - 130
        var ty = y + 9
        ty += canvas.text("Código de verificação: \(stamp.code)", x: x, y: ty, width: textWidth, font: bold(9))
        ty += canvas.text("Emitido em \(DocumentFormat.dateTime(milliseconds: stamp.issuedAtMilliseconds)) (horário de Brasília)"
                          + (stamp.issuedBy.isEmpty ? "" : " por \(stamp.issuedBy)"), x: x, y: ty + 1, width: textWidth,
                          font: regular(8), gray: 0.2)
        canvas.text("Confira a autenticidade com este código ou com o SHA-256 do arquivo em conton.documents.v1.Documents/VerifyDocument.",
                    x: x, y: ty + 2, width: textWidth, font: regular(7.5), gray: 0.4)
        canvas.text("Página \(page) de \(pages)", x: margin + width - 130, y: y + 9, width: 130, font: regular(8.5), align: 2, gray: 0.2)
    }
}

/// One drawing call, placed by the first pass and run by the second.
enum DrawOp {
    case text(String, x: Double, y: Double, width: Double, font: String, align: Int32, gray: Double)
    case line(x1: Double, y1: Double, x2: Double, y2: Double, width: Double, gray: Double)
    case fill(x: Double, y: Double, width: Double, height: Double, gray: Double)
    case qr(String, x: Double, y: Double, size: Double)

    func draw(on canvas: PDFCanvas) throws(RenderError) {
        switch self {
        case let .text(text, x, y, width, font, align, gray):
            canvas.text(text, x: x, y: y, width: width, font: font, align: align, gray: gray)
        case let .line(x1, y1, x2, y2, width, gray):
            canvas.line(x1, y1, x2, y2, width: width, gray: gray)
        case let .fill(x, y, width, height, gray):
            canvas.fill(x: x, y: y, width: width, height: height, gray: gray)
        case let .qr(text, x, y, size):
            try canvas.qr(text, x: x, y: y, size: size)
        }
    }
}

/// The first pass: places blocks on pages, measuring text with pango.
struct PageLayout {
    let canvas: PDFCanvas
    let document: PrintedDocument
    let letterhead: Letterhead
    let left: Double, width: Double
    /// Where the body starts and must end on every page.
    let bodyTop: Double, bodyBottom: Double
    private var pages: [[DrawOp]] = [[]]
    var y: Double

    typealias R = PDFRenderer

    init(canvas: PDFCanvas, document: PrintedDocument, letterhead: Letterhead) {
        self.canvas = canvas
        self.document = document
        self.letterhead = letterhead
        left = R.margin
        width = canvas.width - 2 * R.margin
        bodyTop = Self.header(canvas, document, letterhead, draw: false) + 14
        bodyBottom = canvas.height - R.bottom - R.footerHeight - 10
        y = bodyTop
    }

    /// Draws the letterhead and title on the current page.
    func drawHeader() { _ = Self.header(canvas, document, letterhead, draw: true) }

    /// Lays out (and draws, when `draw`) the letterhead and title; returns where they end.
    private static func header(_ canvas: PDFCanvas, _ document: PrintedDocument, _ letterhead: Letterhead, draw: Bool) -> Double {
        let width = canvas.width - 2 * R.margin
        let logoWidth = canvas.logo(x: R.margin, y: R.top, maxWidth: R.logoBox.width, maxHeight: R.logoBox.height, draw: draw)
        let x = R.margin + (logoWidth > 0 ? logoWidth + 14 : 0), textWidth = width - (x - R.margin)
        var y = R.top
        y += canvas.text(letterhead.officeName, x: x, y: y, width: textWidth, font: R.bold(13), draw: draw)
        for line in letterhead.lines where !line.isEmpty {
            y += canvas.text(line, x: x, y: y + 1, width: textWidth, font: R.regular(8.5), gray: 0.3, draw: draw) + 1
        }
        y = max(y, R.top + (logoWidth > 0 ? R.logoBox.height : 0)) + 8
        if draw { canvas.line(R.margin, y, R.margin + width, y, width: 0.8, gray: 0.55) }
        y += 10
        y += canvas.text(document.title, x: R.margin, y: y, width: width, font: R.bold(17), draw: draw)
        if !document.subtitle.isEmpty {
            y += canvas.text(document.subtitle, x: R.margin, y: y + 2, width: width, font: R.regular(9), gray: 0.3, draw: draw) + 2
        }
        return y
    }

    /// The pages' drawing calls.
    func finish() -> [[DrawOp]] { pages }

    mutating func newPage() {
        pages.append([])
        y = bodyTop
    }

    /// Starts a new page unless `height` fits below the cursor (or the page is still empty).
    mutating func ensure(_ height: Double) {
        if y + height > bodyBottom && y > bodyTop { newPage() }
    }

    mutating func add(_ op: DrawOp) { pages[pages.count - 1].append(op) }

    func measure(_ text: String, width: Double, font: String) -> Double {
        canvas.text(text, x: 0, y: 0, width: width, font: font, draw: false)
    }

    mutating func place(_ block: PrintedBlock) {
        switch block {
        case .heading(let text):
            let h = measure(text, width: width, font: R.bold(11.5))
            ensure(h + 40)  // a heading stays with what follows it
            y += 6
            add(.text(text, x: left, y: y, width: width, font: R.bold(11.5), align: 0, gray: 0))
            y += h + 2
            add(.line(x1: left, y1: y, x2: left + width, y2: y, width: 0.4, gray: 0.7))
            y += 5
        case .paragraph(let text):
            let h = measure(text, width: width, font: R.regular(10))
            ensure(h)
            add(.text(text, x: left, y: y, width: width, font: R.regular(10), align: 0, gray: 0))
            y += h + 7
        case .fields(let fields, let columns):
            placeFields(fields, columns: max(1, columns))
        case .table(let table):
            placeTable(table)
        case .signature(let name, let detail):
            ensure(80)
            y += 44
            let lineWidth = 240.0, x = left + (width - lineWidth) / 2
            add(.line(x1: x, y1: y, x2: x + lineWidth, y2: y, width: 0.6, gray: 0))
            y += 4
            add(.text(name, x: x - 40, y: y, width: lineWidth + 80, font: R.bold(10), align: 1, gray: 0))
            y += measure(name, width: lineWidth + 80, font: R.bold(10))
            if !detail.isEmpty {
                add(.text(detail, x: x - 40, y: y, width: lineWidth + 80, font: R.regular(8.5), align: 1, gray: 0.3))
                y += measure(detail, width: lineWidth + 80, font: R.regular(8.5))
            }
            y += 8
        case .space(let points):
            y += points
        case .boletoSlip(let slip):
            placeBoletoSlip(slip)
        }
    }

    private mutating func placeFields(_ fields: [PrintedField], columns: Int) {
        let gap = 14.0, columnWidth = (width - gap * Double(columns - 1)) / Double(columns)
        var index = 0
        while index < fields.count {
            let row = fields[index..<min(index + columns, fields.count)]
            var height = 0.0
            var cells: [(PrintedField, Double, Double)] = []
            for field in row {
                let labelHeight = measure(field.label, width: columnWidth, font: R.regular(8))
                let valueHeight = measure(field.value.isEmpty ? "—" : field.value, width: columnWidth, font: R.regular(10))
                cells.append((field, labelHeight, valueHeight))
                height = max(height, labelHeight + 1 + valueHeight)
            }
            ensure(height + 6)
            for (column, (field, labelHeight, _)) in cells.enumerated() {
                let x = left + Double(column) * (columnWidth + gap)
                add(.text(field.label, x: x, y: y, width: columnWidth, font: R.regular(8), align: 0, gray: 0.4))
                add(.text(field.value.isEmpty ? "—" : field.value, x: x, y: y + labelHeight + 1, width: columnWidth,
                          font: R.regular(10), align: 0, gray: 0))
            }
            y += height + 6
            index += columns
        }
    }

    private mutating func placeTable(_ table: PrintedTable) {
        // Locals only: the helpers below must not capture `self`, which they are handed inout.
        let canvas = self.canvas, left = self.left, width = self.width
        let total = table.columns.reduce(0) { $0 + max($1.weight, 0.01) }
        let widths = table.columns.map { width * max($0.weight, 0.01) / total }
        let pad = 3.0, font = R.regular(8.5), boldFont = R.bold(8.5)
        let lineHeight = [font: canvas.text("Ág", x: 0, y: 0, width: 100, font: font, draw: false),
                          boldFont: canvas.text("Ág", x: 0, y: 0, width: 100, font: boldFont, draw: false)]

        /// Each non-empty cell's span (x, width): its column, and for totals rows (`merge`) the
        /// empty cells beside it — to the left of a trailing cell, to the right of the others —
        /// so "Total (2.000)" or a large sum is not squeezed into one narrow column.
        func spans(_ row: [String], merge: Bool) -> [(index: Int, x: Double, width: Double)] {
            var starts: [Double] = []
            var x = left
            for w in widths { starts.append(x); x += w }
            func empty(_ i: Int) -> Bool { i >= row.count || row[i].isEmpty }
            var claimed = Set<Int>()
            var result: [(index: Int, x: Double, width: Double)] = []
            // Trailing cells claim the empty cells to their left first, then the others theirs to the right.
            var ranges: [Int: ClosedRange<Int>] = [:]
            for i in widths.indices where !empty(i) {
                var first = i
                if merge && table.columns[i].alignment == .trailing {
                    while first > 0 && empty(first - 1) && !claimed.contains(first - 1) { first -= 1 }
                }
                ranges[i] = first...i
                claimed.formUnion(first...i)
            }
            for i in widths.indices where !empty(i) && table.columns[i].alignment != .trailing && merge {
                var last = i
                while last + 1 < widths.count && empty(last + 1) && !claimed.contains(last + 1) { last += 1 }
                claimed.formUnion(i...last)
                ranges[i] = i...last
            }
            for i in widths.indices.sorted() {
                guard let range = ranges[i] else { continue }
                result.append((i, starts[range.lowerBound], starts[range.upperBound] + widths[range.upperBound] - starts[range.lowerBound]))
            }
            return result
        }

        func height(of cells: [String], font: String, merge: Bool = false) -> Double {
            var h = lineHeight[font] ?? 0
            for span in spans(cells, merge: merge) {
                h = max(h, canvas.text(cells[span.index], x: 0, y: 0, width: span.width - 2 * pad, font: font, draw: false))
            }
            return h + 2 * 2.5
        }
        func cells(_ row: [String], at y: Double, font: String, merge: Bool = false) -> [DrawOp] {
            spans(row, merge: merge).map { span in
                .text(row[span.index], x: span.x + pad, y: y + 2.5, width: span.width - 2 * pad, font: font,
                      align: table.columns[span.index].alignment.rawValue, gray: 0)
            }
        }

        let header = table.columns.map(\.title)
        let headerHeight = height(of: header, font: boldFont)
        func placeHeader(_ layout: inout PageLayout) {
            layout.add(.fill(x: left, y: layout.y, width: width, height: headerHeight, gray: 0.9))
            for op in cells(header, at: layout.y, font: boldFont) { layout.add(op) }
            layout.y += headerHeight
            layout.add(.line(x1: left, y1: layout.y, x2: left + width, y2: layout.y, width: 0.6, gray: 0.45))
        }

        let firstHeight = table.rows.first.map { height(of: $0, font: font) } ?? 0
        ensure(headerHeight + firstHeight)
        placeHeader(&self)
        for row in table.rows {
            let h = height(of: row, font: font)
            if y + h > bodyBottom {
                newPage()
                placeHeader(&self)
            }
            for op in cells(row, at: y, font: font) { add(op) }
            y += h
            add(.line(x1: left, y1: y, x2: left + width, y2: y, width: 0.3, gray: 0.82))
        }
        for (index, row) in table.totals.enumerated() {
            let h = height(of: row, font: boldFont, merge: true)
            if y + h > bodyBottom {
                newPage()
                placeHeader(&self)
            }
            if index == 0 { add(.line(x1: left, y1: y, x2: left + width, y2: y, width: 0.9, gray: 0.2)) }
            for op in cells(row, at: y, font: boldFont, merge: true) { add(op) }
            y += h
        }
        y += 10
    }
}
