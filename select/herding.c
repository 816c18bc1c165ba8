/* herding.c - herding (Welling 2009) in embedding space, the DeepCore
 * baseline (METHODS.md section 6): inside a group with mean embedding mu,
 * after t chosen members with sum S, add the unchosen member x minimising
 * |(t + 1) mu - S - x| (ties: the lower index), i.e. the one that brings
 * the chosen set's mean closest to mu.  DeepCore's code takes the argmax of
 * that distance, the opposite of the definition; we follow the definition.
 * O(quota * len * D) time, the distances on the threads (each member's value
 * is its own).  The reliability filter: geom.h's tiers. */
#include "../common/err.h"
#include "geom.h"
#include "rule.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int herding_tier(const cs_select_params *p, const cs_select_inputs *in, const int64_t *idx,
                        int64_t len, const double *u, int64_t quota, int64_t *out)
{
    (void)p;
    (void)u;
    int D = in->embed_dim;
    double *mu = cs_calloc((size_t)D, sizeof *mu);
    double *sum = cs_calloc((size_t)D, sizeof *sum);
    double *target = cs_malloc(sizeof *target * (size_t)D);
    double *dist = cs_malloc(sizeof *dist * (size_t)len);
    unsigned char *taken = cs_calloc((size_t)len, 1);
    int rc = 0;
    if (!mu || !sum || !target || !dist || !taken) {
        rc = CS_ENOMEM;
        goto out;
    }
    for (int64_t k = 0; k < len; k++)
        for (int t = 0; t < D; t++)
            mu[t] += in->embed[idx[k] * D + t];
    for (int t = 0; t < D; t++)
        mu[t] /= (double)len;
    for (int64_t j = 0; j < quota; j++) {
        for (int t = 0; t < D; t++)
            target[t] = (double)(j + 1) * mu[t] - sum[t];
#pragma omp parallel for schedule(static) if (len >= CS_GEOM_PARALLEL_MIN)
        for (int64_t k = 0; k < len; k++) {
            dist[k] = cs_geom_sq_fd(in->embed + idx[k] * D, target, D);
        }
        int64_t best = -1;
        for (int64_t k = 0; k < len; k++)
            if (!taken[k] && (best < 0 || dist[k] < dist[best]))
                best = k;
        taken[best] = 1;
        out[j] = idx[best];
        for (int t = 0; t < D; t++)
            sum[t] += in->embed[idx[best] * D + t];
    }
out:
    free(mu);
    free(sum);
    free(target);
    free(dist);
    free(taken);
    return rc;
}

static int herding_check(const cs_select_params *p, const cs_select_inputs *in)
{
    (void)p;
    return cs_geom_check(in, cs_rule_herding.name);
}

static int herding_pick(const cs_select_params *p, const cs_select_inputs *in, cs_cand *a, int64_t len,
                        const double *u, int64_t quota, int64_t *out)
{
    return cs_geom_tiered(herding_tier, p, in, a, len, u, quota, out);
}

static void herding_describe(const cs_select_params *p, char *buf, size_t len)
{
    (void)p;
    snprintf(buf, len, "%s distance=euclidean target=group-mean", cs_rule_herding.name);
}

const cs_select_rule cs_rule_herding = {
    .name = "herding",
    .needs_embed = 1,
    .check = herding_check,
    .pick = herding_pick,
    .describe = herding_describe,
};
