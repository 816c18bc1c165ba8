/* tdds.c - TDDS (Zhang et al., CVPR 2024; ../shared/METHODS.md section 6):
 * the change of a sample's softmax vector between consecutive epochs,
 * d_t(i) = sum_c |p_{t+1,c} log((p_{t+1,c} + eps) / (p_{t,c} + eps))| (eps
 * 1e-8, as the authors' code); inside each window of J epochs (J - 1 changes)
 * the window's value is || d - mean_window d ||_2; windows k = 0..T'-J
 * (epochs k+1..k+J) are weighted beta (1 - beta)^(T'-J-k) and summed, so
 * late windows count most.  Averaged over runs; high = kept first.  T'
 * defaults to every epoch, J to 10 (or T' when shorter), beta to 0.9.
 *
 * It needs the whole probability vector every epoch (record.probs): without
 * it only C = 2 is exact (p = (1 - conf, conf), and the sum over both classes
 * does not care which one is the label); for C > 2 the score is refused. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/err.h"
#include "../common/numtext.h"
#include "score_int.h"

#define TDDS_EPS 1e-8

static void resolve(const cs_score_params *p, int T, int *Tt, int *J)
{
    *Tt = p->tdds_epochs ? p->tdds_epochs : T;
    *J = p->tdds_j ? p->tdds_j : (*Tt < 10 ? *Tt : 10);
}

static int check(const cs_score_params *p, int T)
{
    int Tt, J;
    resolve(p, T, &Tt, &J);
    if (Tt < 3 || Tt > T)
        return cs_error(CS_EINVAL, "tdds epochs 1..%d: need 3..%d epochs", Tt, T);
    if (J < 3 || J > Tt)
        return cs_error(CS_EINVAL, "tdds window J = %d: need 3..%d (score.tdds_epochs)", J, Tt);
    if (!(p->tdds_beta > 0 && p->tdds_beta < 1))
        return cs_error(CS_EINVAL, "tdds decay beta = %g: need 0 < beta < 1", p->tdds_beta);
    return 0;
}

static void describe(const cs_score_params *p, int T, char *buf, size_t len)
{
    int Tt, J;
    resolve(p, T, &Tt, &J);
    char beta[40];
    cs_double_text(p->tdds_beta, beta, sizeof beta);
    snprintf(buf, len, "J=%d epochs=1..%d beta=%s", J, Tt, beta);
}

typedef struct tdds_state {
    int Tt, J, C;
    float *prev;     /* n x C: the last epoch's probabilities */
    double *ring;    /* (J - 1) x n: the last J - 1 changes */
    int missing;     /* epoch whose record had no probabilities (C > 2), or 0 */
} tdds_state;

static int create(void **state, const cs_score_ctx *c)
{
    tdds_state *s = cs_calloc(1, sizeof *s);
    if (!s)
        return CS_ENOMEM;
    resolve(c->p, c->T, &s->Tt, &s->J);
    s->C = c->C;
    s->prev = cs_malloc(sizeof *s->prev * (size_t)(c->n * c->C));
    s->ring = cs_calloc((size_t)(c->n * (s->J - 1)), sizeof *s->ring);
    if (!s->prev || !s->ring) {
        free(s->prev);
        free(s->ring);
        free(s);
        return CS_ENOMEM;
    }
    *state = s;
    return 0;
}

/* Sample i's probabilities of this record into q (C values). */
static void probs_of(const cs_epoch_record *rec, int C, int64_t i, float *q)
{
    if (rec->probs) {
        memcpy(q, rec->probs + i * C, sizeof *q * (size_t)C);
    } else { /* C == 2: the label's probability and the other one, order irrelevant */
        q[0] = rec->conf[i];
        q[1] = 1.0f - rec->conf[i];
    }
}

static void add(void *state, const cs_score_ctx *c, const cs_epoch_record *rec, double *out)
{
    tdds_state *s = state;
    int t = rec->epoch, C = s->C, J = s->J;
    if (t > s->Tt || s->missing)
        return;
    if (!rec->probs && C > 2) {
        s->missing = t;
        return;
    }
    float q[64], *qp = C <= 64 ? q : NULL;
    if (!qp && !(qp = malloc(sizeof *qp * (size_t)C))) {
        s->missing = -1; /* out of memory: refused by usable, with its own message */
        return;
    }
    for (int64_t i = 0; i < c->n; i++) {
        probs_of(rec, C, i, qp);
        float *p = s->prev + i * C;
        if (t >= 2) {
            double d = 0.0;
            for (int k = 0; k < C; k++)
                d += fabs((double)qp[k] * (log((double)qp[k] + TDDS_EPS) - log((double)p[k] + TDDS_EPS)));
            s->ring[(int64_t)((t - 2) % (J - 1)) * c->n + i] = d;
        }
        memcpy(p, qp, sizeof *p * (size_t)C);
    }
    if (qp != q)
        free(qp);
    if (t < J)
        return;
    /* the window of epochs t-J+1..t: k = t - J */
    double w = c->p->tdds_beta * pow(1.0 - c->p->tdds_beta, (double)(s->Tt - J - (t - J)));
    for (int64_t i = 0; i < c->n; i++) {
        double mean = 0.0, ss = 0.0;
        for (int j = 0; j < J - 1; j++)
            mean += s->ring[(int64_t)j * c->n + i];
        mean /= J - 1;
        for (int j = 0; j < J - 1; j++) {
            double d = s->ring[(int64_t)j * c->n + i] - mean;
            ss += d * d;
        }
        out[i] += w * sqrt(ss);
    }
}

static int finish(void *state, const cs_score_ctx *c, double *out, double *const *final)
{
    (void)state;
    (void)final;
    cs_score_div(out, c->n, (double)c->R);
    return 0;
}

static int usable(const void *state, const cs_score_ctx *c, const char *name)
{
    (void)c;
    const tdds_state *s = state;
    if (s->missing < 0)
        return cs_error(CS_ENOMEM, "out of memory computing '%s'", name);
    if (s->missing)
        return cs_error(CS_EUNSUP, "'%s' needs every epoch's probabilities: epoch %d has none (%d classes); hint: "
                                   "score with --set record.probs=yes (auto keeps them only up to 16 classes)",
                        name, s->missing, s->C);
    return 0;
}

static void release(void *state)
{
    tdds_state *s = state;
    if (s) {
        free(s->prev);
        free(s->ring);
    }
    free(s);
}

const cs_score_desc cs_score_desc_tdds = {
    .info = {"tdds", CS_SCORE_HIGH, 0, "decay-weighted windows of softmax change (TDDS)", 1},
    .check = check,
    .describe = describe,
    .create = create,
    .add = add,
    .finish = finish,
    .usable = usable,
    .release = release,
};
