/* axes.c - panels: scales, ticks, frames, legends. */
#include "axes.h"

#include <math.h>
#include <stdio.h>

uint32_t cs_palette(int i)
{
    static const uint32_t p[] = {0x1f77b4ffu, 0xff7f0effu, 0x2ca02cffu, 0x9467bdffu,
                                 0x8c564bffu, 0xe377c2ffu, 0x17becfffu, 0xbcbd22ffu};
    return p[(unsigned)i % (sizeof p / sizeof p[0])];
}

static void widen(double *lo, double *hi)
{
    if (!isfinite(*lo) || !isfinite(*hi)) {
        *lo = 0;
        *hi = 1;
    }
    if (*hi <= *lo) {
        double d = *lo != 0 ? fabs(*lo) * 0.05 : 0.5;
        *lo -= d;
        *hi += d;
    }
}

void cs_axes_init(cs_axes *a, float x, float y, float w, float h, double xmin, double xmax, double ymin, double ymax)
{
    widen(&xmin, &xmax);
    widen(&ymin, &ymax);
    *a = (cs_axes){x, y, w, h, xmin, xmax, ymin, ymax};
}

float cs_axes_px(const cs_axes *a, double v) { return a->x + (float)((v - a->xmin) / (a->xmax - a->xmin)) * a->w; }

float cs_axes_py(const cs_axes *a, double v) { return a->y + a->h - (float)((v - a->ymin) / (a->ymax - a->ymin)) * a->h; }

double cs_nice_step(double span, int count)
{
    if (!(span > 0) || count < 1)
        return 1;
    double raw = span / count, mag = pow(10, floor(log10(raw))), r = raw / mag;
    return (r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10) * mag;
}

/* A tick label: short, no trailing noise from the step arithmetic. */
static void tick_label(char *buf, size_t len, double v, double step)
{
    if (fabs(v) < step * 1e-6)
        v = 0;
    snprintf(buf, len, "%.4g", v);
}

void cs_axes_draw(cs_fig *f, const cs_axes *a, int xt, int yt, const char *xlabel, const char *ylabel)
{
    char buf[32];
    if (xt > 0) {
        double step = cs_nice_step(a->xmax - a->xmin, xt);
        for (double v = ceil(a->xmin / step - 1e-9) * step; v <= a->xmax + step * 1e-9; v += step) {
            float px = cs_axes_px(a, v);
            cs_fig_segment(f, px, a->y, px, a->y + a->h, CS_COL_GRID, 1, 0);
            cs_fig_segment(f, px, a->y + a->h, px, a->y + a->h + 4, CS_COL_AXIS, 1, 0);
            tick_label(buf, sizeof buf, v, step);
            cs_fig_text(f, px, a->y + a->h + 15, buf, 10, CS_FIG_MIDDLE, 0, CS_COL_TEXT);
        }
    }
    if (yt > 0) {
        double step = cs_nice_step(a->ymax - a->ymin, yt);
        for (double v = ceil(a->ymin / step - 1e-9) * step; v <= a->ymax + step * 1e-9; v += step) {
            float py = cs_axes_py(a, v);
            cs_fig_segment(f, a->x, py, a->x + a->w, py, CS_COL_GRID, 1, 0);
            cs_fig_segment(f, a->x - 4, py, a->x, py, CS_COL_AXIS, 1, 0);
            tick_label(buf, sizeof buf, v, step);
            cs_fig_text(f, a->x - 6, py + 3.5f, buf, 10, CS_FIG_END, 0, CS_COL_TEXT);
        }
    }
    float frame[10] = {a->x, a->y, a->x + a->w, a->y, a->x + a->w, a->y + a->h, a->x, a->y + a->h, a->x, a->y};
    cs_fig_line(f, frame, 5, CS_COL_AXIS, 1, 0);
    if (xlabel)
        cs_fig_text(f, a->x + a->w / 2, a->y + a->h + 30, xlabel, 11, CS_FIG_MIDDLE, 0, CS_COL_TEXT);
    if (ylabel)
        cs_fig_text(f, a->x - 38, a->y + a->h / 2, ylabel, 11, CS_FIG_MIDDLE, 1, CS_COL_TEXT);
}

float cs_legend_item(cs_fig *f, float x, float y, uint32_t c, const char *label)
{
    cs_fig_rect(f, x, y - 9, 10, 10, c);
    cs_fig_text(f, x + 14, y, label, 11, CS_FIG_START, 0, CS_COL_TEXT);
    return x + 14 + cs_fig_text_width(label, 11) + 14;
}
