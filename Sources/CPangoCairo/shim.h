// The system libraries the PDF shim draws with: cairo (PDF surface), pango (text layout, through
// fontconfig), libqrencode (QR codes). Debian: libcairo2-dev, libpango1.0-dev, libqrencode-dev.
#include <cairo.h>
#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <qrencode.h>
