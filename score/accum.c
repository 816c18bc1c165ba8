/* accum.c - the streaming score accumulator: consumes epoch records in order
 * (run 0 epochs 1..T, run 1 ...), hands each one to every computed score's
 * descriptor (score_int.h), and finishes them when the last record has
 * arrived (see score.h for the conventions).  What is specific to a score
 * lives in its own file; here is only the loop, the order checks, and the
 * range means most scores are (score_int.h: epochs, column). */
#include <math.h>
#include <stdlib.h>

#include "../common/err.h"
#include "score.h"
#include "score_int.h"

struct cs_score_acc {
    cs_score_ctx c;           /* c.p points at p below */
    cs_score_params p;
    unsigned need;            /* the scores computed: enabled ones and what they need */
    int next_run, next_epoch; /* the record expected next */
    int finished;
    double *out[CS_SCORE_COUNT];    /* sums while streaming, scores after finish */
    void *state[CS_SCORE_COUNT];    /* each score's own, from its create */
    int first[CS_SCORE_COUNT], last[CS_SCORE_COUNT]; /* range means: the epochs averaged */
};

/* Computed (enabled or needed); cs_score_get hands out only enabled ones. */
static int on(const cs_score_acc *a, int id) { return (a->need >> id) & 1u; }

void cs_score_div(double *v, int64_t n, double d)
{
    for (int64_t i = 0; i < n; i++)
        v[i] /= d;
}

void cs_score_acc_free(cs_score_acc *a)
{
    if (!a)
        return;
    for (int id = 0; id < CS_SCORE_COUNT; id++) {
        const cs_score_desc *d = cs_score_desc_at(id);
        if (a->state[id] && d->release)
            d->release(a->state[id]);
        free(a->out[id]);
    }
    free(a);
}

int cs_score_acc_create(cs_score_acc **acc, int64_t n, int num_classes, const int32_t *labels,
                        int total_epochs, int runs, const cs_score_params *p)
{
    *acc = NULL;
    if (n < 1)
        return cs_error(CS_EINVAL, "scores need at least 1 sample, got %lld", (long long)n);
    if (num_classes < 2)
        return cs_error(CS_EINVAL, "scores need at least 2 classes, got %d", num_classes);
    if (runs < 1)
        return cs_error(CS_EINVAL, "scores need at least 1 run, got %d", runs);
    int rc = cs_score_params_check(p, total_epochs);
    if (rc)
        return rc;
    if (labels)
        for (int64_t i = 0; i < n; i++)
            if (labels[i] < 0 || labels[i] >= num_classes)
                return cs_error(CS_EINVAL, "label %d of sample %lld lies outside classes 0..%d",
                                (int)labels[i], (long long)i, num_classes - 1);

    cs_score_acc *a = cs_calloc(1, sizeof *a);
    if (!a)
        return CS_ENOMEM;
    a->p = *p;
    a->c = (cs_score_ctx){n, num_classes, total_epochs, runs, &a->p};
    a->need = cs_score_needed(p->enable);
    a->next_epoch = 1;
    for (int id = 0; id < CS_SCORE_COUNT && !rc; id++) {
        if (!on(a, id))
            continue;
        const cs_score_desc *d = cs_score_desc_at(id);
        if (d->epochs)
            d->epochs(&a->p, total_epochs, &a->first[id], &a->last[id]);
        if (!(a->out[id] = cs_calloc((size_t)n, sizeof(double))))
            rc = CS_ENOMEM;
        else if (d->create)
            rc = d->create(&a->state[id], &a->c);
    }
    if (rc) {
        cs_score_acc_free(a);
        return rc;
    }
    *acc = a;
    return 0;
}

static int check_column(const cs_epoch_record *rec, const float *col, const char *name)
{
    if (!col)
        return cs_error(CS_EINVAL, "run %d epoch %d: epoch record lacks column '%s'", (int)rec->run,
                        (int)rec->epoch, name);
    for (int64_t i = 0; i < rec->n; i++)
        if (isnan(col[i]))
            return cs_error(CS_EINVAL, "run %d epoch %d: column '%s' is NaN for sample %lld",
                            (int)rec->run, (int)rec->epoch, name, (long long)i);
    return 0;
}

/* Every record must carry every column whichever scores are enabled: a
 * trajectory is one format, whatever this pass computes from it. */
static int check_record(const cs_score_acc *a, const cs_epoch_record *rec)
{
    if (a->finished || a->next_run >= a->c.R)
        return cs_error(CS_EINVAL, "epoch record run %d epoch %d after the last expected (%d runs x %d epochs)",
                        (int)rec->run, (int)rec->epoch, a->c.R, a->c.T);
    if (rec->run != a->next_run || rec->epoch != a->next_epoch)
        return cs_error(CS_EINVAL, "epoch record out of order: got run %d epoch %d, expected run %d epoch %d",
                        (int)rec->run, (int)rec->epoch, a->next_run, a->next_epoch);
    if (rec->n != a->c.n)
        return cs_error(CS_EINVAL, "run %d epoch %d: epoch record holds %lld samples, expected %lld",
                        (int)rec->run, (int)rec->epoch, (long long)rec->n, (long long)a->c.n);
    if (rec->num_classes != a->c.C)
        return cs_error(CS_EINVAL, "run %d epoch %d: epoch record has %d classes, expected %d",
                        (int)rec->run, (int)rec->epoch, (int)rec->num_classes, a->c.C);
    if (!rec->correct)
        return cs_error(CS_EINVAL, "run %d epoch %d: epoch record lacks column 'correct'", (int)rec->run,
                        (int)rec->epoch);
    int rc;
    if ((rc = check_column(rec, rec->err, "err")) || (rc = check_column(rec, rec->conf, "conf")) ||
        (rc = check_column(rec, rec->margin, "margin")) ||
        (rc = check_column(rec, rec->entropy, "entropy")) || (rc = check_column(rec, rec->loss, "loss")))
        return rc;
    return 0;
}

int cs_score_acc_add(cs_score_acc *a, const cs_epoch_record *rec)
{
    int rc = check_record(a, rec);
    if (rc)
        return rc;
    int t = rec->epoch;
    for (int id = 0; id < CS_SCORE_COUNT; id++) {
        if (!on(a, id))
            continue;
        const cs_score_desc *d = cs_score_desc_at(id);
        if (d->epochs && (t < a->first[id] || t > a->last[id]))
            continue;
        if (d->column) {
            const float *col = d->column(rec);
            double *s = a->out[id];
            for (int64_t i = 0; i < a->c.n; i++)
                s[i] += col[i];
        } else if (d->add) {
            d->add(a->state[id], &a->c, rec, a->out[id]);
        }
    }
    if (++a->next_epoch > a->c.T) {
        a->next_epoch = 1;
        a->next_run++;
    }
    return 0;
}

/* Finish score id after the scores it needs (done: the ones finished or
 * under way, so a cycle in needs cannot recurse for ever). */
static int finish_one(cs_score_acc *a, int id, unsigned *done)
{
    if ((*done >> id) & 1u)
        return 0;
    *done |= 1u << id;
    const cs_score_desc *d = cs_score_desc_at(id);
    for (int dep = 0; dep < CS_SCORE_COUNT; dep++) {
        int rc = (d->needs >> dep) & 1u ? finish_one(a, dep, done) : 0;
        if (rc)
            return rc;
    }
    if (d->epochs)
        cs_score_div(a->out[id], a->c.n, a->c.R * (double)(a->last[id] - a->first[id] + 1));
    return d->finish ? d->finish(a->state[id], &a->c, a->out[id], a->out) : 0;
}

int cs_score_acc_finish(cs_score_acc *a)
{
    if (a->finished)
        return cs_error(CS_EINVAL, "scores already finished");
    if (a->next_run != a->c.R)
        return cs_error(CS_EINVAL,
                        "trajectory incomplete: the scores expected run %d epoch %d next (%d runs x %d epochs)",
                        a->next_run, a->next_epoch, a->c.R, a->c.T);
    unsigned done = 0;
    for (int id = 0; id < CS_SCORE_COUNT; id++) {
        int rc = on(a, id) ? finish_one(a, id, &done) : 0;
        if (rc)
            return rc;
    }
    a->finished = 1;
    return 0;
}

const double *cs_score_get(const cs_score_acc *a, const char *name)
{
    int id = cs_score_lookup(name);
    if (id < 0)
        return NULL;
    if (!((a->p.enable >> id) & 1u)) {
        cs_error(CS_EINVAL, "score '%s' was not enabled", name);
        return NULL;
    }
    if (!a->finished) {
        cs_error(CS_EINVAL, "score '%s' is not final: the trajectory has not been finished", name);
        return NULL;
    }
    const cs_score_desc *d = cs_score_desc_at(id);
    if (d->usable && d->usable(a->state[id], &a->c, name))
        return NULL;
    return a->out[id];
}

int64_t cs_score_acc_focus_missing(const cs_score_acc *a)
{
    const double *f = a->finished ? a->out[CS_SCORE_FOCUS] : NULL;
    int64_t missing = 0;
    for (int64_t i = 0; f && i < a->c.n; i++)
        missing += isnan(f[i]) != 0;
    return missing;
}

int cs_score_focus_weighted(const cs_score_acc *a, const char *base, double gamma, double *out)
{
    const double *s = cs_score_get(a, base);
    if (!s)
        return CS_EINVAL;
    const double *f = cs_score_get(a, "focus");
    if (!f) {
        cs_error_prefix("focus-weighted '%s'", base);
        return CS_EINVAL;
    }
    return cs_score_weight_by_focus(s, a->c.n, cs_score_direction(base), f, gamma, out);
}
