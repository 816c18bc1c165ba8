/* stats.h - the numbers behind the figures, as pure functions the tests can
 * hold: the scatter subsample, per-class histograms, the selection cut and
 * the confidence-focus category of a sample. */
#ifndef CS_REPORT_STATS_H
#define CS_REPORT_STATS_H

#include "report_data.h"

#include <stdint.h>

/* k of the indices 0..n-1, uniformly without replacement, ascending, the
 * same for the same seed (selection sampling: one pass, no extra memory).
 * Returns how many were written: min(n, k). */
int64_t cs_subsample(int64_t n, int64_t k, uint64_t seed, int64_t *out);

typedef struct cs_hist {
    double lo, hi;                  /* the finite range the bins split */
    int64_t all[CS_REPORT_BINS];    /* samples of the class per bin */
    int64_t kept[CS_REPORT_BINS];   /* of which kept */
    int64_t pos_inf, neg_inf, nan;  /* outside the bins */
    int64_t total, total_kept;      /* the class, every value */
} cs_hist;

/* Effective epochs after each frame: the fractions of samples
 * back-propagated (`used`), summed along its run; ee holds d->nepochs values. */
void cs_report_effective_epochs(const cs_report_data *d, double *ee);

/* The finite range of n values (0..1 when there are none). */
void cs_value_range(const double *v, int64_t n, double *lo, double *hi);
/* Histogram of d->score_v over class c in [lo, hi]. */
void cs_report_hist(const cs_report_data *d, int c, double lo, double hi, cs_hist *h);
/* 1 when the kept samples of class c are exactly those at or beyond one
 * value of the score on its important side (some kept, some not), with that
 * value in *cut; else 0 (band, sampling, filter, or another score ranked). */
int cs_report_cut(const cs_report_data *d, int c, double *cut);

/* Where sample i falls in the confidence-focus plane (ERTS Fig. 5). */
enum {
    CS_PLANE_KEPT,    /* in the index; without one, retained: uncertain and focused */
    CS_PLANE_FOCUS,   /* not kept, uncertain (late conf < tau) with focus < phi */
    CS_PLANE_CONF,    /* not kept, confident (late conf >= tau) */
    CS_PLANE_OTHER,   /* not kept, uncertain and focused: below the score's cut */
    CS_PLANE_UNKNOWN, /* no focus or confidence: not drawn */
    CS_PLANE_KINDS
};
int cs_report_plane_kind(const cs_report_data *d, int64_t i);

#endif
