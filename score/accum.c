/* accum.c - the streaming score accumulator: consumes epoch records in order
 * (run 0 epochs 1..T, run 1 ...), keeps O(N) state per score, and finalises
 * every enabled score when the last record has arrived (see score.h for the
 * conventions).  EL2N, AUM, the uncertainty means and the late-window helpers
 * are plain column means over an epoch range, summed here directly;
 * focus_weighted is derived from the final eva and focus. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/err.h"
#include "score.h"
#include "score_int.h"

struct cs_score_acc {
    int64_t n;
    int C, T, R;
    cs_score_params p;
    unsigned need;            /* the scores computed: enabled ones and what they derive from */
    int te, tl, K;            /* resolved EVA windows */
    int next_run, next_epoch; /* the record expected next */
    int finished;
    double *out[CS_SCORE_COUNT]; /* sums while streaming, scores after finish */
    double *w_mean, *w_m2, *ve, *vl; /* EVA: the open window's moments, the closed windows */
    uint8_t *f_prev, *f_ever;
    int32_t *f_count;
    float *ring;        /* dynamic uncertainty: last J conf columns, J x n */
    int64_t *focus_cnt; /* epochs with a focus value, per sample */
    int64_t focus_missing;
    int probs_run, probs_epoch; /* first record lacking probs that LC / margin needed; epoch 0: none */
};

/* Computed (enabled or needed); cs_score_get hands out only enabled ones. */
static int on(const cs_score_acc *a, int id) { return (a->need >> id) & 1u; }

void cs_score_acc_free(cs_score_acc *a)
{
    if (!a)
        return;
    for (int i = 0; i < CS_SCORE_COUNT; i++)
        free(a->out[i]);
    free(a->w_mean);
    free(a->w_m2);
    free(a->ve);
    free(a->vl);
    free(a->f_prev);
    free(a->f_ever);
    free(a->f_count);
    free(a->ring);
    free(a->focus_cnt);
    free(a);
}

static void *zalloc(int64_t count, size_t size, int *fail)
{
    void *p = cs_calloc((size_t)count, size);
    if (!p)
        *fail = 1;
    return p;
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
    a->n = n;
    a->C = num_classes;
    a->T = total_epochs;
    a->R = runs;
    a->p = *p;
    a->need = cs_score_needed(p->enable);
    a->K = p->eva_k;
    a->te = p->eva_early;
    a->tl = p->eva_late ? p->eva_late : total_epochs - p->eva_k + 1;
    a->next_epoch = 1;
    int fail = 0;
    for (int i = 0; i < CS_SCORE_COUNT; i++)
        if (on(a, i) || ((i == CS_SCORE_LEAST_CONF || i == CS_SCORE_MARGIN) &&
                         (on(a, CS_SCORE_LEAST_CONF) || on(a, CS_SCORE_MARGIN))))
            a->out[i] = zalloc(n, sizeof(double), &fail);
    if (on(a, CS_SCORE_EVA)) {
        a->w_mean = zalloc(n, sizeof(double), &fail);
        a->w_m2 = zalloc(n, sizeof(double), &fail);
        a->ve = zalloc(n, sizeof(double), &fail);
        a->vl = zalloc(n, sizeof(double), &fail);
    }
    if (on(a, CS_SCORE_FORGETTING)) {
        a->f_prev = zalloc(n, 1, &fail);
        a->f_ever = zalloc(n, 1, &fail);
        a->f_count = zalloc(n, sizeof(int32_t), &fail);
    }
    if (on(a, CS_SCORE_DYN_UNC))
        a->ring = zalloc(n * p->dyn_j, sizeof(float), &fail);
    if (on(a, CS_SCORE_FOCUS))
        a->focus_cnt = zalloc(n, sizeof(int64_t), &fail);
    if (fail) {
        cs_score_acc_free(a);
        return CS_ENOMEM;
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

static int check_record(const cs_score_acc *a, const cs_epoch_record *rec)
{
    if (a->finished || a->next_run >= a->R)
        return cs_error(CS_EINVAL, "epoch record run %d epoch %d after the last expected (%d runs x %d epochs)",
                        (int)rec->run, (int)rec->epoch, a->R, a->T);
    if (rec->run != a->next_run || rec->epoch != a->next_epoch)
        return cs_error(CS_EINVAL, "epoch record out of order: got run %d epoch %d, expected run %d epoch %d",
                        (int)rec->run, (int)rec->epoch, a->next_run, a->next_epoch);
    if (rec->n != a->n)
        return cs_error(CS_EINVAL, "run %d epoch %d: epoch record holds %lld samples, expected %lld",
                        (int)rec->run, (int)rec->epoch, (long long)rec->n, (long long)a->n);
    if (rec->num_classes != a->C)
        return cs_error(CS_EINVAL, "run %d epoch %d: epoch record has %d classes, expected %d",
                        (int)rec->run, (int)rec->epoch, (int)rec->num_classes, a->C);
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

static void col_add(double *acc, const float *col, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        acc[i] += col[i];
}

static void add_eva(cs_score_acc *a, const cs_epoch_record *rec, int t)
{
    const cs_score_params *p = &a->p;
    int in_early = t >= a->te && t < a->te + a->K, in_late = t >= a->tl && t < a->tl + a->K;
    if (!in_early && !in_late)
        return;
    int k = t - (in_early ? a->te : a->tl);
    if (k == 0) {
        memset(a->w_mean, 0, (size_t)a->n * sizeof(double));
        memset(a->w_m2, 0, (size_t)a->n * sizeof(double));
    }
    cs_eva_window_add(a->w_mean, a->w_m2, k, rec->err, a->n);
    if (k != a->K - 1)
        return;
    cs_eva_window_var(a->w_m2, a->n, a->K, p->eva_unbiased, p->eva_normalise, in_early ? a->ve : a->vl);
    if (in_late)
        cs_eva_combine_add(a->ve, a->vl, a->n, p->eva_weighted, p->eva_w, a->out[CS_SCORE_EVA]);
}

static void add_uncertainty(cs_score_acc *a, const cs_epoch_record *rec, int t)
{
    if (t <= a->T - a->p.unc_last_k)
        return;
    if (on(a, CS_SCORE_ENTROPY))
        col_add(a->out[CS_SCORE_ENTROPY], rec->entropy, a->n);
    if (!on(a, CS_SCORE_LEAST_CONF) && !on(a, CS_SCORE_MARGIN))
        return;
    /* create() allocated both sums when either score is enabled */
    double *lc = a->out[CS_SCORE_LEAST_CONF], *mg = a->out[CS_SCORE_MARGIN];
    if (rec->probs)
        cs_unc_add_probs(rec->probs, a->n, a->C, lc, mg);
    else if (a->C == 2)
        cs_unc_add_binary(rec->conf, a->n, lc, mg);
    else if (!a->probs_epoch) {
        a->probs_run = rec->run;
        a->probs_epoch = rec->epoch;
    }
}

static void add_dynunc(cs_score_acc *a, const cs_epoch_record *rec, int t)
{
    int J = a->p.dyn_j;
    memcpy(a->ring + (int64_t)((t - 1) % J) * a->n, rec->conf, (size_t)a->n * sizeof(float));
    if (t >= J)
        cs_dynunc_window_add(a->ring, a->n, J, a->out[CS_SCORE_DYN_UNC]);
}

static void add_focus(cs_score_acc *a, const cs_epoch_record *rec)
{
    if (!rec->focus)
        return;
    double *s = a->out[CS_SCORE_FOCUS];
    for (int64_t i = 0; i < a->n; i++)
        if (!isnan(rec->focus[i])) {
            s[i] += rec->focus[i];
            a->focus_cnt[i]++;
        }
}

int cs_score_acc_add(cs_score_acc *a, const cs_epoch_record *rec)
{
    int rc = check_record(a, rec);
    if (rc)
        return rc;
    int t = rec->epoch;
    if (on(a, CS_SCORE_EVA))
        add_eva(a, rec, t);
    if (on(a, CS_SCORE_EL2N) && t >= a->p.el2n_first && t <= a->p.el2n_last)
        col_add(a->out[CS_SCORE_EL2N], rec->err, a->n);
    if (on(a, CS_SCORE_FORGETTING)) {
        cs_forget_step(a->f_prev, a->f_count, a->f_ever, rec->correct, a->n, t == 1);
        if (t == a->T)
            cs_forget_run_end(a->f_count, a->f_ever, a->n, a->p.forget_never_zero,
                              a->out[CS_SCORE_FORGETTING]);
    }
    if (on(a, CS_SCORE_AUM))
        col_add(a->out[CS_SCORE_AUM], rec->margin, a->n);
    add_uncertainty(a, rec, t);
    if (on(a, CS_SCORE_DYN_UNC))
        add_dynunc(a, rec, t);
    if (on(a, CS_SCORE_FOCUS))
        add_focus(a, rec);
    if (t >= a->tl && t < a->tl + a->K) {
        if (on(a, CS_SCORE_LATE_CONF))
            col_add(a->out[CS_SCORE_LATE_CONF], rec->conf, a->n);
        if (on(a, CS_SCORE_LATE_LOSS))
            col_add(a->out[CS_SCORE_LATE_LOSS], rec->loss, a->n);
    }
    if (++a->next_epoch > a->T) {
        a->next_epoch = 1;
        a->next_run++;
    }
    return 0;
}

static void scale(double *v, int64_t n, double d)
{
    if (!v)
        return;
    for (int64_t i = 0; i < n; i++)
        v[i] /= d;
}

int cs_score_acc_finish(cs_score_acc *a)
{
    if (a->finished)
        return cs_error(CS_EINVAL, "scores already finished");
    if (a->next_run != a->R)
        return cs_error(CS_EINVAL,
                        "trajectory incomplete: the scores expected run %d epoch %d next (%d runs x %d epochs)",
                        a->next_run, a->next_epoch, a->R, a->T);
    double R = a->R;
    int64_t n = a->n;
    scale(a->out[CS_SCORE_EVA], n, R);
    scale(a->out[CS_SCORE_EL2N], n, R * (a->p.el2n_last - a->p.el2n_first + 1));
    scale(a->out[CS_SCORE_FORGETTING], n, R);
    scale(a->out[CS_SCORE_AUM], n, R * a->T);
    scale(a->out[CS_SCORE_ENTROPY], n, R * a->p.unc_last_k);
    scale(a->out[CS_SCORE_LEAST_CONF], n, R * a->p.unc_last_k);
    scale(a->out[CS_SCORE_MARGIN], n, R * a->p.unc_last_k);
    scale(a->out[CS_SCORE_DYN_UNC], n, R * (a->T - a->p.dyn_j + 1));
    scale(a->out[CS_SCORE_LATE_CONF], n, R * a->K);
    scale(a->out[CS_SCORE_LATE_LOSS], n, R * a->K);
    if (on(a, CS_SCORE_FOCUS)) {
        double *f = a->out[CS_SCORE_FOCUS];
        for (int64_t i = 0; i < n; i++) {
            if (a->focus_cnt[i])
                f[i] /= (double)a->focus_cnt[i];
            else {
                f[i] = NAN;
                a->focus_missing++;
            }
        }
    }
    if (on(a, CS_SCORE_FOCUS_WEIGHTED)) {
        int rc = cs_score_weight_by_focus(a->out[CS_SCORE_EVA], n, cs_score_info_at(CS_SCORE_EVA)->dir,
                                          a->out[CS_SCORE_FOCUS], a->p.focus_gamma,
                                          a->out[CS_SCORE_FOCUS_WEIGHTED]);
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
    if ((id == CS_SCORE_LEAST_CONF || id == CS_SCORE_MARGIN) && a->probs_epoch) {
        cs_error(CS_EUNSUP,
                 "score '%s' needs softmax probabilities with %d classes, and run %d epoch %d was "
                 "recorded without them (record probabilities, or use 'entropy')",
                 name, a->C, a->probs_run, a->probs_epoch);
        return NULL;
    }
    return a->out[id];
}

int64_t cs_score_acc_focus_missing(const cs_score_acc *a) { return a->focus_missing; }

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
    return cs_score_weight_by_focus(s, a->n, cs_score_direction(base), f, gamma, out);
}
