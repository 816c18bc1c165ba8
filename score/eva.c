/* eva.c - EVA (Hong et al., ACM MM 2024; METHODS.md section 3): variance of
 * the error-vector norm inside an early and a late window of K epochs,
 * combined.  Welford moments keep each window O(N) whatever K is.  Also the
 * late window itself, which the helpers late_conf and late_loss share. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/err.h"
#include "../common/numtext.h"
#include "score_int.h"

int cs_eva_late_start(const cs_score_params *p, int T) { return p->eva_late ? p->eva_late : T - p->eva_k + 1; }

int cs_eva_late_check(const cs_score_params *p, int T)
{
    if (p->eva_k < 2)
        return cs_error(CS_EINVAL, "eva window length K = %d, must be at least 2", p->eva_k);
    int tl = cs_eva_late_start(p, T);
    if (tl < 1 || tl + p->eva_k - 1 > T)
        return cs_error(CS_EINVAL, "eva late window %d..%d lies outside epochs 1..%d", tl, tl + p->eva_k - 1,
                        T);
    return 0;
}

void cs_eva_late_epochs(const cs_score_params *p, int T, int *first, int *last)
{
    *first = cs_eva_late_start(p, T);
    *last = *first + p->eva_k - 1;
}

void cs_eva_late_describe(const cs_score_params *p, int T, char *buf, size_t len)
{
    int tl = cs_eva_late_start(p, T);
    snprintf(buf, len, "epochs=%d..%d", tl, tl + p->eva_k - 1);
}

/* Welford update of one window with one epoch's err (k = epochs already in it). */
static void window_add(double *mean, double *m2, int k, const float *err, int64_t n)
{
    double inv = 1.0 / (double)(k + 1);
    for (int64_t i = 0; i < n; i++) {
        double x = err[i];
        double d = x - mean[i];
        mean[i] += d * inv;
        m2[i] += d * (x - mean[i]);
    }
}

/* v = M2 / K (or / (K-1)), then optionally divided by its sum over samples. */
static void window_var(const double *m2, int64_t n, int K, int unbiased, int normalise, double *v)
{
    double div = unbiased ? (double)(K - 1) : (double)K;
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) {
        v[i] = m2[i] / div;
        sum += v[i];
    }
    /* a window where nothing varies stays all zero rather than 0/0 */
    if (normalise && sum > 0)
        for (int64_t i = 0; i < n; i++)
            v[i] /= sum;
}

/* acc += V_e + V_l, or w V_e + (1-w) V_l. */
static void combine_add(const double *ve, const double *vl, int64_t n, int weighted, double w, double *acc)
{
    for (int64_t i = 0; i < n; i++)
        acc[i] += weighted ? w * ve[i] + (1.0 - w) * vl[i] : ve[i] + vl[i];
}

typedef struct {
    int te, tl, K;                   /* the resolved windows */
    double *w_mean, *w_m2, *ve, *vl; /* the open window's moments, the closed windows' variances */
} eva_state;

static void release(void *state)
{
    eva_state *s = state;
    if (!s)
        return;
    free(s->w_mean);
    free(s->w_m2);
    free(s->ve);
    free(s->vl);
    free(s);
}

static int create(void **state, const cs_score_ctx *c)
{
    eva_state *s = cs_calloc(1, sizeof *s);
    if (!s)
        return CS_ENOMEM;
    s->K = c->p->eva_k;
    s->te = c->p->eva_early;
    s->tl = cs_eva_late_start(c->p, c->T);
    size_t n = (size_t)c->n;
    s->w_mean = cs_calloc(n, sizeof(double));
    s->w_m2 = cs_calloc(n, sizeof(double));
    s->ve = cs_calloc(n, sizeof(double));
    s->vl = cs_calloc(n, sizeof(double));
    *state = s;
    return s->w_mean && s->w_m2 && s->ve && s->vl ? 0 : CS_ENOMEM;
}

static void add(void *state, const cs_score_ctx *c, const cs_epoch_record *rec, double *out)
{
    eva_state *s = state;
    const cs_score_params *p = c->p;
    int t = rec->epoch;
    int in_early = t >= s->te && t < s->te + s->K, in_late = t >= s->tl && t < s->tl + s->K;
    if (!in_early && !in_late)
        return;
    int k = t - (in_early ? s->te : s->tl);
    if (k == 0) {
        memset(s->w_mean, 0, (size_t)c->n * sizeof(double));
        memset(s->w_m2, 0, (size_t)c->n * sizeof(double));
    }
    window_add(s->w_mean, s->w_m2, k, rec->err, c->n);
    if (k != s->K - 1)
        return;
    window_var(s->w_m2, c->n, s->K, p->eva_unbiased, p->eva_normalise, in_early ? s->ve : s->vl);
    /* the late window closes last (check: the early one ends first), once per run */
    if (in_late)
        combine_add(s->ve, s->vl, c->n, p->eva_weighted, p->eva_w, out);
}

/* out holds the sum over runs: the mean of the per-run values. */
static int finish(void *state, const cs_score_ctx *c, double *out, double *const *final)
{
    (void)state;
    (void)final;
    cs_score_div(out, c->n, c->R);
    return 0;
}

static int check(const cs_score_params *p, int T)
{
    int rc = cs_eva_late_check(p, T);
    if (rc)
        return rc;
    int te = p->eva_early, tl = cs_eva_late_start(p, T), k = p->eva_k;
    if (te < 1 || te + k - 1 > T)
        return cs_error(CS_EINVAL, "eva early window %d..%d lies outside epochs 1..%d", te, te + k - 1, T);
    if (te + k - 1 >= tl)
        return cs_error(CS_EINVAL,
                        "eva windows %d..%d and %d..%d overlap or are out of order (the early "
                        "window must end before the late one starts)",
                        te, te + k - 1, tl, tl + k - 1);
    if (p->eva_weighted && !(p->eva_w >= 0 && p->eva_w <= 1))
        return cs_error(CS_EINVAL, "eva weight w = %g, must lie in [0, 1]", p->eva_w);
    return 0;
}

static void describe(const cs_score_params *p, int T, char *buf, size_t len)
{
    int tl = cs_eva_late_start(p, T), k = p->eva_k;
    const char *var = p->eva_unbiased ? "1/(K-1)" : "1/K", *norm = p->eva_normalise ? "l1" : "none";
    if (p->eva_weighted) {
        char w[32];
        cs_double_text(p->eva_w, w, sizeof w);
        snprintf(buf, len, "K=%d early=%d..%d late=%d..%d var=%s norm=%s comb=weighted w=%s", k, p->eva_early,
                 p->eva_early + k - 1, tl, tl + k - 1, var, norm, w);
    } else {
        snprintf(buf, len, "K=%d early=%d..%d late=%d..%d var=%s norm=%s comb=sum", k, p->eva_early,
                 p->eva_early + k - 1, tl, tl + k - 1, var, norm);
    }
}

const cs_score_desc cs_score_desc_eva = {
    .info = {"eva", CS_SCORE_HIGH, 0, "error-vector variance over an early and a late window"},
    .check = check,
    .describe = describe,
    .create = create,
    .add = add,
    .finish = finish,
    .release = release,
};
