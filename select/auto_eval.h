/* auto_eval.h - how `--by auto` scores a candidate coreset on held-out data:
 * a fresh model of the run's config trained in-process on the coreset with
 * `coreset train`'s engine (train/trainer.h), then evaluated on the val data.
 *
 * Two evaluators, one table: `proxy` trains the run's epochs, or more where
 * that gives fewer than 300 SGD steps (bench/quality's min_steps rule), over
 * 2 seeds; `short` trains a quarter of the epochs (at least 75 steps) with one
 * seed, about 8 times cheaper (bench/results/auto-evaluators.md compares
 * their choices). */
#ifndef CS_AUTO_EVAL_H
#define CS_AUTO_EVAL_H

#include "../config/config.h"
#include "../train/data.h"
#include "../train/metrics.h"

#include <stdint.h>

typedef struct cs_auto_evaluator {
    const char *name;
    int seeds;       /* proxy trainings per candidate, train.seed = seed + 0..seeds-1 */
    int epoch_div;   /* the run's epochs divided by this (rounded up) */
    int min_steps;   /* at least this many SGD steps */
    const char *describe;
} cs_auto_evaluator;

extern const cs_auto_evaluator cs_auto_evaluators[];
extern const int cs_auto_evaluator_count;
/* The evaluator named `name`, or NULL with the message listing them. */
const cs_auto_evaluator *cs_auto_evaluator_find(const char *name);

/* What is maximised: the metric's name for --objective and its value. */
typedef enum cs_auto_objective { CS_AUTO_ACCURACY = 0, CS_AUTO_MACRO_F1, CS_AUTO_WORST_CLASS } cs_auto_objective;
int cs_auto_objective_parse(const char *s, cs_auto_objective *o);
const char *cs_auto_objective_name(cs_auto_objective o);
double cs_auto_objective_value(cs_auto_objective o, const cs_metrics *m);

/* Epochs for a coreset of m samples under ev and cfg (the same for every
 * candidate of a rate: it depends on m only). */
int cs_auto_epochs(const cs_auto_evaluator *ev, const cs_config *cfg, int64_t m);

/* Train a fresh model of cfg on rows idx[0..m) of `train` (raw, as loaded)
 * with train.seed = seed for `epochs` epochs and evaluate it on `val` (raw);
 * both are normalised as `coreset train` does (the coreset's statistics).
 * The metrics go to *met (initialised by the caller). */
int cs_auto_train_eval(const cs_config *cfg, const cs_data *train, const int64_t *idx, int64_t m, const cs_data *val,
                       int seed, int epochs, cs_metrics *met);

/* Rows idx[0..m) of src into a new *dst (release it). */
int cs_auto_data_rows(const cs_data *src, const int64_t *idx, int64_t m, cs_data *dst);

#endif
