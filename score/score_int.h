/* score_int.h - the per-score kernels the accumulator (accum.c) drives; each
 * works on whole columns of n samples for one epoch or one run. */
#ifndef CS_SCORE_INT_H
#define CS_SCORE_INT_H

#include <stdint.h>

/* registry.c: the scores to compute for an enable mask: those enabled and
 * those they are derived from (focus_weighted needs eva and focus). */
unsigned cs_score_needed(unsigned enable);

/* eva.c: Welford update of one window with one epoch's err (k = epochs already in it). */
void cs_eva_window_add(double *mean, double *m2, int k, const float *err, int64_t n);
/* v = M2 / K (or / (K-1)), then optionally divided by its sum over samples. */
void cs_eva_window_var(const double *m2, int64_t n, int K, int unbiased, int normalise, double *v);
/* acc += V_e + V_l, or w V_e + (1-w) V_l. */
void cs_eva_combine_add(const double *ve, const double *vl, int64_t n, int weighted, double w,
                        double *acc);

/* forgetting.c: one epoch of a run (first: epoch 1, nothing to compare with). */
void cs_forget_step(uint8_t *prev, int32_t *count, uint8_t *ever, const uint8_t *correct, int64_t n,
                    int first);
/* acc += this run's count (never correct: +inf, or 0 with never_zero). */
void cs_forget_run_end(const int32_t *count, const uint8_t *ever, int64_t n, int never_zero,
                       double *acc);

/* uncertainty.c: lc += 1 - max p, mg += p_top1 - p_top2 from probs (n x C). */
void cs_unc_add_probs(const float *probs, int64_t n, int C, double *lc, double *mg);
/* The same for C = 2 from conf alone: max p = max(conf, 1-conf). */
void cs_unc_add_binary(const float *conf, int64_t n, double *lc, double *mg);
/* acc += population std of each sample's J conf values in ring (J x n). */
void cs_dynunc_window_add(const float *ring, int64_t n, int J, double *acc);

#endif
