/* score_int.h - what a score is to the accumulator (accum.c) and the registry
 * (registry.c): a descriptor, cs_score_desc, defined in the score's own file
 * and listed once in registry.c's table.  Adding a score: see
 * docs/adding-a-score.md. */
#ifndef CS_SCORE_INT_H
#define CS_SCORE_INT_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "score.h"

/* What a score sees of the accumulator: the sizes and the parameters (the
 * accumulator's own copy, valid from create to release). */
typedef struct cs_score_ctx {
    int64_t n;
    int C, T, R; /* classes, epochs per run, runs */
    const cs_score_params *p;
} cs_score_ctx;

/* One score.  `out` is the score's n doubles, zeroed at create: running sums
 * while streaming, the score after finish.  Slots marked optional may be NULL.
 *
 * Most scores are a mean over an epoch range of every run, averaged over the
 * runs (all runs have T epochs, so that is the mean over all run-epochs): such
 * a score sets `epochs`, and the accumulator then feeds it the records of
 * epochs first..last only, sums `column` itself where the score sets one
 * (instead of calling add), and divides out by R x (last - first + 1) before
 * calling finish. */
typedef struct cs_score_desc {
    cs_score_info info; /* name, important end, helper flag, one line for help texts */
    unsigned needs;     /* (1u << id) of the scores finish reads: computed, finished first */
    /* optional: check the parameters this score uses against T epochs, 0 or
     * CS_EINVAL with a message (called for every computed score) */
    int (*check)(const cs_score_params *p, int T);
    /* the parameters it used, resolved against T, one line for the index header
     * and scores.h5's `params` attribute, e.g. "epochs=1..10" */
    void (*describe)(const cs_score_params *p, int T, char *buf, size_t len);
    /* optional: the mean's epoch range (see above) */
    void (*epochs)(const cs_score_params *p, int T, int *first, int *last);
    /* optional, with epochs: the recorded column whose mean the score is */
    const float *(*column)(const cs_epoch_record *rec);
    /* optional: own state beside out; 0 or CS_ENOMEM */
    int (*create)(void **state, const cs_score_ctx *c);
    /* optional: one epoch record (in order, already checked; see epochs) */
    void (*add)(void *state, const cs_score_ctx *c, const cs_epoch_record *rec, double *out);
    /* optional: turn the sums into the score; final[id] holds each finished
     * score (those in needs among them) */
    int (*finish)(void *state, const cs_score_ctx *c, double *out, double *const *final);
    /* optional: 0, or why the finished score cannot be handed out (cs_error) */
    int (*usable)(const void *state, const cs_score_ctx *c, const char *name);
    /* optional: free what create made (free(NULL)-safe) */
    void (*release)(void *state);
} cs_score_desc;

/* registry.c: the descriptor of score id (0..CS_SCORE_COUNT-1). */
const cs_score_desc *cs_score_desc_at(int id);
/* registry.c: the scores to compute for an enable mask: those enabled and,
 * transitively, those they need. */
unsigned cs_score_needed(unsigned enable);

/* accum.c: v[i] /= d, the last step of a mean. */
void cs_score_div(double *v, int64_t n, double d);

/* eva.c: EVA's late window, which the helpers late_conf and late_loss average
 * over: its first epoch (eva_late, or the last K epochs), its check (K >= 2,
 * inside 1..T), its range and its description "epochs=a..b". */
int cs_eva_late_start(const cs_score_params *p, int T);
int cs_eva_late_check(const cs_score_params *p, int T);
void cs_eva_late_epochs(const cs_score_params *p, int T, int *first, int *last);
void cs_eva_late_describe(const cs_score_params *p, int T, char *buf, size_t len);

/* dual.c: DUAL's first T_d epochs and window J for T epochs, and their
 * check; dual_conf averages conf over the same epochs. */
void cs_dual_resolve(const cs_score_params *p, int T, int *Td, int *J);
int cs_dual_check(const cs_score_params *p, int T);

/* uncertainty.c: the last unc_last_k epochs, over which entropy, least
 * confidence and margin are averaged: check, range, description. */
int cs_unc_last_check(const cs_score_params *p, int T);
void cs_unc_last_epochs(const cs_score_params *p, int T, int *first, int *last);
void cs_unc_last_describe(const cs_score_params *p, int T, char *buf, size_t len);
/* uncertainty.c: the state of a probability score (least confidence,
 * margin): the first record it needed probabilities from and found none
 * (C > 2), after which usable refuses the score. */
int cs_unc_probs_create(void **state, const cs_score_ctx *c);
void cs_unc_probs_missing(void *state, const cs_epoch_record *rec);
int cs_unc_probs_usable(const void *state, const cs_score_ctx *c, const char *name);
void cs_unc_probs_release(void *state);

/* The two largest of a probability row (C >= 1; p2 = -inf for C = 1). */
static inline void cs_unc_top2(const float *row, int C, double *p1, double *p2)
{
    double a = -INFINITY, b = -INFINITY;
    for (int j = 0; j < C; j++) {
        double x = row[j];
        if (x > a) {
            b = a;
            a = x;
        } else if (x > b) {
            b = x;
        }
    }
    *p1 = a;
    *p2 = b;
}

#endif
