// The PDF shim (CContonPDF.h): cairo's PDF surface written into a growable buffer, pango for
// text, libqrencode for QR codes.
#include "CContonPDF.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <qrencode.h>

// A growable buffer that cairo's stream writers (PDF, PNG) append to.
struct out_buffer {
    uint8_t *bytes;
    size_t length, capacity;
    int failed;  // the write callback ran out of memory
};

static cairo_status_t append(void *closure, const unsigned char *data, unsigned int length) {
    struct out_buffer *b = closure;
    if (b->length + length > b->capacity) {
        size_t capacity = b->capacity ? b->capacity : 64 * 1024;
        while (capacity < b->length + length) capacity *= 2;
        uint8_t *grown = realloc(b->bytes, capacity);
        if (grown == NULL) {
            b->failed = 1;
            return CAIRO_STATUS_WRITE_ERROR;
        }
        b->bytes = grown;
        b->capacity = capacity;
    }
    memcpy(b->bytes + b->length, data, length);
    b->length += length;
    return CAIRO_STATUS_SUCCESS;
}

struct conton_pdf {
    cairo_surface_t *surface;
    cairo_t *cr;
    struct out_buffer out;
    cairo_surface_t *logo;
    PangoContext *pango;
};

// One font map for the process, so fonts are found and loaded once (pango's default map is one
// per thread, and renders run on short-lived threads). Pango objects are not thread-safe: every
// call that touches the map or a context made from it holds `pango_lock`.
static PangoFontMap *shared_map;
static pthread_once_t shared_map_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t pango_lock = PTHREAD_MUTEX_INITIALIZER;

static void make_shared_map(void) { shared_map = pango_cairo_font_map_new(); }

conton_pdf *conton_pdf_new(double width, double height) {
    conton_pdf *pdf = calloc(1, sizeof *pdf);
    if (pdf == NULL) return NULL;
    pdf->surface = cairo_pdf_surface_create_for_stream(append, &pdf->out, width, height);
    if (cairo_surface_status(pdf->surface) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(pdf->surface);
        free(pdf);
        return NULL;
    }
    cairo_pdf_surface_restrict_to_version(pdf->surface, CAIRO_PDF_VERSION_1_5);
    pdf->cr = cairo_create(pdf->surface);
    pthread_once(&shared_map_once, make_shared_map);
    pthread_mutex_lock(&pango_lock);
    pdf->pango = pango_font_map_create_context(shared_map);
    // Layout in unhinted metrics: the same line breaks whatever the output resolution.
    cairo_font_options_t *options = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
    pango_cairo_context_set_font_options(pdf->pango, options);
    cairo_font_options_destroy(options);
    // Font sizes in points: a PDF's user unit is the point (72 per inch); pango's default of 96
    // would print "DejaVu Sans 9" at 12 pt.
    pango_cairo_context_set_resolution(pdf->pango, 72);
    pthread_mutex_unlock(&pango_lock);
    return pdf;
}

void conton_pdf_set_metadata(conton_pdf *pdf, const char *title, const char *author, const char *creator,
                             const char *create_date) {
    if (title) cairo_pdf_surface_set_metadata(pdf->surface, CAIRO_PDF_METADATA_TITLE, title);
    if (author) cairo_pdf_surface_set_metadata(pdf->surface, CAIRO_PDF_METADATA_AUTHOR, author);
    if (creator) cairo_pdf_surface_set_metadata(pdf->surface, CAIRO_PDF_METADATA_CREATOR, creator);
    if (create_date) cairo_pdf_surface_set_metadata(pdf->surface, CAIRO_PDF_METADATA_CREATE_DATE, create_date);
}

double conton_pdf_text(conton_pdf *pdf, double x, double y, double width, const char *text, const char *font,
                       int align, double gray, int draw) {
    pthread_mutex_lock(&pango_lock);
    pango_cairo_update_context(pdf->cr, pdf->pango);
    PangoLayout *layout = pango_layout_new(pdf->pango);

    PangoFontDescription *description = pango_font_description_from_string(font);
    pango_layout_set_font_description(layout, description);
    pango_font_description_free(description);
    pango_layout_set_width(layout, (int)(width * PANGO_SCALE));
    pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(layout, align == 1 ? PANGO_ALIGN_CENTER : align == 2 ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
    pango_layout_set_text(layout, text, -1);

    int w = 0, h = 0;
    pango_layout_get_size(layout, &w, &h);
    if (draw) {
        cairo_save(pdf->cr);
        cairo_set_source_rgb(pdf->cr, gray, gray, gray);
        cairo_move_to(pdf->cr, x, y);
        pango_cairo_show_layout(pdf->cr, layout);
        cairo_restore(pdf->cr);
    }
    g_object_unref(layout);
    pthread_mutex_unlock(&pango_lock);
    return (double)h / PANGO_SCALE;
}

void conton_pdf_line(conton_pdf *pdf, double x1, double y1, double x2, double y2, double line_width, double gray) {
    cairo_save(pdf->cr);
    cairo_set_source_rgb(pdf->cr, gray, gray, gray);
    cairo_set_line_width(pdf->cr, line_width);
    cairo_move_to(pdf->cr, x1, y1);
    cairo_line_to(pdf->cr, x2, y2);
    cairo_stroke(pdf->cr);
    cairo_restore(pdf->cr);
}

void conton_pdf_fill_rect(conton_pdf *pdf, double x, double y, double width, double height, double gray) {
    cairo_save(pdf->cr);
    cairo_set_source_rgb(pdf->cr, gray, gray, gray);
    cairo_rectangle(pdf->cr, x, y, width, height);
    cairo_fill(pdf->cr);
    cairo_restore(pdf->cr);
}

struct reader {
    const uint8_t *bytes;
    size_t length, offset;
};

static cairo_status_t read_png(void *closure, unsigned char *data, unsigned int length) {
    struct reader *r = closure;
    if (r->length - r->offset < length) return CAIRO_STATUS_READ_ERROR;
    memcpy(data, r->bytes + r->offset, length);
    r->offset += length;
    return CAIRO_STATUS_SUCCESS;
}

int conton_pdf_set_logo(conton_pdf *pdf, const uint8_t *bytes, size_t length, int is_jpeg, int pixel_width,
                        int pixel_height) {
    cairo_surface_t *image;
    if (is_jpeg) {
        // cairo's PDF backend embeds JPEG data as is (DCTDecode); the surface only gives it a size.
        if (pixel_width <= 0 || pixel_height <= 0 || length < 4 || bytes[0] != 0xFF || bytes[1] != 0xD8) return -1;
        image = cairo_image_surface_create(CAIRO_FORMAT_RGB24, pixel_width, pixel_height);
        if (cairo_surface_status(image) != CAIRO_STATUS_SUCCESS) {
            cairo_surface_destroy(image);
            return -1;
        }
        uint8_t *copy = malloc(length);
        if (copy == NULL) {
            cairo_surface_destroy(image);
            return -1;
        }
        memcpy(copy, bytes, length);
        if (cairo_surface_set_mime_data(image, CAIRO_MIME_TYPE_JPEG, copy, length, free, copy) != CAIRO_STATUS_SUCCESS) {
            free(copy);
            cairo_surface_destroy(image);
            return -1;
        }
    } else {
        struct reader r = {bytes, length, 0};
        image = cairo_image_surface_create_from_png_stream(read_png, &r);
        if (cairo_surface_status(image) != CAIRO_STATUS_SUCCESS) {
            cairo_surface_destroy(image);
            return -1;
        }
    }
    if (cairo_image_surface_get_width(image) <= 0 || cairo_image_surface_get_height(image) <= 0) {
        cairo_surface_destroy(image);
        return -1;
    }
    if (pdf->logo) cairo_surface_destroy(pdf->logo);
    pdf->logo = image;
    return 0;
}

double conton_pdf_draw_logo(conton_pdf *pdf, double x, double y, double max_width, double max_height, int draw) {
    if (pdf->logo == NULL) return 0;
    double w = cairo_image_surface_get_width(pdf->logo), h = cairo_image_surface_get_height(pdf->logo);
    double scale = max_width / w < max_height / h ? max_width / w : max_height / h;
    if (draw) {
        cairo_save(pdf->cr);
        cairo_translate(pdf->cr, x, y);
        cairo_scale(pdf->cr, scale, scale);
        cairo_set_source_surface(pdf->cr, pdf->logo, 0, 0);
        cairo_pattern_set_filter(cairo_get_source(pdf->cr), CAIRO_FILTER_GOOD);
        cairo_paint(pdf->cr);
        cairo_restore(pdf->cr);
    }
    return w * scale;
}

int conton_pdf_qr(conton_pdf *pdf, const char *text, double x, double y, double size) {
    QRcode *code = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (code == NULL) return -1;
    int n = code->width;
    double module = size / (n + 8);  // 4 modules of quiet zone on each side
    cairo_save(pdf->cr);
    cairo_set_source_rgb(pdf->cr, 1, 1, 1);
    cairo_rectangle(pdf->cr, x, y, size, size);
    cairo_fill(pdf->cr);
    cairo_set_source_rgb(pdf->cr, 0, 0, 0);
    for (int row = 0; row < n; row++)
        for (int col = 0; col < n; col++)
            if (code->data[row * n + col] & 1)
                cairo_rectangle(pdf->cr, x + (col + 4) * module, y + (row + 4) * module, module, module);
    cairo_fill(pdf->cr);
    cairo_restore(pdf->cr);
    QRcode_free(code);
    return 0;
}

int conton_qr_png(const char *text, int module_px, uint8_t **bytes, size_t *length) {
    if (module_px < 1 || module_px > 64) return -1;
    QRcode *code = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (code == NULL) return -1;
    int n = code->width, side = (n + 8) * module_px;  // 4 modules of quiet zone on each side
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, side, side);
    cairo_t *cr = cairo_create(surface);
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (int row = 0; row < n; row++)
        for (int col = 0; col < n; col++)
            if (code->data[row * n + col] & 1)
                cairo_rectangle(cr, (col + 4) * module_px, (row + 4) * module_px, module_px, module_px);
    cairo_fill(cr);
    cairo_destroy(cr);
    QRcode_free(code);
    struct out_buffer b = {0};
    cairo_status_t status = cairo_surface_write_to_png_stream(surface, append, &b);
    cairo_surface_destroy(surface);
    if (status != CAIRO_STATUS_SUCCESS || b.failed) {
        free(b.bytes);
        return -1;
    }
    *bytes = b.bytes;
    *length = b.length;
    return 0;
}

void conton_pdf_next_page(conton_pdf *pdf) { cairo_show_page(pdf->cr); }

int conton_pdf_finish(conton_pdf *pdf, uint8_t **bytes, size_t *length) {
    cairo_destroy(pdf->cr);
    pdf->cr = NULL;
    if (pdf->logo) cairo_surface_destroy(pdf->logo);
    pdf->logo = NULL;
    cairo_surface_finish(pdf->surface);
    int ok = cairo_surface_status(pdf->surface) == CAIRO_STATUS_SUCCESS && !pdf->out.failed;
    cairo_surface_destroy(pdf->surface);
    pdf->surface = NULL;
    if (!ok) return -1;
    *bytes = pdf->out.bytes;
    *length = pdf->out.length;
    pdf->out = (struct out_buffer){0};
    return 0;
}

void conton_pdf_free_bytes(uint8_t *bytes) { free(bytes); }

void conton_pdf_free(conton_pdf *pdf) {
    if (pdf == NULL) return;
    if (pdf->cr) cairo_destroy(pdf->cr);
    if (pdf->logo) cairo_surface_destroy(pdf->logo);
    if (pdf->surface) cairo_surface_destroy(pdf->surface);
    if (pdf->pango) {
        pthread_mutex_lock(&pango_lock);
        g_object_unref(pdf->pango);
        pthread_mutex_unlock(&pango_lock);
    }
    free(pdf->out.bytes);
    free(pdf);
}
