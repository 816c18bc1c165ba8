/* dynamic_uncertainty.c - dynamic uncertainty (He et al., CVPR 2024): the
 * population std (ddof = 0) of conf over each window of J consecutive epochs
 * t..t+J-1 (t = 1..T-J+1), averaged over the windows and the runs.  A ring
 * of the last J conf columns keeps it O(N * J). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/err.h"
#include "score_int.h"

/* acc += population std of each sample's J conf values in ring (J x n). */
static void window_add(const float *ring, int64_t n, int J, double *acc)
{
    for (int64_t i = 0; i < n; i++) {
        double mean = 0.0;
        for (int j = 0; j < J; j++)
            mean += ring[(int64_t)j * n + i];
        mean /= J;
        double ss = 0.0;
        for (int j = 0; j < J; j++) {
            double d = ring[(int64_t)j * n + i] - mean;
            ss += d * d;
        }
        acc[i] += sqrt(ss / J);
    }
}

static int create(void **state, const cs_score_ctx *c)
{
    *state = cs_calloc((size_t)(c->n * c->p->dyn_j), sizeof(float));
    return *state ? 0 : CS_ENOMEM;
}

static void add(void *state, const cs_score_ctx *c, const cs_epoch_record *rec, double *out)
{
    float *ring = state;
    int J = c->p->dyn_j, t = rec->epoch;
    memcpy(ring + (int64_t)((t - 1) % J) * c->n, rec->conf, (size_t)c->n * sizeof(float));
    /* the window's order inside the ring does not matter to its std */
    if (t >= J)
        window_add(ring, c->n, J, out);
}

static int finish(void *state, const cs_score_ctx *c, double *out, double *const *final)
{
    (void)state;
    (void)final;
    cs_score_div(out, c->n, c->R * (double)(c->T - c->p->dyn_j + 1));
    return 0;
}

static int check(const cs_score_params *p, int T)
{
    if (p->dyn_j < 1 || p->dyn_j > T)
        return cs_error(CS_EINVAL, "dynamic uncertainty window J = %d: need 1..%d", p->dyn_j, T);
    return 0;
}

static void describe(const cs_score_params *p, int T, char *buf, size_t len)
{
    (void)T;
    snprintf(buf, len, "J=%d std=population", p->dyn_j);
}

const cs_score_desc cs_score_desc_dyn_unc = {
    .info = {"dynamic_uncertainty", CS_SCORE_HIGH, 0, "mean sliding-window std of conf"},
    .check = check,
    .describe = describe,
    .create = create,
    .add = add,
    .finish = finish,
    .release = free,
};
