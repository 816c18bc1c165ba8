/* figure.h - a figure as a list of drawing primitives in pixel coordinates
 * (origin top left, y down), so that one description gives both the page's
 * inline SVG (svg_write.c) and the PNG (raster.c).
 *
 * Primitives: polylines (optionally dashed), filled rectangles, filled
 * circles, text (horizontal or rotated to read upwards) and RGBA images.
 * Colours are 0xRRGGBBAA.  Adding never fails loudly: an allocation failure
 * sets the figure's error flag, which cs_fig_check reports once at the end,
 * the way a stream keeps its error. */
#ifndef CS_FIGURE_H
#define CS_FIGURE_H

#include <stdint.h>

typedef enum cs_fig_kind { CS_FIG_LINE, CS_FIG_RECT, CS_FIG_CIRCLE, CS_FIG_TEXT, CS_FIG_IMAGE } cs_fig_kind;

/* Text anchors: where x lies on the text. */
enum { CS_FIG_START = -1, CS_FIG_MIDDLE = 0, CS_FIG_END = 1 };

typedef struct cs_fig_item {
    cs_fig_kind kind;
    uint32_t color;
    float x, y, w, h;   /* rect and image: corner and size; circle: centre and radius (w) */
    float width;        /* line width */
    int dash;           /* line: dashed */
    float *pts;         /* line: x0 y0 x1 y1 ... */
    int npts;
    char *text;         /* UTF-8 */
    float size;         /* text height in pixels (the SVG font-size) */
    int anchor;         /* CS_FIG_START / MIDDLE / END */
    int vertical;       /* text reads bottom to top */
    uint8_t *rgba;      /* image pixels, iw * ih * 4, owned */
    int iw, ih;
    int smooth;         /* image: interpolate when scaled (else pixelated) */
} cs_fig_item;

typedef struct cs_fig {
    char id[48];        /* "epochs": the page anchor and the PNG's name */
    int w, h;           /* pixels */
    cs_fig_item *items;
    int n, cap;
    int failed;         /* an allocation failed: the figure is incomplete */
} cs_fig;

int cs_fig_init(cs_fig *f, const char *id, int w, int h);
void cs_fig_release(cs_fig *f);
/* CS_ENOMEM with a message naming the figure if anything failed, else 0. */
int cs_fig_check(const cs_fig *f);

void cs_fig_line(cs_fig *f, const float *pts, int npts, uint32_t color, float width, int dash);
void cs_fig_segment(cs_fig *f, float x0, float y0, float x1, float y1, uint32_t color, float width, int dash);
void cs_fig_rect(cs_fig *f, float x, float y, float w, float h, uint32_t color);
void cs_fig_circle(cs_fig *f, float x, float y, float r, uint32_t color);
void cs_fig_text(cs_fig *f, float x, float y, const char *text, float size, int anchor, int vertical,
                 uint32_t color);
/* As cs_fig_text with printf formatting. */
void cs_fig_textf(cs_fig *f, float x, float y, float size, int anchor, uint32_t color, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 7, 8)))
#endif
    ;
/* Takes ownership of rgba (freed with the figure, or at once if adding fails). */
void cs_fig_image(cs_fig *f, float x, float y, float w, float h, uint8_t *rgba, int iw, int ih, int smooth);

/* Approximate width of text in pixels at a size (for layout). */
float cs_fig_text_width(const char *text, float size);

#endif
