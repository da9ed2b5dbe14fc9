/// A small C shim over cairo, pango and libqrencode: the few drawing calls the document layout
/// (`ContonDocuments`) needs, on an A4-or-any-size PDF written to memory. Every function takes
/// the opaque `conton_pdf`; units are PostScript points (1/72 in), origin top left.
///
/// Text is UTF-8, laid out by pango (line breaking, every accent, kerning) in a font given as a
/// pango description such as "DejaVu Sans 9" or "DejaVu Sans Bold 14".
#ifndef CCONTON_PDF_H
#define CCONTON_PDF_H

#include <stddef.h>
#include <stdint.h>

typedef struct conton_pdf conton_pdf;

/// A new document of pages `width` × `height` points; NULL when cairo cannot create it.
conton_pdf *conton_pdf_new(double width, double height);

/// The PDF's metadata (any argument may be NULL): title, author, creator, creation date as
/// ISO 8601 ("2026-12-02T10:30:00-03:00").
void conton_pdf_set_metadata(conton_pdf *pdf, const char *title, const char *author, const char *creator,
                             const char *create_date);

/// Lays out `text` in `width` points (wrapping at word boundaries; 0 alignment left, 1 centre,
/// 2 right) in `font`; draws it at (`x`, `y`) in grey `gray` (0 black … 1 white) when `draw` is
/// non-zero. Returns the height the text takes.
double conton_pdf_text(conton_pdf *pdf, double x, double y, double width, const char *text, const char *font,
                       int align, double gray, int draw);

/// A line from (`x1`, `y1`) to (`x2`, `y2`), `line_width` points wide, in grey `gray`.
void conton_pdf_line(conton_pdf *pdf, double x1, double y1, double x2, double y2, double line_width, double gray);

/// A filled rectangle in grey `gray`.
void conton_pdf_fill_rect(conton_pdf *pdf, double x, double y, double width, double height, double gray);

/// Loads the logo every page draws: PNG (decoded by cairo) or JPEG (embedded as is; cairo does not
/// decode it, so `pixel_width`/`pixel_height` give its size). Returns 0, or -1 when the image
/// cannot be used (nothing is kept). The PDF holds the image once, however many pages show it.
int conton_pdf_set_logo(conton_pdf *pdf, const uint8_t *bytes, size_t length, int is_jpeg, int pixel_width,
                        int pixel_height);

/// Draws the logo scaled to fit `max_width` × `max_height` at (`x`, `y`), keeping its aspect
/// ratio; with `draw` zero only measures. Returns the width it takes (0 without a logo).
double conton_pdf_draw_logo(conton_pdf *pdf, double x, double y, double max_width, double max_height, int draw);

/// A QR code (error correction M) of `text`, `size` points square, at (`x`, `y`), with its
/// quiet zone inside the square. Returns 0, or -1 when libqrencode cannot encode it.
int conton_pdf_qr(conton_pdf *pdf, const char *text, double x, double y, double size);

/// A QR code (error correction M) of `text` as a PNG: `module_px` pixels a module (1–64), a
/// quiet zone of 4 modules. On 0, `*bytes` (free with conton_pdf_free_bytes) holds `*length`
/// bytes; -1 when libqrencode or cairo fails.
int conton_qr_png(const char *text, int module_px, uint8_t **bytes, size_t *length);

/// Ends the current page and starts the next.
void conton_pdf_next_page(conton_pdf *pdf);

/// Finishes the document. On success returns 0 and hands over the bytes (`*bytes`, `*length`;
/// free them with `conton_pdf_free_bytes`); -1 when cairo reports an error.
int conton_pdf_finish(conton_pdf *pdf, uint8_t **bytes, size_t *length);

/// Frees bytes handed over by `conton_pdf_finish`.
void conton_pdf_free_bytes(uint8_t *bytes);

/// Frees the document (finished or not).
void conton_pdf_free(conton_pdf *pdf);

#endif
