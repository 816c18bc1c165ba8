/* quota.h - the budget M and the class quotas n_c (METHODS.md section 4). */
#ifndef CS_QUOTA_H
#define CS_QUOTA_H

#include "select.h"

#include <stdint.h>

/* ceil and floor that treat x within 1e-9 (relative) of an integer as that
 * integer, so rate 0.3 of N = 10 (3.0000000000000004 in doubles) gives 3. */
int64_t cs_robust_ceil(double x);
int64_t cs_robust_floor(double x);

/* M = robust_ceil(rate * n), or count when count != 0.  Errors: n <= 0,
 * rate outside (0, 1], count < 0 or count > n. */
int cs_select_budget(double rate, int64_t count, int64_t n, int64_t *m);

/* Continuous water-filling: q_c = min(cap_c, lambda * w_c) with sum q_c = M.
 * Classes whose q exceeds cap keep cap and the rest of the budget is
 * re-spread over the others in proportion to their weights, until none is
 * over.  If every class with weight > 0 saturates, what is left goes to the
 * zero-weight classes in proportion to cap.  Needs 0 <= M <= sum cap. */
int cs_quota_waterfill(const double *w, const int64_t *cap, int nc, int64_t m, double *q);

/* Largest-remainder rounding of q (sum M) to integers n_c <= cap_c with sum
 * exactly M; equal remainders go to the lower class index. */
int cs_quota_round(const double *q, const int64_t *cap, int nc, int64_t m, int64_t *out);

/* Weights for a mode (its entry's weights): cap (N_c) for proportional, 1
 * for balanced, sqrt(N_c) for sqrt, sqrt(N_c * L_c) for rcap (lc needed only
 * there).  Classes with N_c == 0 get weight 0. */
int cs_quota_weights(cs_quota_mode mode, const int64_t *cap, const double *lc, int nc, double *w);

/* Weights, water-filling and rounding in one: n_c for every class.  q may be
 * NULL, else it receives the continuous quotas before rounding. */
int cs_quota_compute(cs_quota_mode mode, const int64_t *cap, const double *lc, int nc, int64_t m,
                     int64_t *out, double *q);

/* cs_quota_compute with a minimum per class (quota_floor.c): f_c = min(k, N_c)
 * first, the rest of M water-filled over N_c - f_c by the mode's weights of
 * the full N_c.  CS_EINVAL when sum f_c exceeds M. */
int cs_quota_compute_floor(cs_quota_mode mode, const int64_t *cap, const double *lc, int nc, int64_t m,
                           int64_t k, int64_t *out);

/* A quota mode: how the class sizes N_c (and for rcap the class losses L_c)
 * become the weights the water-filling shares the budget by.  The modes and
 * their table, indexed by cs_quota_mode and holding exactly CS_QUOTA_COUNT
 * entries, are quota_modes.c. */
typedef struct cs_quota_info {
    const char *name;  /* --quota NAME, the index header's `quota` */
    int per_class;     /* 1: every class is a group with its own n_c; 0: one global ranking */
    int class_loss;    /* 1: the weights use L_c (params rcap_mass says which) */
    /* w[c] for every class from N_c = cap[c] (and lc[c] where class_loss);
     * NULL for a mode without classes. */
    int (*weights)(const int64_t *cap, const double *lc, int nc, double *w);
    /* What the mode needs beyond the labels, or NULL. */
    int (*check)(const cs_select_params *p, const cs_select_inputs *in);
} cs_quota_info;

/* The mode's entry, or NULL outside [0, CS_QUOTA_COUNT). */
const cs_quota_info *cs_quota_info_at(int mode);

/* RCAP's L_c (paper): sum over class c of clip(loss_i, 0, log C). */
int cs_rcap_class_loss(const double *loss, const int32_t *labels, int64_t n, int nc, double *lc);

#endif
