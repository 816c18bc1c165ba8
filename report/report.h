/* report.h - `coreset report`: one self-contained HTML page (inline SVG, no
 * scripts, nothing fetched) about a run and optionally one index file, and
 * optionally every figure as a PNG.
 *
 * Sections: the surrogate's loss, accuracy and effective epochs per epoch;
 * per-class sizes and what the index kept; per-class score histograms with
 * the selection cut; the confidence-focus plane (ERTS Fig. 5); error-norm
 * trajectories with the EVA windows (EVA Fig. 1); the top and bottom samples
 * of each class with Grad-CAM maps recomputed from the checkpoint; the
 * provenance.  Each figure's numbers are in the page as data attributes
 * (man/coreset-report.1 lists them), so tests and scripts can read them. */
#ifndef CS_REPORT_H
#define CS_REPORT_H

#include <stdio.h>

typedef struct cs_report_args {
    const char *run;    /* the run directory (holds scores.h5) */
    const char *index;  /* an index file of this run, or NULL */
    const char *score;  /* the score of the histograms and thumbnails; NULL: the index's, else eva */
    const char *output; /* the HTML file; NULL: RUN/report.html */
    const char *png_dir;/* write each figure as DIR/<figure>.png too; NULL: none */
} cs_report_args;

/* Gather everything, then write the page (and PNGs) atomically: on an
 * error nothing is written, and the message names the file at fault. */
int cs_report_write(const cs_report_args *a);

#endif
