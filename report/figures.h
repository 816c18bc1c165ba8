/* figures.h - the report's figures, one builder per file (fig_*.c), each
 * drawing from the gathered data (report_data.h) into a cs_fig that
 * svg_write.c and raster.c turn into SVG and PNG.  Each initialises f
 * (release it even on error) and returns 0 or a negative code. */
#ifndef CS_FIGURES_H
#define CS_FIGURES_H

#include "figure.h"
#include "report_data.h"

/* Loss, accuracy and cumulative effective epochs per epoch, a line per run. */
int cs_fig_epochs(cs_fig *f, const cs_report_data *d);
/* Per class N_c, kept n_c and kept % as bars. */
int cs_fig_classes(cs_fig *f, const cs_report_data *d);
/* Per-class histograms of the score, kept part coloured, the cut marked. */
int cs_fig_scores(cs_fig *f, const cs_report_data *d);
/* The confidence-focus plane (ERTS Fig. 5); *drawn gets the points drawn. */
int cs_fig_plane(cs_fig *f, const cs_report_data *d, int64_t *drawn);
/* Error-norm traces over epochs with the EVA windows shaded (EVA Fig. 1). */
int cs_fig_traces(cs_fig *f, const cs_report_data *d);
/* Thumbnails (or ECG signals) of the top and bottom samples with Grad-CAM. */
int cs_fig_samples(cs_fig *f, const cs_report_data *d);

/* The seed of the plane's subsample: fixed, so the same run draws the same points. */
#define CS_REPORT_SUBSAMPLE_SEED 0x706c616e65ULL /* "plane" */

#endif
