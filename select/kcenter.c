/* kcenter.c - k-center greedy (Sener & Savarese 2018) in embedding space, as
 * DeepCore implements it (METHODS.md section 6): inside a group, the first
 * centre is the member with the smallest seeded uniform draw (DeepCore draws
 * it with numpy's generator; ours comes from the seed, one draw per member,
 * sample.h), and it counts in the budget; then repeatedly add the member
 * farthest from its nearest chosen centre (ties: the lower index) until the
 * quota is met.  O(quota * len * D) time, O(len) memory; the distance
 * update runs on the threads (each member's value is its own, so the result
 * does not depend on them).  The reliability filter: geom.h's tiers. */
#include "../common/err.h"
#include "geom.h"
#include "rule.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int kcenter_tier(const cs_select_params *p, const cs_select_inputs *in, const int64_t *idx,
                        int64_t len, const double *u, int64_t quota, int64_t *out)
{
    (void)p;
    int D = in->embed_dim;
    double *mind = cs_malloc(sizeof *mind * (size_t)len);
    double *c = cs_malloc(sizeof *c * (size_t)D);
    unsigned char *taken = cs_calloc((size_t)len, 1);
    if (!mind || !c || !taken) {
        free(mind);
        free(c);
        free(taken);
        return CS_ENOMEM;
    }
    int64_t cur = 0;
    for (int64_t k = 1; k < len; k++)
        if (u[k] < u[cur])
            cur = k;
    for (int64_t k = 0; k < len; k++)
        mind[k] = INFINITY;
    for (int64_t j = 0; j < quota; j++) {
        taken[cur] = 1;
        out[j] = idx[cur];
        if (j + 1 == quota)
            break;
        /* The centre in double once, for cs_geom_sq_fd. */
        const float *cf = in->embed + idx[cur] * D;
        for (int t = 0; t < D; t++)
            c[t] = cf[t];
#pragma omp parallel for schedule(static) if (len >= CS_GEOM_PARALLEL_MIN)
        for (int64_t k = 0; k < len; k++) {
            double d = cs_geom_sq_fd(in->embed + idx[k] * D, c, D);
            if (d < mind[k])
                mind[k] = d;
        }
        int64_t best = -1;
        for (int64_t k = 0; k < len; k++)
            if (!taken[k] && (best < 0 || mind[k] > mind[best]))
                best = k;
        cur = best;
    }
    free(mind);
    free(c);
    free(taken);
    return 0;
}

static int kcenter_check(const cs_select_params *p, const cs_select_inputs *in)
{
    (void)p;
    return cs_geom_check(in, cs_rule_kcenter.name);
}

static int kcenter_pick(const cs_select_params *p, const cs_select_inputs *in, cs_cand *a, int64_t len,
                        const double *u, int64_t quota, int64_t *out)
{
    return cs_geom_tiered(kcenter_tier, p, in, a, len, u, quota, out);
}

static void kcenter_describe(const cs_select_params *p, char *buf, size_t len)
{
    (void)p;
    snprintf(buf, len, "%s distance=euclidean start=smallest-draw", cs_rule_kcenter.name);
}

const cs_select_rule cs_rule_kcenter = {
    .name = "kcenter",
    .draws = 1,
    .needs_embed = 1,
    .check = kcenter_check,
    .pick = kcenter_pick,
    .describe = kcenter_describe,
};
