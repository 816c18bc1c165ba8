/* raster.c - the PNG rasteriser: every primitive is a coverage function over
 * its bounding box, blended source-over onto an opaque canvas. */
#include "raster.h"

#include "../common/err.h"
#include "font5x7.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct canvas {
    uint8_t *px;
    int w, h;
} canvas;

/* Blend colour c (0xRRGGBBAA) at coverage cov into pixel (x, y). */
static void blend(canvas *cv, int x, int y, uint32_t c, float cov)
{
    if (x < 0 || y < 0 || x >= cv->w || y >= cv->h || cov <= 0)
        return;
    float a = (float)(c & 0xff) / 255.0f * (cov > 1 ? 1 : cov);
    uint8_t *p = cv->px + ((size_t)y * (size_t)cv->w + (size_t)x) * 4;
    for (int k = 0; k < 3; k++) {
        float src = (float)((c >> (24 - 8 * k)) & 0xff);
        p[k] = (uint8_t)lrintf((float)p[k] * (1 - a) + src * a);
    }
    p[3] = 255;
}

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

static void fill_rect(canvas *cv, float x0, float y0, float x1, float y1, uint32_t c)
{
    int ix0 = clampi((int)floorf(x0), 0, cv->w), ix1 = clampi((int)ceilf(x1), 0, cv->w);
    int iy0 = clampi((int)floorf(y0), 0, cv->h), iy1 = clampi((int)ceilf(y1), 0, cv->h);
    for (int y = iy0; y < iy1; y++) {
        float oy = fminf(y1, (float)y + 1) - fmaxf(y0, (float)y);
        for (int x = ix0; x < ix1; x++) {
            float ox = fminf(x1, (float)x + 1) - fmaxf(x0, (float)x);
            blend(cv, x, y, c, ox * oy);
        }
    }
}

/* A segment of half-width hw (device pixels) with round ends. */
static void segment(canvas *cv, float ax, float ay, float bx, float by, float hw, uint32_t c)
{
    float r = hw + 1;
    int x0 = clampi((int)floorf(fminf(ax, bx) - r), 0, cv->w), x1 = clampi((int)ceilf(fmaxf(ax, bx) + r), 0, cv->w);
    int y0 = clampi((int)floorf(fminf(ay, by) - r), 0, cv->h), y1 = clampi((int)ceilf(fmaxf(ay, by) + r), 0, cv->h);
    float dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            float px = (float)x + 0.5f - ax, py = (float)y + 0.5f - ay;
            float t = len2 > 0 ? (px * dx + py * dy) / len2 : 0;
            t = t < 0 ? 0 : t > 1 ? 1 : t;
            float ex = px - t * dx, ey = py - t * dy;
            blend(cv, x, y, c, hw + 0.5f - sqrtf(ex * ex + ey * ey));
        }
}

/* Dashes of 6 on, 4 off (figure pixels times s) along the polyline. */
static void polyline(canvas *cv, const cs_fig_item *it, float s)
{
    float hw = fmaxf(0.5f, it->width * s / 2);
    float on = 6 * s, period = 10 * s, walked = 0;
    for (int k = 0; k + 1 < it->npts; k++) {
        float ax = it->pts[2 * k] * s, ay = it->pts[2 * k + 1] * s;
        float bx = it->pts[2 * k + 2] * s, by = it->pts[2 * k + 3] * s;
        if (!it->dash) {
            segment(cv, ax, ay, bx, by, hw, it->color);
            continue;
        }
        float len = hypotf(bx - ax, by - ay);
        for (float u = 0; u < len;) {
            float phase = fmodf(walked + u, period);
            float step = phase < on ? on - phase : period - phase;
            float v = fminf(len, u + step);
            if (phase < on && len > 0)
                segment(cv, ax + (bx - ax) * u / len, ay + (by - ay) * u / len, ax + (bx - ax) * v / len,
                        ay + (by - ay) * v / len, hw, it->color);
            u = v;
        }
        walked += len;
    }
}

static void circle(canvas *cv, float cx, float cy, float r, uint32_t c)
{
    int x0 = clampi((int)floorf(cx - r - 1), 0, cv->w), x1 = clampi((int)ceilf(cx + r + 1), 0, cv->w);
    int y0 = clampi((int)floorf(cy - r - 1), 0, cv->h), y1 = clampi((int)ceilf(cy + r + 1), 0, cv->h);
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            blend(cv, x, y, c, r + 0.5f - hypotf((float)x + 0.5f - cx, (float)y + 0.5f - cy));
}

static void text(canvas *cv, const cs_fig_item *it, float s)
{
    int g = (int)lrintf(it->size * s / 10);
    g = g < 1 ? 1 : g;
    int chars = 0;
    for (const char *p = it->text; *p;) {
        cs_utf8_next(&p);
        chars++;
    }
    int advance = (CS_FONT_W + 1) * g, width = chars * advance - g;
    /* u runs along the text, v up from the baseline. */
    float u0 = it->anchor == CS_FIG_START ? 0 : it->anchor == CS_FIG_MIDDLE ? -(float)width / 2 : -(float)width;
    float x = it->x * s, y = it->y * s;
    int k = 0;
    for (const char *p = it->text; *p; k++) {
        const uint8_t *rows = cs_font_glyph(cs_utf8_next(&p));
        for (int r = 0; r < CS_FONT_H; r++)
            for (int col = 0; col < CS_FONT_W; col++) {
                if (!(rows[r] >> (CS_FONT_W - 1 - col) & 1))
                    continue;
                float ua = u0 + (float)(k * advance + col * g), ub = ua + (float)g;
                float va = (float)((CS_FONT_H - 1 - r) * g), vb = va + (float)g;
                if (it->vertical)
                    fill_rect(cv, x - vb, y - ub, x - va, y - ua, it->color);
                else
                    fill_rect(cv, x + ua, y - vb, x + ub, y - va, it->color);
            }
    }
}

/* Sample image pixel channel at continuous source coordinates. */
static uint32_t image_at(const cs_fig_item *it, float sx, float sy)
{
    const uint8_t *im = it->rgba;
    if (!it->smooth) {
        int ix = clampi((int)floorf(sx), 0, it->iw - 1), iy = clampi((int)floorf(sy), 0, it->ih - 1);
        const uint8_t *p = im + ((size_t)iy * (size_t)it->iw + (size_t)ix) * 4;
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    }
    /* half-pixel centres, clamped at the edges */
    float fx = fminf(fmaxf(sx - 0.5f, 0), (float)(it->iw - 1)), fy = fminf(fmaxf(sy - 0.5f, 0), (float)(it->ih - 1));
    int x0 = (int)fx, y0 = (int)fy, x1 = x0 + 1 < it->iw ? x0 + 1 : x0, y1 = y0 + 1 < it->ih ? y0 + 1 : y0;
    float tx = fx - (float)x0, ty = fy - (float)y0;
    uint32_t out = 0;
    for (int ch = 0; ch < 4; ch++) {
        float a = im[((size_t)y0 * (size_t)it->iw + (size_t)x0) * 4 + (size_t)ch];
        float b = im[((size_t)y0 * (size_t)it->iw + (size_t)x1) * 4 + (size_t)ch];
        float c = im[((size_t)y1 * (size_t)it->iw + (size_t)x0) * 4 + (size_t)ch];
        float d = im[((size_t)y1 * (size_t)it->iw + (size_t)x1) * 4 + (size_t)ch];
        float v = (a * (1 - tx) + b * tx) * (1 - ty) + (c * (1 - tx) + d * tx) * ty;
        out = out << 8 | (uint32_t)lrintf(v);
    }
    return out;
}

static void image(canvas *cv, const cs_fig_item *it, float s)
{
    float x0 = it->x * s, y0 = it->y * s, w = it->w * s, h = it->h * s;
    int ix0 = clampi((int)lrintf(x0), 0, cv->w), ix1 = clampi((int)lrintf(x0 + w), 0, cv->w);
    int iy0 = clampi((int)lrintf(y0), 0, cv->h), iy1 = clampi((int)lrintf(y0 + h), 0, cv->h);
    for (int y = iy0; y < iy1; y++)
        for (int x = ix0; x < ix1; x++) {
            float sx = ((float)x + 0.5f - x0) / w * (float)it->iw, sy = ((float)y + 0.5f - y0) / h * (float)it->ih;
            blend(cv, x, y, image_at(it, sx, sy), 1);
        }
}

int cs_raster_fig(const cs_fig *f, int scale, uint8_t **rgba, int *w, int *h)
{
    int rc = cs_fig_check(f);
    if (rc)
        return rc;
    canvas cv = {NULL, f->w * scale, f->h * scale};
    cv.px = malloc((size_t)cv.w * (size_t)cv.h * 4);
    if (!cv.px)
        return cs_error(CS_ENOMEM, "out of memory drawing '%s' (%d x %d pixels)", f->id, cv.w, cv.h);
    memset(cv.px, 255, (size_t)cv.w * (size_t)cv.h * 4);
    float s = (float)scale;
    for (int i = 0; i < f->n; i++) {
        const cs_fig_item *it = &f->items[i];
        switch (it->kind) {
        case CS_FIG_LINE:
            polyline(&cv, it, s);
            break;
        case CS_FIG_RECT:
            fill_rect(&cv, it->x * s, it->y * s, (it->x + it->w) * s, (it->y + it->h) * s, it->color);
            break;
        case CS_FIG_CIRCLE:
            circle(&cv, it->x * s, it->y * s, it->w * s, it->color);
            break;
        case CS_FIG_TEXT:
            text(&cv, it, s);
            break;
        case CS_FIG_IMAGE:
            image(&cv, it, s);
            break;
        }
    }
    *rgba = cv.px;
    *w = cv.w;
    *h = cv.h;
    return 0;
}
