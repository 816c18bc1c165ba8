/* dual.c - DUAL (Cho et al., ICML 2025; ../shared/METHODS.md section 6):
 * over the first T_d epochs, for each window of J consecutive epochs,
 * s_W(i) = std_W(conf_i) * (1 - mean_W(conf_i)); DUAL(i) is the mean of s_W
 * over the windows, averaged over runs.  High = uncertain and not yet learnt:
 * kept first.  std is the population std (ddof = 0), as dynamic uncertainty.
 * T_d defaults to 15% of training (the authors' 30 of 200 epochs), at least
 * one window; J to 10 epochs, or T_d when training is shorter. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/err.h"
#include "score_int.h"

/* T_d and J as used for T epochs (also dual_conf's T_d, score_int.h). */
void cs_dual_resolve(const cs_score_params *p, int T, int *Td, int *J)
{
    int jd = p->dual_j ? p->dual_j : 10;
    int td = p->dual_epochs ? p->dual_epochs : (int)lround(0.15 * T);
    if (!p->dual_epochs && td < (jd < T ? jd : T))
        td = jd < T ? jd : T;
    *Td = td;
    *J = p->dual_j ? p->dual_j : (jd < td ? jd : td);
}

int cs_dual_check(const cs_score_params *p, int T)
{
    int Td, J;
    cs_dual_resolve(p, T, &Td, &J);
    if (Td < 2 || Td > T)
        return cs_error(CS_EINVAL, "dual epochs 1..%d: need 2..%d epochs", Td, T);
    if (J < 2 || J > Td)
        return cs_error(CS_EINVAL, "dual window J = %d: need 2..%d (score.dual_epochs)", J, Td);
    return 0;
}

static void describe(const cs_score_params *p, int T, char *buf, size_t len)
{
    int Td, J;
    cs_dual_resolve(p, T, &Td, &J);
    snprintf(buf, len, "J=%d epochs=1..%d std=population", J, Td);
}

typedef struct dual_state {
    int Td, J;
    float *ring; /* the last J conf columns, J x n */
} dual_state;

static int create(void **state, const cs_score_ctx *c)
{
    dual_state *s = cs_calloc(1, sizeof *s);
    if (!s)
        return CS_ENOMEM;
    cs_dual_resolve(c->p, c->T, &s->Td, &s->J);
    if (!(s->ring = cs_calloc((size_t)(c->n * s->J), sizeof(float)))) {
        free(s);
        return CS_ENOMEM;
    }
    *state = s;
    return 0;
}

static void add(void *state, const cs_score_ctx *c, const cs_epoch_record *rec, double *out)
{
    dual_state *s = state;
    int J = s->J, t = rec->epoch;
    if (t > s->Td)
        return;
    memcpy(s->ring + (int64_t)((t - 1) % J) * c->n, rec->conf, (size_t)c->n * sizeof(float));
    if (t < J)
        return;
    for (int64_t i = 0; i < c->n; i++) {
        double mean = 0.0, ss = 0.0;
        for (int j = 0; j < J; j++)
            mean += s->ring[(int64_t)j * c->n + i];
        mean /= J;
        for (int j = 0; j < J; j++) {
            double d = s->ring[(int64_t)j * c->n + i] - mean;
            ss += d * d;
        }
        out[i] += sqrt(ss / J) * (1.0 - mean);
    }
}

static int finish(void *state, const cs_score_ctx *c, double *out, double *const *final)
{
    (void)final;
    const dual_state *s = state;
    cs_score_div(out, c->n, c->R * (double)(s->Td - s->J + 1));
    return 0;
}

static void release(void *state)
{
    dual_state *s = state;
    if (s)
        free(s->ring);
    free(s);
}

const cs_score_desc cs_score_desc_dual = {
    .info = {"dual", CS_SCORE_HIGH, 0, "early windows' std(conf) * (1 - mean conf) (DUAL)"},
    .check = cs_dual_check,
    .describe = describe,
    .create = create,
    .add = add,
    .finish = finish,
    .release = release,
};
