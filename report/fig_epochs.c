/* fig_epochs.c - the surrogate's dynamics: train-pass loss and accuracy per
 * epoch and the effective epochs so far (the fraction of samples
 * back-propagated, summed), one line per surrogate run. */
#include "axes.h"
#include "figures.h"
#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

enum { PANEL_W = 230, PANEL_H = 170, LEFT = 62, GAP = 72, TOP = 34 };

/* One value per frame: 0 loss, 1 accuracy, 2 cumulative effective epochs. */
static double value(const cs_report_data *d, int k, int which, const double *ee)
{
    const cs_report_epoch *e = &d->epochs[k];
    return which == 0 ? e->loss : which == 1 ? e->accuracy : ee[k];
}

int cs_fig_epochs(cs_fig *f, const cs_report_data *d)
{
    cs_fig_init(f, "epochs", LEFT + 3 * PANEL_W + 2 * GAP + 20, TOP + PANEL_H + 50);
    double *ee = malloc(sizeof *ee * (size_t)(d->nepochs ? d->nepochs : 1));
    if (!ee) {
        f->failed = 1;
        return cs_fig_check(f);
    }
    cs_report_effective_epochs(d, ee);
    static const char *names[3] = {"loss (train pass)", "accuracy (train pass)", "effective epochs"};
    for (int which = 0; which < 3; which++) {
        double lo = INFINITY, hi = -INFINITY;
        for (int k = 0; k < d->nepochs; k++) {
            double v = value(d, k, which, ee);
            if (isfinite(v)) {
                lo = fmin(lo, v);
                hi = fmax(hi, v);
            }
        }
        if (which == 0)
            lo = fmin(lo, 0);
        if (which == 1) {
            lo = fmin(lo, 0);
            hi = 1;
        }
        if (which == 2) {
            lo = 0;
            hi = fmax(hi, d->max_epoch);
        }
        cs_axes a;
        cs_axes_init(&a, (float)(LEFT + which * (PANEL_W + GAP)), TOP, PANEL_W, PANEL_H, 1, fmax(d->max_epoch, 2),
                     lo, hi * (which == 0 ? 1.05 : 1));
        cs_axes_draw(f, &a, 6, 5, "epoch", names[which]);
        if (which == 2) /* every sample in every epoch */
            cs_fig_segment(f, cs_axes_px(&a, 1), cs_axes_py(&a, 1), cs_axes_px(&a, d->max_epoch),
                           cs_axes_py(&a, d->max_epoch), CS_COL_AXIS, 1, 1);
        /* one polyline per run, frames in file order */
        float *pts = malloc(sizeof *pts * 2 * (size_t)(d->nepochs ? d->nepochs : 1));
        if (!pts) {
            f->failed = 1;
            break;
        }
        for (int k = 0, run = 0; k < d->nepochs; run++) {
            int np = 0, r = d->epochs[k].run;
            for (; k < d->nepochs && d->epochs[k].run == r; k++) {
                double v = value(d, k, which, ee);
                if (!isfinite(v))
                    continue;
                pts[2 * np] = cs_axes_px(&a, d->epochs[k].epoch);
                pts[2 * np + 1] = cs_axes_py(&a, v);
                np++;
            }
            cs_fig_line(f, pts, np, cs_palette(run), 1.8f, 0);
            for (int p = 0; p < np && d->max_epoch <= 40; p++)
                cs_fig_circle(f, pts[2 * p], pts[2 * p + 1], 2.5f, cs_palette(run));
        }
        free(pts);
    }
    float x = LEFT;
    for (int run = 0; run < d->nruns && run < 8; run++) {
        char label[32];
        snprintf(label, sizeof label, "run %d", run);
        x = cs_legend_item(f, x, 18, cs_palette(run), label);
    }
    if (d->nruns > 8)
        cs_fig_textf(f, x, 18, 11, CS_FIG_START, CS_COL_TEXT, "(%d runs; colours repeat)", d->nruns);
    free(ee);
    return cs_fig_check(f);
}
