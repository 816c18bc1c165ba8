/* d2_strat.c - D2 pruning's stratified variant, as its authors'
 * stratified_sampling with graph_score (METHODS.md section 6), inside each
 * group:
 *  1. hard cut-off: drop the hardest floor(drop * len) members (drop = the
 *     --hard-cutoff of CCS, whose code theirs extends; ties: the lower index
 *     is harder);
 *  2. the graph density of the rest (d2.h's forward pass, difficulty from
 *     the --by score);
 *  3. k = 25 equal-width density strata, stratum floor((dens - min) / width)
 *     clamped to [0, k - 1] (their code widens the top edge by 1.0001 for
 *     the same purpose); the budget goes to the smallest stratum first, each
 *     min(size, floor(left / strata left)), as CCS (ccs.c);
 *  4. inside a stratum larger than k neighbours: D2's greedy selection on the
 *     stratum's own kNN graph with the density as the difficulty; a stratum
 *     of at most k members: the members with the smallest seeded draws (their
 *     code: a random permutation).
 * If fewer than quota members survive step 1, all of them are taken and the
 * rest comes from the dropped ones, least hard first.  The reliability
 * filter: geom.h's tiers. */
#include "../common/err.h"
#include "../common/numtext.h"
#include "d2.h"
#include "quota.h"
#include "geom.h"
#include "rule.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Step 3: take[b] for strata of the given sizes, smallest first (ties: lower
 * stratum), passes repeated until the budget is placed. */
static void allocate(const int64_t *size, int k, int64_t budget, int64_t *take, int *order)
{
    for (int b = 0; b < k; b++) {
        order[b] = b;
        take[b] = 0;
    }
    for (int i = 1; i < k; i++) /* insertion sort: k is small */
        for (int j = i; j > 0 && (size[order[j]] < size[order[j - 1]]); j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    int64_t left = budget;
    while (left > 0) {
        int64_t before = left;
        for (int i = 0; i < k; i++) {
            int b = order[i];
            int64_t share = left / (k - i), avail = size[b] - take[b];
            int64_t t = avail < share ? avail : share;
            take[b] += t;
            left -= t;
        }
        if (left == before)
            for (int i = 0; i < k && left > 0; i++)
                if (take[order[i]] < size[order[i]]) {
                    take[order[i]]++;
                    left--;
                }
    }
}

static int d2s_tier(const cs_select_params *p, const cs_select_inputs *in, const int64_t *idx,
                    int64_t len, const double *u, int64_t quota, int64_t *out)
{
    int k = p->d2_strata, rc = 0;
    cs_cand *h = cs_malloc(sizeof *h * (size_t)len);
    int64_t *keep = cs_malloc(sizeof *keep * (size_t)len);
    int64_t *pool = cs_malloc(sizeof *pool * (size_t)len);
    double *s = cs_malloc(sizeof *s * (size_t)len);
    double *dens = cs_malloc(sizeof *dens * (size_t)len);
    double *pu = cs_malloc(sizeof *pu * (size_t)len);
    int *st = cs_malloc(sizeof *st * (size_t)len);
    int64_t *size = cs_calloc((size_t)k, sizeof *size), *take = cs_calloc((size_t)k, sizeof *take);
    int *order = cs_malloc(sizeof *order * (size_t)k);
    if (!h || !keep || !pool || !s || !dens || !pu || !st || !size || !take || !order) {
        rc = CS_ENOMEM;
        goto out;
    }
    /* Step 1 on positions (members come in ascending index). */
    cs_d2_difficulty(in, idx, len, s);
    for (int64_t r = 0; r < len; r++)
        h[r] = (cs_cand){.idx = r, .tier = 0, .key = s[r]};
    cs_cand_sort(h, len);
    int64_t ndrop = cs_robust_floor(p->ccs_drop * (double)len), got = 0;
    if (ndrop > len)
        ndrop = len;
    int64_t nkeep = len - ndrop;
    if (quota >= nkeep) {
        for (int64_t j = ndrop; j < len; j++)
            out[got++] = idx[h[j].idx];
        for (int64_t j = ndrop - 1; got < quota; j--)
            out[got++] = idx[h[j].idx];
        goto out;
    }
    unsigned char *drop = (unsigned char *)st; /* st is free until step 3 */
    for (int64_t r = 0; r < len; r++)
        drop[r] = 0;
    for (int64_t j = 0; j < ndrop; j++)
        drop[h[j].idx] = 1;
    int64_t nk = 0;
    for (int64_t r = 0; r < len; r++)
        if (!drop[r]) {
            pu[nk] = u[r];
            keep[nk++] = idx[r];
        }
    /* Step 2: the density of the kept members. */
    cs_d2_difficulty(in, keep, nk, s);
    if ((rc = cs_d2_run(p, in, keep, nk, s, dens, 0, NULL)))
        goto out;
    double lo = INFINITY, hi = -INFINITY;
    for (int64_t r = 0; r < nk; r++) {
        lo = dens[r] < lo ? dens[r] : lo;
        hi = dens[r] > hi ? dens[r] : hi;
    }
    double width = (hi - lo) / (double)k;
    for (int64_t r = 0; r < nk; r++) {
        int b = 0;
        if (width > 0.0) {
            double f = floor((dens[r] - lo) / width);
            b = f >= (double)(k - 1) ? k - 1 : f < 0.0 ? 0 : (int)f;
        }
        st[r] = b;
        size[b]++;
    }
    allocate(size, k, quota, take, order);
    /* Step 4, stratum by stratum (the order does not change the set). */
    for (int b = 0; b < k && !rc; b++) {
        if (take[b] == 0)
            continue;
        int64_t m = 0;
        double *ps = s; /* reused: the pool's densities, then its draws */
        for (int64_t r = 0; r < nk; r++)
            if (st[r] == b) {
                pool[m] = keep[r];
                ps[m] = dens[r];
                h[m] = (cs_cand){.idx = keep[r], .tier = 0, .key = -pu[r]};
                m++;
            }
        if (m <= p->knn) {
            cs_cand_take(h, m, take[b], out + got);
        } else {
            rc = cs_d2_run(p, in, pool, m, ps, NULL, take[b], out + got);
        }
        got += take[b];
    }
out:
    free(h);
    free(keep);
    free(pool);
    free(s);
    free(dens);
    free(pu);
    free(st);
    free(size);
    free(take);
    free(order);
    return rc;
}

static int d2s_check(const cs_select_params *p, const cs_select_inputs *in)
{
    int rc = cs_select_need_score(in, cs_rule_d2_strat.name);
    if (!rc)
        rc = cs_d2_check_params(p);
    if (!rc && !(p->ccs_drop >= 0.0 && p->ccs_drop < 1.0))
        rc = cs_error(CS_EINVAL, "d2-strat hard cut-off %g: must be in [0, 1)", p->ccs_drop);
    if (!rc && p->d2_strata < 1)
        rc = cs_error(CS_EINVAL, "d2-strat strata %d: must be >= 1", p->d2_strata);
    return rc ? rc : cs_geom_check(in, cs_rule_d2_strat.name);
}

static int d2s_pick(const cs_select_params *p, const cs_select_inputs *in, cs_cand *a, int64_t len,
                    const double *u, int64_t quota, int64_t *out)
{
    return cs_geom_tiered(d2s_tier, p, in, a, len, u, quota, out);
}

static void d2s_describe(const cs_select_params *p, char *buf, size_t len)
{
    char f[32], r[32], d[32];
    snprintf(buf, len, "%s k=%d gamma-f=%s gamma-r=%s drop=%s strata=%d", cs_rule_d2_strat.name, p->knn,
             cs_double_text(p->d2_gamma_f, f, sizeof f), cs_double_text(p->d2_gamma_r, r, sizeof r),
             cs_double_text(p->ccs_drop, d, sizeof d), p->d2_strata);
}

const cs_select_rule cs_rule_d2_strat = {
    .name = "d2-strat",
    .draws = 1,
    .needs_embed = 1,
    .default_score = "forgetting",
    .check = d2s_check,
    .pick = d2s_pick,
    .describe = d2s_describe,
};
