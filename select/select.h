/* select.h - the selection stage (../shared/METHODS.md section 4): from
 * per-sample scores and statistics to exactly M sorted, unique indices.
 *
 * One call, cs_select_run, combines the budget, the class quotas, the order
 * (hard/easy/band), the pick inside each group (top-n, weighted sampling or
 * CCS) and the reliability filter.  A "group" is one class when a quota mode
 * is given, or the whole set with quota `none`.  Everything random is drawn
 * from common/rng.h seeded by params.seed, so the same inputs and seed give
 * the same indices. */
#ifndef CS_SELECT_H
#define CS_SELECT_H

#include <stdint.h>

typedef enum cs_quota_mode {
    CS_QUOTA_NONE = 0,     /* one global ranking */
    CS_QUOTA_PROPORTIONAL, /* n_c proportional to N_c */
    CS_QUOTA_BALANCED,     /* equal shares */
    CS_QUOTA_SQRT,         /* n_c proportional to sqrt(N_c) */
    CS_QUOTA_RCAP,         /* n_c proportional to sqrt(N_c * L_c) */
    CS_QUOTA_COUNT         /* the number of modes: quota_modes.c has one entry each */
} cs_quota_mode;

/* What L_c is for RCAP quotas. */
typedef enum cs_rcap_mass {
    CS_RCAP_LOSS = 0, /* paper: L_c = sum over the class of clip(loss_i, 0, log C) */
    CS_RCAP_GIVEN     /* the authors' code: a per-class aggregate supplied by the caller
                         (e.g. the softmax mass of the previous subset) */
} cs_rcap_mass;

typedef enum cs_order {
    CS_ORDER_HARD = 0, /* the score's important end (default) */
    CS_ORDER_EASY,     /* the other end */
    CS_ORDER_BAND      /* score quantile inside [band_lo, band_hi] */
} cs_order;

typedef enum cs_pick {
    CS_PICK_TOP = 0, /* top-n_c in the chosen order (default) */
    CS_PICK_SAMPLE,  /* without replacement, probability proportional to exp(l_i / beta) */
    CS_PICK_CCS,     /* coverage-centric selection over score strata */
    CS_PICK_MODERATE, /* band around the median distance to the class median embedding */
    CS_PICK_KCENTER,  /* k-center greedy in embedding space */
    CS_PICK_HERDING,  /* herding towards the group's mean embedding */
    CS_PICK_D2,       /* D2 pruning: kNN-graph message passing of difficulty */
    CS_PICK_D2_STRAT, /* D2 pruning's stratified variant (graph density strata) */
    CS_PICK_DUAL,    /* DUAL's Beta sampling: p ~ score * Beta-pdf(mean early conf; a, b) */
    CS_PICK_COUNT    /* the number of rules: rules.c has one entry each (rule.h) */
} cs_pick;

/* Which end of a score is "important" (hard): each score declares it. */
typedef enum cs_score_dir { CS_DIR_LOW = -1, CS_DIR_HIGH = 1 } cs_score_dir;

typedef struct cs_select_params {
    double rate;         /* budget as a fraction of N, in (0, 1]; used when count == 0 */
    int64_t count;       /* explicit budget M (> 0), or 0 to use rate */
    cs_quota_mode quota; /* default CS_QUOTA_NONE */
    cs_rcap_mass rcap_mass;
    cs_order order;
    double band_lo, band_hi; /* for CS_ORDER_BAND, 0 <= lo <= hi <= 1 */
    cs_pick pick;
    double beta;         /* sampling temperature, > 0 (default 1) */
    int filter;          /* 1: apply the reliability filter */
    double tau;          /* uncertain if mean late conf < tau (default 0.7) */
    double phi;          /* uncertain and focus < phi: unreliable (default 0.7) */
    double ccs_drop;     /* CCS: hardest fraction dropped first, in [0, 1) (default 0.1) */
    int ccs_strata;      /* CCS: equal-width strata (default 50) */
    int knn;             /* D2: neighbours in the kNN graph (default 5) */
    double d2_gamma_f;   /* D2: forward edge weight exp(-gamma_f d) (default 1, the authors' code) */
    double d2_gamma_r;   /* D2: reverse edge weight exp(-gamma_r d) (default 0.1) */
    int d2_strata;       /* D2 stratified: equal-width density strata (default 25) */
    double dual_c;       /* DUAL sampling: exponent c of the pruned fraction (default 4) */
    int64_t min_per_class; /* per-class quotas: n_c >= min(K, N_c) first (quota_floor.c); 0: none */
    uint64_t seed;
} cs_select_params;

/* Per-sample inputs; arrays hold n values indexed by sample.  Only what the
 * chosen parameters need must be non-NULL (cs_select_run says which). */
typedef struct cs_select_inputs {
    int64_t n;
    int num_classes;         /* C */
    const int32_t *labels;   /* in [0, C); needed for every quota but none */
    const double *score;     /* needed for top-n and CCS */
    cs_score_dir dir;        /* the score's important end */
    const double *loss;      /* mean loss over the late window: rcap (paper) and sampling */
    const double *late_conf; /* mean conf over the late window: filter */
    const double *focus;     /* mean Grad-CAM focus: filter (NaN = never computed) */
    const double *class_mass;/* C values: rcap with CS_RCAP_GIVEN */
    const float *embed;      /* n x embed_dim row-major embeddings: the geometric rules (geom.h) */
    int embed_dim;
    const double *helper;    /* the rule's scores.h5 helper (rule.h `helper`), e.g. dual_conf */
    const uint8_t *exclude;  /* n flags, 1 = never selected (a validation holdout); NULL = none (exclude.h) */
} cs_select_inputs;

typedef struct cs_select_row {
    int64_t n_total;     /* N_c */
    int64_t n_kept;      /* n_c */
    int64_t n_unreliable;/* samples the filter marked unreliable (0 without it) */
    double mean_kept;    /* mean score of kept samples (NaN without score or none kept) */
    double mean_dropped; /* mean score of the others (NaN without score or none dropped) */
} cs_select_row;

/* What happened, per class (one row with quota none and no labels). */
typedef struct cs_select_report {
    int num_rows;
    cs_select_row *rows;
    int64_t n, m;
} cs_select_report;

void cs_select_params_init(cs_select_params *p); /* the METHODS.md defaults */
void cs_select_report_init(cs_select_report *r);
void cs_select_report_release(cs_select_report *r);

/* Select exactly M indices, ascending and unique, into *idx (malloc'd, the
 * caller frees) and *m.  rep may be NULL; otherwise it is filled (release it). */
int cs_select_run(const cs_select_params *p, const cs_select_inputs *in, int64_t **idx,
                  int64_t *m, cs_select_report *rep);

/* Names for options and index-file headers, and their parsers: the names
 * are the tables' (quota_modes.c, rules.c), the parsers' messages list them. */
const char *cs_quota_name(cs_quota_mode q);
int cs_quota_parse(const char *s, cs_quota_mode *q);
const char *cs_pick_name(cs_pick k);
int cs_pick_parse(const char *s, cs_pick *k);
/* "hard", "easy", "band:LO:HI" or "band LO:HI"; lo/hi are set for a band. */
int cs_order_parse(const char *s, cs_order *o, double *lo, double *hi);
/* "hard", "easy" or "band:LO:HI" into buf. */
void cs_order_format(cs_order o, double lo, double hi, char *buf, int size);

#endif
