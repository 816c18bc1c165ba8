/* fig_scores.c - the score's distribution in each class (small multiples on
 * one shared x range, each with its own count scale): all samples in grey,
 * the kept ones in green over them, and a dashed line at the selection cut
 * where one value separates kept from removed. */
#include "axes.h"
#include "figures.h"
#include "stats.h"

#include <math.h>
#include <stdio.h>

enum { PW = 200, PH = 110, GX = 62, GY = 62, LEFT = 52, TOP = 40, COLS = 4 };

int cs_fig_scores(cs_fig *f, const cs_report_data *d)
{
    int np = cs_report_panels(d), cols = np < COLS ? np : COLS, rows = (np + cols - 1) / cols;
    cs_fig_init(f, "scores", LEFT + cols * (PW + GX), TOP + rows * (PH + GY));
    double lo, hi;
    cs_value_range(d->score_v, d->n, &lo, &hi);
    float x = LEFT;
    x = cs_legend_item(f, x, 16, 0xb0b0b0ffu, d->have_index ? "removed" : "all samples");
    if (d->have_index) {
        x = cs_legend_item(f, x, 16, CS_COL_KEPT, "kept");
        cs_fig_segment(f, x, 12, x + 18, 12, CS_COL_CUT, 2, 1);
        cs_fig_text(f, x + 24, 16, "selection cut", 11, CS_FIG_START, 0, CS_COL_TEXT);
    }
    for (int c = 0; c < np; c++) {
        cs_hist h;
        cs_report_hist(d, c, lo, hi, &h);
        int64_t peak = 1;
        for (int b = 0; b < CS_REPORT_BINS; b++)
            peak = h.all[b] > peak ? h.all[b] : peak;
        cs_axes a;
        cs_axes_init(&a, (float)(LEFT + (c % cols) * (PW + GX)), (float)(TOP + 14 + (c / cols) * (PH + GY)), PW, PH,
                     h.lo, h.hi, 0, (double)peak * 1.08);
        cs_axes_draw(f, &a, 4, 3, c / cols == rows - 1 ? d->score : NULL, NULL);
        double bw = (h.hi - h.lo) / CS_REPORT_BINS;
        for (int b = 0; b < CS_REPORT_BINS; b++) {
            float x0 = cs_axes_px(&a, h.lo + b * bw), x1 = cs_axes_px(&a, h.lo + (b + 1) * bw);
            float y0 = cs_axes_py(&a, 0);
            cs_fig_rect(f, x0, cs_axes_py(&a, (double)h.all[b]), x1 - x0 - 0.5f, y0 - cs_axes_py(&a, (double)h.all[b]),
                        0xb0b0b0ffu);
            if (h.kept[b])
                cs_fig_rect(f, x0, cs_axes_py(&a, (double)h.kept[b]), x1 - x0 - 0.5f,
                            y0 - cs_axes_py(&a, (double)h.kept[b]), CS_COL_KEPT);
        }
        double cut;
        if (cs_report_cut(d, c, &cut) && isfinite(cut)) {
            float px = cs_axes_px(&a, cut);
            cs_fig_segment(f, px, a.y, px, a.y + a.h, CS_COL_CUT, 2, 1);
        }
        char title[160];
        char name[40];
        int len = snprintf(title, sizeof title, "%s: %lld", cs_report_class(d, c, CS_CLASS_LONG, name, sizeof name),
                           (long long)h.total);
        if (d->have_index)
            len += snprintf(title + len, sizeof title - (size_t)len, ", kept %lld", (long long)h.total_kept);
        if (h.pos_inf || h.neg_inf)
            len += snprintf(title + len, sizeof title - (size_t)len, ", %lld at \u00b1\u221e", (long long)(h.pos_inf + h.neg_inf));
        if (h.nan)
            snprintf(title + len, sizeof title - (size_t)len, ", %lld NaN", (long long)h.nan);
        cs_fig_text(f, a.x, a.y - 5, title, 11, CS_FIG_START, 0, CS_COL_TEXT);
    }
    return cs_fig_check(f);
}
