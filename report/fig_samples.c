/* fig_samples.c - the samples behind the ranking: for each shown class the
 * CS_REPORT_THUMBS most important and least important by the drawn score.
 * Images: the sample and the sample under its Grad-CAM map (a blue-to-red
 * colour scale, half transparent).  ECG: the first lead's signal over a red
 * band whose strength is the map.  Images larger than THUMB_MAX pixels a side
 * are box-averaged down first, so the embedded PNGs stay small. */
#include "axes.h"
#include "figures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { THUMB_MAX = 64, LEFT = 70, TOP = 44, CELL_GAP = 14, SECTION_GAP = 30 };

/* Image cells: two 56-pixel thumbnails; ECG cells: one 150 x 64 panel. */
enum { IMG = 56, SIG_W = 150, SIG_H = 64, CAPTION = 30 };

/* A blue-cyan-green-yellow-red scale for map values in [0, 1]. */
static void heat(float v, uint8_t rgb[3])
{
    static const float stops[5][3] = {{20, 20, 120}, {0, 110, 220}, {40, 190, 110}, {250, 210, 0}, {220, 30, 20}};
    v = v < 0 ? 0 : v > 1 ? 1 : v;
    float x = v * 4;
    int k = x >= 4 ? 3 : (int)x;
    float t = x - (float)k;
    for (int c = 0; c < 3; c++)
        rgb[c] = (uint8_t)lrintf(stops[k][c] * (1 - t) + stops[k + 1][c] * t);
}

/* The sample as RGBA (min-max over its values), box-averaged to at most
 * THUMB_MAX a side; with `map`, blended half and half with its heat colour. */
static uint8_t *thumbnail(const cs_report_data *d, const cs_report_sample *s, const float *map, int *tw, int *th)
{
    int H = (int)d->dims[0], W = (int)d->dims[1], C = d->channels;
    int step = (H > W ? H : W) > THUMB_MAX ? ((H > W ? H : W) + THUMB_MAX - 1) / THUMB_MAX : 1;
    int h = (H + step - 1) / step, w = (W + step - 1) / step;
    uint8_t *out = malloc((size_t)h * (size_t)w * 4);
    if (!out)
        return NULL;
    float lo = INFINITY, hi = -INFINITY;
    for (int64_t k = 0; k < (int64_t)C * H * W; k++) {
        lo = fminf(lo, s->x[k]);
        hi = fmaxf(hi, s->x[k]);
    }
    float span = hi > lo ? hi - lo : 1;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float acc[4] = {0};
            int cnt = 0;
            for (int yy = y * step; yy < (y + 1) * step && yy < H; yy++)
                for (int xx = x * step; xx < (x + 1) * step && xx < W; xx++, cnt++) {
                    for (int c = 0; c < 3; c++) /* grey repeats channel 0 */
                        acc[c] += s->x[(size_t)(C >= 3 ? c : 0) * H * W + (size_t)yy * W + xx];
                    if (map)
                        acc[3] += map[(size_t)yy * W + xx];
                }
            uint8_t *p = out + ((size_t)y * w + x) * 4;
            uint8_t hc[3];
            heat(acc[3] / (float)cnt, hc);
            for (int c = 0; c < 3; c++) {
                float g = (acc[c] / (float)cnt - lo) / span * 255;
                p[c] = (uint8_t)lrintf(map ? 0.5f * g + 0.5f * hc[c] : g);
            }
            p[3] = 255;
        }
    *tw = w;
    *th = h;
    return out;
}

static void image_cell(cs_fig *f, const cs_report_data *d, const cs_report_sample *s, float x, float y)
{
    int w, h;
    float H = (float)d->dims[0], W = (float)d->dims[1];
    float dw = W >= H ? IMG : IMG * W / H, dh = H >= W ? IMG : IMG * H / W;
    uint8_t *plain = thumbnail(d, s, NULL, &w, &h);
    cs_fig_image(f, x, y, dw, dh, plain, w, h, 0);
    if (s->map) {
        uint8_t *over = thumbnail(d, s, s->map, &w, &h);
        cs_fig_image(f, x + IMG + 4, y, dw, dh, over, w, h, 0);
    } else {
        cs_fig_rect(f, x + IMG + 4, y, dw, dh, 0xeeeeeeffu);
        cs_fig_text(f, x + IMG + 4 + dw / 2, y + dh / 2 + 3, "no map", 9, CS_FIG_MIDDLE, 0, CS_COL_TEXT);
    }
}

static void signal_cell(cs_fig *f, const cs_report_data *d, const cs_report_sample *s, float x, float y)
{
    int L = (int)d->dims[0];
    cs_fig_rect(f, x, y, SIG_W, SIG_H, 0xf6f6f6ffu);
    if (s->map) {
        /* the map as a 1-pixel-high strip, stretched over the panel */
        uint8_t *band = malloc((size_t)L * 4);
        if (band)
            for (int k = 0; k < L; k++) {
                band[4 * k] = 214;
                band[4 * k + 1] = 39;
                band[4 * k + 2] = 40;
                band[4 * k + 3] = (uint8_t)lrintf(s->map[k] * 150);
            }
        cs_fig_image(f, x, y, SIG_W, SIG_H, band, L, 1, 1);
    }
    float lo = INFINITY, hi = -INFINITY;
    for (int k = 0; k < L; k++) {
        lo = fminf(lo, s->x[k]);
        hi = fmaxf(hi, s->x[k]);
    }
    float span = hi > lo ? hi - lo : 1;
    /* at most 200 vertices: enough for the eye, small in the page */
    int step = L > 200 ? (L + 199) / 200 : 1, n = 0;
    float pts[2 * 201];
    for (int k = 0; k < L && n < 201; k += step, n++) {
        pts[2 * n] = x + SIG_W * ((float)k + 0.5f) / (float)L;
        pts[2 * n + 1] = y + SIG_H - 4 - (SIG_H - 8) * (s->x[k] - lo) / span;
    }
    cs_fig_line(f, pts, n, 0x1b1b1bffu, 1.1f, 0);
    if (!s->map)
        cs_fig_text(f, x + SIG_W - 4, y + 12, "no map", 9, CS_FIG_END, 0, CS_COL_TEXT);
}

int cs_fig_samples(cs_fig *f, const cs_report_data *d)
{
    int np = cs_report_panels(d);
    float cell_w = d->is_signal ? SIG_W : 2 * IMG + 4, cell_h = (d->is_signal ? SIG_H : IMG) + CAPTION;
    float half = CS_REPORT_THUMBS * (cell_w + CELL_GAP);
    cs_fig_init(f, "samples", (int)(LEFT + 2 * half + SECTION_GAP + 10), (int)(TOP + np * (cell_h + 10) + 10));
    cs_fig_textf(f, LEFT, 18, 11, CS_FIG_START, CS_COL_TEXT, "most important by %s", d->score);
    cs_fig_textf(f, LEFT + half + SECTION_GAP, 18, 11, CS_FIG_START, CS_COL_TEXT, "least important by %s", d->score);
    if (!d->is_signal)
        cs_fig_text(f, LEFT, 32, "each: the sample, then under its Grad-CAM map", 10, CS_FIG_START, 0, CS_COL_AXIS);
    int slot[CS_REPORT_MAX_PANELS][2] = {{0}};
    for (int i = 0; i < d->nsamples; i++) {
        const cs_report_sample *s = &d->samples[i];
        if (!s->x || s->label >= np)
            continue;
        int k = slot[s->label][s->top ? 0 : 1]++;
        float x = LEFT + (s->top ? 0 : half + SECTION_GAP) + (float)k * (cell_w + CELL_GAP);
        float y = TOP + (float)s->label * (cell_h + 10);
        char name[40];
        if (k == 0 && s->top)
            cs_fig_textf(f, LEFT - 8, y + 20, 11, CS_FIG_END, CS_COL_TEXT, "%s",
                         cs_report_class(d, s->label, CS_CLASS_SHORT, name, sizeof name));
        if (d->is_signal)
            signal_cell(f, d, s, x, y);
        else
            image_cell(f, d, s, x, y);
        float cy = y + cell_h - CAPTION + 11;
        cs_fig_textf(f, x, cy, 9, CS_FIG_START, CS_COL_TEXT, "#%lld  %s %.4g", (long long)s->sample, d->score, s->score);
        if (s->map)
            cs_fig_textf(f, x, cy + 11, 9, CS_FIG_START, CS_COL_AXIS, "pred %d, focus %.2f", s->predicted, s->map_focus);
    }
    return cs_fig_check(f);
}
