/* auto.h - `coreset select --by auto`: choose the selection rule on held-out
 * data (../shared/METHODS.md; man/coreset-select.1, AUTO).
 *
 * The val data is the run's val split (dataset.val_split) or, without one, a
 * stratified holdout of the training split drawn from the seed
 * (auto_holdout.h); a holdout is excluded from every candidate coreset and
 * from the final one, so no sample both trains a proxy and evaluates it.
 * Each candidate of the portfolio (auto_portfolio.h) selects at the rate,
 * a fresh model trained on its coreset is evaluated on the val data
 * (auto_eval.h), and the best mean of the objective wins (ties: the earlier
 * entry, Random first).  The winner's selection is the result; its index
 * header adds the auto-* keys (man/coreset-index.5).  Nothing random is
 * drawn outside the seeds, so the same run and seed give the same choice and
 * the same index bytes (the seconds are in the JSON only). */
#ifndef CS_AUTO_H
#define CS_AUTO_H

#include "auto_eval.h"
#include "auto_portfolio.h"
#include "run_select.h"

#include <stdio.h>

/* Parse one portfolio option string as the command does into *out (its
 * params keep rate, count and seed from *base); non-zero on error (the
 * parser said why). */
typedef int (*cs_auto_parse_fn)(const char *options, const cs_run_select_args *base, cs_run_select_args *out);

typedef struct cs_auto_args {
    const char *val;        /* NULL or "auto", "split", "holdout:F" */
    const char *candidates; /* cs_auto_portfolio_choose's list */
    const cs_auto_evaluator *evaluator;
    cs_auto_objective objective;
    double budget_seconds;  /* 0 = none; per rate */
    cs_auto_parse_fn parse;
    FILE *out;              /* stdout: the val line and the table */
} cs_auto_args;

typedef struct cs_auto_cand {
    const cs_auto_entry *entry;
    int status;             /* 0 not tried, 1 evaluated, 2 dropped by the budget, 3 failed */
    char error[256];        /* status 3 */
    int64_t m;
    int epochs, seeds;
    double value[8];        /* per seed */
    double mean, std, seconds;
} cs_auto_cand;

/* The data of one search, shared by every rate of a call. */
typedef struct cs_auto_ctx {
    cs_auto_args a;
    const char *run_dir;
    cs_config *cfg;         /* the run's run.yaml */
    void *rd;               /* cs_run_data: the training split */
    cs_data val;            /* raw */
    uint8_t *holdout;       /* N flags, or NULL with a val split */
    int64_t n, n_holdout;
    char val_text[512];     /* the auto-val header value */
} cs_auto_ctx;

typedef struct cs_auto_result {
    int count;
    cs_auto_cand *cand;     /* cs_auto_portfolio_count entries, in portfolio order */
    int chosen;             /* portfolio index */
    cs_run_selection sel;   /* the chosen candidate's selection, auto-* header keys set */
} cs_auto_result;

/* Open the run's config, data and val data (said on a->out). */
int cs_auto_open(cs_auto_ctx *x, const cs_auto_args *a, const char *run_dir, uint64_t seed);
void cs_auto_close(cs_auto_ctx *x);
/* Search at base's rate or count; base names the run, seed and budget. */
int cs_auto_select(cs_auto_ctx *x, const cs_run_select_args *base, cs_auto_result *r);
void cs_auto_result_release(cs_auto_result *r);
/* The candidate table (rule, parameters, metric mean +- std, seconds). */
void cs_auto_print_table(const cs_auto_ctx *x, const cs_auto_result *r, FILE *fp);
/* INDEX.auto.json beside the index, atomically. */
int cs_auto_write_json(const cs_auto_ctx *x, const cs_run_select_args *base, const cs_auto_result *r,
                       const char *index_path);

#endif
