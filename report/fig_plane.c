/* fig_plane.c - the confidence-focus plane (ERTS Fig. 5): each sample at
 * (mean confidence over the late window, mean Grad-CAM focus), coloured by
 * what happened to it, with the tau (vertical) and phi (horizontal) lines.
 *
 * At most CS_REPORT_MAX_POINTS points are drawn: beyond that a uniform
 * subsample without replacement (seeded, so the same run draws the same
 * points) keeps the page small for a million samples; the legend counts
 * every sample. */
#include "axes.h"
#include "figures.h"
#include "stats.h"

#include "../common/err.h"

#include <stdio.h>
#include <stdlib.h>

enum { LEFT = 64, TOP = 40, PW = 460, PH = 360 };

static const uint32_t kind_color[CS_PLANE_KINDS] = {CS_COL_KEPT, CS_COL_FOCUS, CS_COL_CONF, CS_COL_REMOVED, 0};

int cs_fig_plane(cs_fig *f, const cs_report_data *d, int64_t *drawn)
{
    cs_fig_init(f, "plane", LEFT + PW + 250, TOP + PH + 50);
    *drawn = 0;
    int64_t count[CS_PLANE_KINDS] = {0}, placed = 0;
    int64_t *where = cs_malloc(sizeof *where * (size_t)(d->n ? d->n : 1));
    int64_t *pick = cs_malloc(sizeof *pick * CS_REPORT_MAX_POINTS);
    uint8_t *kind = cs_malloc((size_t)(d->n ? d->n : 1));
    if (!where || !pick || !kind) {
        free(where);
        free(pick);
        free(kind);
        return CS_ENOMEM;
    }
    for (int64_t i = 0; i < d->n; i++) {
        kind[i] = (uint8_t)cs_report_plane_kind(d, i);
        count[kind[i]]++;
        if (kind[i] != CS_PLANE_UNKNOWN)
            where[placed++] = i;
    }
    int64_t k = cs_subsample(placed, CS_REPORT_MAX_POINTS, CS_REPORT_SUBSAMPLE_SEED, pick);
    cs_axes a;
    cs_axes_init(&a, LEFT, TOP, PW, PH, 0, 1, 0, 1);
    cs_axes_draw(f, &a, 5, 5, "confidence p_y, mean over the late window", "Grad-CAM focus (mean)");
    /* the removed first, so the kept lie on top */
    static const int order[] = {CS_PLANE_OTHER, CS_PLANE_CONF, CS_PLANE_FOCUS, CS_PLANE_KEPT};
    float r = k > 1500 ? 1.6f : 2.4f;
    for (int o = 0; o < 4; o++)
        for (int64_t j = 0; j < k; j++) {
            int64_t i = where[pick[j]];
            if (kind[i] == order[o])
                cs_fig_circle(f, cs_axes_px(&a, d->late_conf[i]), cs_axes_py(&a, d->focus[i]), r,
                              (kind_color[order[o]] & 0xffffff00u) | 0xb0u);
        }
    float tx = cs_axes_px(&a, d->tau), py = cs_axes_py(&a, d->phi);
    cs_fig_segment(f, tx, a.y, tx, a.y + a.h, CS_COL_TEXT, 1.5f, 1);
    cs_fig_segment(f, a.x, py, a.x + a.w, py, CS_COL_TEXT, 1.5f, 1);
    /* labels where points are rarest: above the frame, and under the phi line */
    cs_fig_textf(f, tx, a.y - 5, 11, CS_FIG_MIDDLE, CS_COL_TEXT, "\u03c4 = %g", d->tau);
    cs_fig_textf(f, a.x + 4, py + 14, 11, CS_FIG_START, CS_COL_TEXT, "\u03c6 = %g", d->phi);
    /* legend with the full counts */
    const char *names[CS_PLANE_KINDS] = {d->have_index ? "kept" : "retained (uncertain, focused)",
                                         "removed by the focus filter", "removed by confidence",
                                         "removed below the score cut", NULL};
    float ly = TOP + 12;
    for (int c = 0; c < CS_PLANE_UNKNOWN; c++) {
        if (c == CS_PLANE_OTHER && !d->have_index)
            continue;
        char label[96];
        snprintf(label, sizeof label, "%s: %lld", names[c], (long long)count[c]);
        cs_legend_item(f, LEFT + PW + 16, ly, kind_color[c], label);
        ly += 18;
    }
    ly += 8;
    cs_fig_textf(f, LEFT + PW + 16, ly, 10, CS_FIG_START, CS_COL_TEXT, "%lld of %lld points drawn", (long long)k,
                 (long long)placed);
    if (count[CS_PLANE_UNKNOWN])
        cs_fig_textf(f, LEFT + PW + 16, ly + 14, 10, CS_FIG_START, CS_COL_TEXT, "%lld without focus: not drawn",
                     (long long)count[CS_PLANE_UNKNOWN]);
    *drawn = k;
    free(where);
    free(pick);
    free(kind);
    return cs_fig_check(f);
}
