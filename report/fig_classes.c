/* fig_classes.c - one bar per class: its size N_c (grey), the part the index
 * kept n_c (green) and the kept percentage, so a starved class shows at a
 * glance. */
#include "axes.h"
#include "figures.h"

#include <stdio.h>

enum { ROW = 18, LEFT = 70, BAR_W = 560, TOP = 30 };

int cs_fig_classes(cs_fig *f, const cs_report_data *d)
{
    int C = d->num_classes;
    cs_fig_init(f, "classes", LEFT + BAR_W + 200, TOP + C * ROW + 44);
    int64_t max_n = 1;
    for (int c = 0; c < C; c++)
        max_n = d->class_n[c] > max_n ? d->class_n[c] : max_n;
    cs_axes a;
    cs_axes_init(&a, LEFT, TOP, BAR_W, (float)(C * ROW), 0, (double)max_n, 0, 1);
    cs_axes_draw(f, &a, 6, 0, "samples", NULL);
    float x = LEFT;
    x = cs_legend_item(f, x, 18, 0xc9c9c9ffu, "N_c (class size)");
    if (d->have_index)
        cs_legend_item(f, x, 18, CS_COL_KEPT, "n_c (kept)");
    for (int c = 0; c < C; c++) {
        float y = (float)(TOP + c * ROW + 3);
        char name[40];
        cs_fig_textf(f, LEFT - 8, y + 11, 11, CS_FIG_END, CS_COL_TEXT, "%s",
                     cs_report_class(d, c, CS_CLASS_SHORT, name, sizeof name));
        float full = cs_axes_px(&a, (double)d->class_n[c]) - LEFT;
        cs_fig_rect(f, LEFT, y, full, ROW - 6, 0xc9c9c9ffu);
        char text[96];
        if (d->have_index) {
            cs_fig_rect(f, LEFT, y, cs_axes_px(&a, (double)d->class_kept[c]) - LEFT, ROW - 6, CS_COL_KEPT);
            snprintf(text, sizeof text, "%lld / %lld (%.1f%%)", (long long)d->class_kept[c], (long long)d->class_n[c],
                     d->class_n[c] ? 100.0 * (double)d->class_kept[c] / (double)d->class_n[c] : 0.0);
        } else {
            snprintf(text, sizeof text, "%lld", (long long)d->class_n[c]);
        }
        cs_fig_text(f, LEFT + full + 6, y + 10, text, 10, CS_FIG_START, 0, CS_COL_TEXT);
    }
    return cs_fig_check(f);
}
