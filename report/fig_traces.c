/* fig_traces.c - error-norm trajectories (EVA Fig. 1): per class, the
 * samples with the highest, median and lowest trace score (EVA), their
 * ||p - e_y|| over the epochs of the first surrogate run, with the early and
 * late EVA windows shaded. */
#include "axes.h"
#include "figures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

enum { PW = 200, PH = 110, GX = 62, GY = 62, LEFT = 52, TOP = 40, COLS = 4 };

static const uint32_t kind_color[CS_TRACE_KINDS] = {0xd62728ffu, 0x555555ffu, 0x1f77b4ffu};
static const uint32_t window_color[2] = {0xd6e6f7ffu, 0xfbe3c8ffu}; /* early, late */

int cs_fig_traces(cs_fig *f, const cs_report_data *d)
{
    int np = cs_report_panels(d), cols = np < COLS ? np : COLS, rows = (np + cols - 1) / cols;
    cs_fig_init(f, "traces", LEFT + cols * (PW + GX), TOP + rows * (PH + GY));
    static const char *kinds[CS_TRACE_KINDS] = {"highest", "median", "lowest"};
    float x = LEFT;
    char label[96];
    for (int k = 0; k < CS_TRACE_KINDS; k++) {
        snprintf(label, sizeof label, "%s %s", kinds[k], d->trace_score);
        x = cs_legend_item(f, x, 16, kind_color[k], label);
    }
    if (d->eva_window[1]) {
        x = cs_legend_item(f, x, 16, window_color[0], "early window");
        cs_legend_item(f, x, 16, window_color[1], "late window");
    }
    float *pts = malloc(sizeof *pts * 2 * (size_t)(d->max_epoch ? d->max_epoch : 1));
    if (!pts) {
        f->failed = 1;
        return cs_fig_check(f);
    }
    for (int c = 0; c < np; c++) {
        cs_axes a;
        /* ||p - e_y|| lies in [0, sqrt 2] */
        cs_axes_init(&a, (float)(LEFT + (c % cols) * (PW + GX)), (float)(TOP + 14 + (c / cols) * (PH + GY)), PW, PH, 1,
                     fmax(d->max_epoch, 2), 0, sqrt(2.0));
        for (int w = 0; w < 2 && d->eva_window[2 * w + 1]; w++) {
            float x0 = cs_axes_px(&a, d->eva_window[2 * w] - 0.5), x1 = cs_axes_px(&a, d->eva_window[2 * w + 1] + 0.5);
            x0 = fmaxf(x0, a.x);
            x1 = fminf(x1, a.x + a.w);
            cs_fig_rect(f, x0, a.y, x1 - x0, a.h, window_color[w]);
        }
        cs_axes_draw(f, &a, 5, 3, c / cols == rows - 1 ? "epoch" : NULL, c % cols == 0 ? "||p - e_y||" : NULL);
        char name[40];
        cs_fig_textf(f, a.x, a.y - 5, 11, CS_FIG_START, CS_COL_TEXT, "%s",
                     cs_report_class(d, c, CS_CLASS_LONG, name, sizeof name));
        for (int t = 0; t < d->ntraces; t++) {
            const cs_report_trace *tr = &d->traces[t];
            if (tr->label != c || !tr->err)
                continue;
            int n = 0;
            for (int e = 1; e <= d->max_epoch; e++)
                if (!isnan(tr->err[e - 1])) {
                    pts[2 * n] = cs_axes_px(&a, e);
                    pts[2 * n + 1] = cs_axes_py(&a, tr->err[e - 1]);
                    n++;
                }
            cs_fig_line(f, pts, n, kind_color[tr->kind], 1.6f, 0);
            if (n == 1)
                cs_fig_circle(f, pts[0], pts[1], 2.5f, kind_color[tr->kind]);
        }
    }
    free(pts);
    return cs_fig_check(f);
}
