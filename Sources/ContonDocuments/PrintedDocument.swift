/// A document as a plugin describes it: a title and a column of blocks — key-value fields,
/// tables with totals, paragraphs, a signature line. ``PDFRenderer`` lays it out on A4 pages
/// with the office's letterhead, page numbers and the verification code; no drawing calls.
///
/// ```swift
/// PrintedDocument(kind: "receipt", title: "Recibo nº 12", fileName: "recibo-12.pdf", blocks: [
///     .fields([.init("Pagador", "João da Silva"), .init("CPF", "529.982.247-25")]),
///     .paragraph("Recebemos a importância de R$ 1.234,56 (mil duzentos e …)."),
///     .signature(name: "Escritório Conceição", detail: "CNPJ 11.222.333/0001-81"),
/// ])
/// ```
public struct PrintedDocument: Sendable, Hashable {
    /// What it is, for the verification record: `receipt`, `client-sheet`, `receivables-list`, …
    public var kind: String
    /// The title on every page; also what `VerifyDocument` answers, so it names the document,
    /// not a person ("Recibo nº 12", "Ficha de cliente").
    public var title: String
    /// A line under the title (a list's filter, say).
    public var subtitle: String
    /// The file name offered for download.
    public var fileName: String
    public var blocks: [PrintedBlock]
    /// A4 landscape (wide lists) instead of portrait.
    public var landscape: Bool

    public init(kind: String, title: String, subtitle: String = "", fileName: String, landscape: Bool = false,
                blocks: [PrintedBlock]) {
        self.kind = kind
        self.title = title
        self.subtitle = subtitle
        self.fileName = fileName
        self.landscape = landscape
        self.blocks = blocks
    }
}

/// One part of a ``PrintedDocument``, laid out top to bottom.
public enum PrintedBlock: Sendable, Hashable {
    /// A section heading.
    case heading(String)
    /// Running text, wrapped to the page width.
    case paragraph(String)
    /// Labelled values in a grid of `columns` columns (a record's fields).
    case fields([PrintedField], columns: Int = 2)
    /// A table; it breaks across pages, repeating its header row.
    case table(PrintedTable)
    /// A signature line with the signer's name and a detail (CNPJ, role) under it.
    case signature(name: String, detail: String)
    /// Vertical space, in points.
    case space(Double)
    /// A boleto: the recibo do pagador at the cursor and the ficha de compensação at the bottom
    /// of the page, with its bar code and the Pix QR code (``BoletoSlip``).
    case boletoSlip(BoletoSlip)
}

/// A label and its value.
public struct PrintedField: Sendable, Hashable {
    public var label: String
    public var value: String

    public init(_ label: String, _ value: String) {
        self.label = label
        self.value = value
    }
}

/// A table: columns with relative widths, rows of cells as text, and totals rows printed bold
/// after the last row.
public struct PrintedTable: Sendable, Hashable {
    public var columns: [PrintedColumn]
    public var rows: [[String]]
    public var totals: [[String]]

    public init(columns: [PrintedColumn], rows: [[String]], totals: [[String]] = []) {
        self.columns = columns
        self.rows = rows
        self.totals = totals
    }
}

/// A table column: its header, its share of the width, and how its cells align (amounts right).
public struct PrintedColumn: Sendable, Hashable {
    public enum Alignment: Int32, Sendable, Hashable {
        case leading = 0, center = 1, trailing = 2
    }

    public var title: String
    public var weight: Double
    public var alignment: Alignment

    public init(_ title: String, weight: Double = 1, alignment: Alignment = .leading) {
        self.title = title
        self.weight = weight
        self.alignment = alignment
    }
}
