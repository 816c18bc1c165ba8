/* auto_eval.c - proxy training of a candidate coreset (auto_eval.h). */
#include "auto_eval.h"

#include "../common/err.h"
#include "../train/trainer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const cs_auto_evaluator cs_auto_evaluators[] = {
    {"proxy", 2, 1, 300, "proxy training: the run's epochs (at least 300 SGD steps), 2 seeds"},
    {"short", 1, 4, 75, "short proxy training: a quarter of the run's epochs (at least 75 SGD steps), 1 seed"},
};
const int cs_auto_evaluator_count = (int)(sizeof cs_auto_evaluators / sizeof cs_auto_evaluators[0]);

const cs_auto_evaluator *cs_auto_evaluator_find(const char *name)
{
    for (int i = 0; i < cs_auto_evaluator_count; i++)
        if (strcmp(cs_auto_evaluators[i].name, name) == 0)
            return &cs_auto_evaluators[i];
    cs_error(CS_EINVAL, "--evaluator: unknown evaluator '%s' (known: proxy, short)", name);
    return NULL;
}

static const char *const objective_names[] = {"accuracy", "macro-f1", "worst-class"};

int cs_auto_objective_parse(const char *s, cs_auto_objective *o)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(s, objective_names[i]) == 0) {
            *o = (cs_auto_objective)i;
            return 0;
        }
    return cs_error(CS_EINVAL, "--objective: unknown objective '%s' (known: accuracy, macro-f1, worst-class)", s);
}

const char *cs_auto_objective_name(cs_auto_objective o) { return objective_names[o]; }

double cs_auto_objective_value(cs_auto_objective o, const cs_metrics *m)
{
    return o == CS_AUTO_ACCURACY ? m->accuracy : o == CS_AUTO_MACRO_F1 ? m->macro_f1 : m->worst_class_acc;
}

int cs_auto_epochs(const cs_auto_evaluator *ev, const cs_config *cfg, int64_t m)
{
    int e = (cfg->train.epochs + ev->epoch_div - 1) / ev->epoch_div;
    int64_t per = (m + cfg->train.batch_size - 1) / cfg->train.batch_size;
    per = per ? per : 1;
    int64_t need = (ev->min_steps + per - 1) / per;
    return need > e ? (int)need : e;
}

int cs_auto_data_rows(const cs_data *src, const int64_t *idx, int64_t m, cs_data *dst)
{
    *dst = *src;
    dst->n = m;
    size_t per = (size_t)src->sample_elems;
    dst->x = cs_malloc(sizeof *dst->x * per * (size_t)(m ? m : 1));
    dst->y = cs_malloc(sizeof *dst->y * (size_t)(m ? m : 1));
    if (!dst->x || !dst->y) {
        cs_data_release(dst);
        return CS_ENOMEM;
    }
    for (int64_t j = 0; j < m; j++) {
        memcpy(dst->x + (size_t)j * per, src->x + (size_t)idx[j] * per, sizeof *dst->x * per);
        dst->y[j] = src->y[idx[j]];
    }
    return 0;
}

int cs_auto_train_eval(const cs_config *cfg, const cs_data *train, const int64_t *idx, int64_t m, const cs_data *val,
                       int seed, int epochs, cs_metrics *met)
{
    cs_config *c = cs_malloc(sizeof *c);
    cs_data sub = {0}, v = {0};
    cs_trainer t = {0};
    int64_t *all = NULL;
    int rc = CS_ENOMEM;
    if (!c)
        return rc;
    *c = *cfg;
    c->train.seed = seed;
    c->train.epochs = epochs;
    /* Plain training of the coreset, as `coreset train` of an index with
     * dropout off: the candidate is judged, not the surrogate's method. */
    c->dropout.method = CS_DROP_NONE;
    if (!(all = cs_malloc(sizeof *all * (size_t)(val->n ? val->n : 1))))
        goto out;
    for (int64_t i = 0; i < val->n; i++)
        all[i] = i;
    if ((rc = cs_auto_data_rows(train, idx, m, &sub)) || (rc = cs_auto_data_rows(val, all, val->n, &v)))
        goto out;
    if (cfg->dataset.normalize == CS_NORM_DATASET) {
        cs_norm nm;
        if ((rc = cs_norm_compute(&nm, &sub)))
            goto out;
        cs_norm_apply(&nm, &sub);
        cs_norm_apply(&nm, &v);
    } else if (cfg->dataset.normalize == CS_NORM_SAMPLE) {
        cs_norm_per_sample(&sub);
        cs_norm_per_sample(&v);
    }
    if ((rc = cs_trainer_init(&t, c, &sub, 0, 0)))
        goto out;
    while (t.epoch < c->train.epochs) {
        cs_epoch_stats st;
        if ((rc = cs_trainer_epoch(&t, &st)))
            goto out;
    }
    double loss;
    rc = cs_trainer_eval(&t, &v, met, &loss);
out:
    cs_trainer_release(&t);
    cs_data_release(&sub);
    cs_data_release(&v);
    free(all);
    free(c);
    return rc;
}
