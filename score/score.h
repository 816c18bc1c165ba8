/* score.h - the scoring stage (../shared/METHODS.md section 3): a registry of
 * scores with their direction and parameters, and a streaming accumulator that
 * consumes epoch records (formats/epoch_record.h) run by run, epoch by epoch,
 * and finalises every score at the end.  Each score is one file and one entry
 * in registry.c's table (score_int.h; docs/adding-a-score.md).
 *
 * Memory is O(N * small): running sums, Welford moments for the EVA windows,
 * a ring of J conf values per sample for dynamic uncertainty.  Never O(N * T).
 *
 *   cs_score_params p;  cs_score_params_default(&p);
 *   cs_score_acc *acc;
 *   cs_score_acc_create(&acc, n, C, labels, T, runs, &p);
 *   for each run r = 0..runs-1, epoch t = 1..T:  cs_score_acc_add(acc, &rec);
 *   cs_score_acc_finish(acc);
 *   const double *eva = cs_score_get(acc, "eva");
 *
 * Conventions fixed here (the NumPy reference tests/ref_scores.py matches them):
 *  - Everything is computed in double from the float columns.
 *  - Averaging over runs: every score is computed per run and the per-run values
 *    are averaged (all runs have T epochs, so for EL2N, AUM and the window means
 *    this equals the mean over all run-epochs).  Forgetting: +inf stays +inf.
 *  - EVA: Welford moments per window; V = M2 / K (paper) or M2 / (K - 1)
 *    (option).  L1 normalisation divides each run's window vector by its sum
 *    over samples (a zero sum leaves the zeros).  Windows are per run, before
 *    combining and before averaging over runs.
 *  - Least confidence (1 - max p) and margin (p_top1 - p_top2) are
 *    probability quantities: they use rec->probs.  Without probs they can be
 *    derived only for C = 2 (max p = max(conf, 1 - conf), margin = |2 conf - 1|);
 *    for C > 2 without probs the two scores are unavailable and cs_score_get
 *    says why (the recorded `margin` column is in logits and belongs to AUM).
 *  - Dynamic uncertainty: population std (ddof = 0) of conf over each window
 *    of J consecutive epochs t..t+J-1 (t = 1..T-J+1), averaged over windows.
 *  - Focus: mean of the non-NaN focus values over all runs and epochs (pooled);
 *    a sample never computed gets NaN and is counted by
 *    cs_score_acc_focus_missing().
 *  - focus_weighted: EVA focus-weighted (METHODS.md 3), rank01(eva) *
 *    focus^gamma from the final eva and focus; NaN where focus is NaN.
 *    Enabling it computes eva and focus too (cs_score_get returns them only
 *    when enabled themselves).
 *  - The late window of the selection helpers late_conf / late_loss is EVA's
 *    late window. */
#ifndef CS_SCORE_H
#define CS_SCORE_H

#include <stddef.h>
#include <stdint.h>

#include "../formats/epoch_record.h"

/* Which end of a score is "important" (kept by order `hard`). */
enum { CS_SCORE_LOW = -1, CS_SCORE_HIGH = 1 };

/* The scores, in the order of registry.c's table (a missing entry there fails
 * the build). */
enum cs_score_id {
    CS_SCORE_EVA,
    CS_SCORE_EL2N,
    CS_SCORE_FORGETTING,
    CS_SCORE_AUM,
    CS_SCORE_ENTROPY,
    CS_SCORE_LEAST_CONF,
    CS_SCORE_MARGIN,
    CS_SCORE_DYN_UNC,
    CS_SCORE_FOCUS,
    CS_SCORE_FOCUS_WEIGHTED, /* rank01(eva) * focus^gamma */
    CS_SCORE_LATE_CONF, /* selection helper: mean conf over the late window (reliability filter) */
    CS_SCORE_LATE_LOSS, /* selection helper: mean loss over the late window (RCAP, before clipping) */
    CS_SCORE_DUAL,      /* DUAL: early windows' std(conf) * (1 - mean conf) */
    CS_SCORE_TDDS,      /* TDDS: decay-weighted windows of softmax change */
    CS_SCORE_DUAL_CONF, /* selection helper: mean conf over DUAL's epochs (DUAL's Beta sampling) */
    CS_SCORE_COUNT
};

typedef struct cs_score_info {
    const char *name; /* "eva", "el2n", ... */
    int dir;          /* CS_SCORE_HIGH or CS_SCORE_LOW */
    int helper;       /* 1: a per-sample quantity selection needs, not a ranking score */
    const char *what; /* one line for help texts */
    int needs_probs;  /* 1: needs every epoch's probability vector when C > 2 (record.probs) */
} cs_score_info;

typedef struct cs_score_params {
    int eva_k;             /* window length K (10) */
    int eva_early;         /* first epoch of the early window (1) */
    int eva_late;          /* first epoch of the late window; 0: the last K epochs (default) */
    int eva_unbiased;      /* 1: variance with 1/(K-1) (authors' code); 0: 1/K (paper, default) */
    int eva_normalise;     /* 1: L1-normalise each window's vector over samples (authors' code) */
    int eva_weighted;      /* 1: w V_e + (1-w) V_l (authors' code); 0: V_e + V_l (default) */
    double eva_w;          /* w (0.5) */
    int el2n_first;        /* EL2N epoch range [first, last] (1..10) */
    int el2n_last;
    int forget_never_zero; /* 1: a never-correct sample counts 0 (DeepCore); 0: +inf (default) */
    int unc_last_k;        /* entropy / least confidence / margin: mean of the last k epochs (1) */
    int dyn_j;             /* dynamic uncertainty window J (10) */
    double focus_gamma;    /* focus_weighted: the exponent gamma of focus (1) */
    int dual_j;            /* DUAL window J; 0: 10, or T_d when shorter */
    int dual_epochs;       /* DUAL's first T_d epochs; 0: 15% of T, at least one window */
    int tdds_j;            /* TDDS window J; 0: 10, or T' when shorter */
    int tdds_epochs;       /* TDDS over epochs 1..T'; 0: every epoch */
    double tdds_beta;      /* TDDS window decay beta (0.9) */
    unsigned enable;       /* bit (1u << id) per score to compute; default: all */
} cs_score_params;

void cs_score_params_default(cs_score_params *p);
/* The parameters a config's score.* keys set (params.c: the one mapping). */
struct cs_config_score;
void cs_score_params_from_config(cs_score_params *p, const struct cs_config_score *s);
/* Check the enabled scores' parameters against T epochs: windows inside
 * 1..T, EVA windows non-overlapping with the early one first, ranges ordered. */
int cs_score_params_check(const cs_score_params *p, int total_epochs);
/* The parameters one score used, resolved against T, for the index header:
 * e.g. "K=10 early=1..10 late=191..200 var=1/K norm=none comb=sum".
 * Returns 0, or CS_EINVAL for an unknown name. */
int cs_score_params_describe(const cs_score_params *p, int total_epochs, const char *name,
                             char *buf, size_t len);

/* Registry. */
const cs_score_info *cs_score_info_at(int id); /* NULL outside 0..CS_SCORE_COUNT-1 */
/* The id of `name`, or CS_EINVAL with "unknown score 'x'" (the message lists the names). */
int cs_score_lookup(const char *name);
/* CS_SCORE_HIGH / CS_SCORE_LOW, or CS_EINVAL for an unknown name. */
int cs_score_direction(const char *name);

/* The streaming accumulator. */
typedef struct cs_score_acc cs_score_acc;

/* `labels` (n values in 0..num_classes-1) are checked, not kept: may be NULL. */
int cs_score_acc_create(cs_score_acc **acc, int64_t n, int num_classes, const int32_t *labels,
                        int total_epochs, int runs, const cs_score_params *p);
/* Records must come run 0 epoch 1..T, run 1 epoch 1..T, ...; n and num_classes
 * must match; err, conf, margin, entropy, loss and correct must be present and
 * free of NaN; focus may be NULL (not computed that epoch). */
int cs_score_acc_add(cs_score_acc *acc, const cs_epoch_record *rec);
/* After the last record of the last run; errors if records are missing. */
int cs_score_acc_finish(cs_score_acc *acc);
/* n values of a finished score, or NULL with the reason in cs_errmsg()
 * (unknown name, disabled, not finished, unavailable without probabilities). */
const double *cs_score_get(const cs_score_acc *acc, const char *name);
/* Focus-weighted ranking s'(i) = r(i) * focus(i)^gamma of base score `base`
 * (see cs_score_rank01); out holds n values, NaN where focus is NaN.  Its
 * important end is high. */
int cs_score_focus_weighted(const cs_score_acc *acc, const char *base, double gamma, double *out);
/* Samples whose focus was never computed (their focus is NaN). */
int64_t cs_score_acc_focus_missing(const cs_score_acc *acc);
void cs_score_acc_free(cs_score_acc *acc);

/* Rank-scaling to [0,1]: r(i) = rank(i) / (m - 1), rank 0..m-1 ascending
 * towards the important end (so the most important sample gets 1), ties get
 * their average rank, m the number of non-NaN values; NaN stays NaN; m = 1
 * gives 1.  +inf values tie with each other. */
int cs_score_rank01(const double *s, int64_t n, int dir, double *r);
/* out[i] = r[i] * focus[i]^gamma with r = cs_score_rank01(s, dir). */
int cs_score_weight_by_focus(const double *s, int64_t n, int dir, const double *focus,
                             double gamma, double *out);

#endif
