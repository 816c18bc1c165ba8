/* axes.h - one plot panel of a figure: the data-to-pixel mapping, "nice"
 * tick steps, the frame with its ticks and labels, and the colours every
 * figure of the report shares. */
#ifndef CS_AXES_H
#define CS_AXES_H

#include "figure.h"

/* Colours (0xRRGGBBAA). */
#define CS_COL_TEXT 0x222222ffu
#define CS_COL_AXIS 0x555555ffu
#define CS_COL_GRID 0xe4e4e4ffu
#define CS_COL_KEPT 0x2e9e44ffu      /* kept / retained: green, as ERTS Fig. 5 */
#define CS_COL_FOCUS 0xe6a800ffu     /* removed by the focus filter: yellow */
#define CS_COL_CONF 0xd62728ffu      /* removed by confidence: red */
#define CS_COL_REMOVED 0x9a9a9affu   /* removed below the score cut: grey */
#define CS_COL_CUT 0x1f3f9fffu       /* the selection cut */

/* The i-th colour of a qualitative palette (runs, series). */
uint32_t cs_palette(int i);

typedef struct cs_axes {
    float x, y, w, h;          /* the plotting area in figure pixels */
    double xmin, xmax, ymin, ymax;
} cs_axes;

/* An axes over [xmin, xmax] x [ymin, ymax]; an empty or NaN range is widened. */
void cs_axes_init(cs_axes *a, float x, float y, float w, float h, double xmin, double xmax, double ymin, double ymax);
float cs_axes_px(const cs_axes *a, double v);
float cs_axes_py(const cs_axes *a, double v);
/* A step of 1, 2 or 5 times a power of ten giving about `count` ticks over span. */
double cs_nice_step(double span, int count);
/* Grid lines, frame, ticks with labels (about xt and yt of them; 0: none) and
 * the axis labels (NULL: none). */
void cs_axes_draw(cs_fig *f, const cs_axes *a, int xt, int yt, const char *xlabel, const char *ylabel);
/* A legend entry: a swatch of colour c and its label at (x, y); returns the x after it. */
float cs_legend_item(cs_fig *f, float x, float y, uint32_t c, const char *label);

#endif
