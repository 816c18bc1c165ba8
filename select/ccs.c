/* ccs.c - coverage-centric selection inside one group, as METHODS.md
 * section 4 defines it:
 *  1. drop the hardest floor(drop * len) members (the score's important end,
 *     ties: the lower index counts as harder);
 *  2. cut [min, max] of the remaining finite scores into k equal-width
 *     strata, stratum floor((s - min) / ((max - min) / k)), clamped to
 *     [0, k - 1] (so +inf goes to k - 1, -inf to 0; all in stratum 0 when
 *     max == min or no score is finite);
 *  3. visit strata from the smallest (ties: lower stratum), each taking
 *     min(size, floor(left / strata left)), counting empty strata;
 *  4. inside a stratum take the members with the smallest uniform draws,
 *     reliable ones first.
 * If fewer than quota members remain after step 1, all of them are taken and
 * the rest comes from the dropped members, least hard first.
 * The rule `ccs` (rule.h) runs it in every group. */
#include "ccs.h"

#include "../common/err.h"
#include "../common/numtext.h"
#include "quota.h"
#include "rule.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct stratum {
    int64_t size, take;
    int id;
} stratum;

static int stratum_cmp(const void *a, const void *b)
{
    const stratum *x = a, *y = b;
    if (x->size != y->size)
        return x->size < y->size ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

/* Step 3, repeated over what is left of each stratum should one pass not
 * place the whole budget (it does whenever the strata hold enough). */
static void allocate(stratum *s, int k, int64_t budget)
{
    qsort(s, (size_t)k, sizeof *s, stratum_cmp);
    int64_t left = budget;
    for (int i = 0; i < k; i++)
        s[i].take = 0;
    while (left > 0) {
        int64_t before = left;
        for (int i = 0; i < k; i++) {
            int64_t avail = s[i].size - s[i].take;
            int64_t share = left / (k - i);
            int64_t t = avail < share ? avail : share;
            s[i].take += t;
            left -= t;
        }
        if (left == before) {
            /* Shares rounded down to 0: hand out single samples in visit order. */
            for (int i = 0; i < k && left > 0; i++)
                if (s[i].take < s[i].size) {
                    s[i].take++;
                    left--;
                }
        }
    }
}

static int check_opts(double drop, int strata)
{
    if (!(drop >= 0.0 && drop < 1.0))
        return cs_error(CS_EINVAL, "ccs drop fraction %g: must be in [0, 1)", drop);
    if (strata < 1)
        return cs_error(CS_EINVAL, "ccs strata %d: must be >= 1", strata);
    return 0;
}

int cs_ccs_pick(const cs_cand *a, int64_t len, const double *u, const double *score,
                const cs_ccs_opts *o, int64_t quota, int64_t *out)
{
    if (check_opts(o->drop, o->strata))
        return CS_EINVAL;
    if (quota < 0 || quota > len)
        return cs_error(CS_EINTERNAL, "ccs quota %lld of %lld", (long long)quota, (long long)len);
    int rc = 0;
    int k = o->strata;
    cs_cand *h = cs_malloc(sizeof *h * (size_t)(len > 0 ? len : 1));
    cs_cand *bucket = cs_malloc(sizeof *bucket * (size_t)(len > 0 ? len : 1));
    int *st = cs_malloc(sizeof *st * (size_t)(len > 0 ? len : 1));
    stratum *s = cs_malloc(sizeof *s * (size_t)k);
    int64_t *off = cs_calloc((size_t)k + 1, sizeof *off);
    if (!h || !bucket || !st || !s || !off) {
        rc = CS_ENOMEM;
        goto out;
    }
    /* Positions stand in for indices: members come in ascending index. */
    for (int64_t p = 0; p < len; p++)
        h[p] = (cs_cand){.idx = p, .tier = 0, .key = (double)o->dir * score[a[p].idx]};
    cs_cand_sort(h, len);
    int64_t ndrop = cs_robust_floor(o->drop * (double)len);
    if (ndrop > len)
        ndrop = len;
    int64_t nkeep = len - ndrop, got = 0;
    if (quota >= nkeep) {
        for (int64_t j = ndrop; j < len; j++)
            out[got++] = a[h[j].idx].idx;
        for (int64_t j = ndrop - 1; got < quota; j--)
            out[got++] = a[h[j].idx].idx;
        goto out;
    }
    /* The range of the finite scores: an infinite one (forgetting's "never
     * correct") falls into the end stratum on its side. */
    double lo = INFINITY, hi = -INFINITY;
    for (int64_t j = ndrop; j < len; j++) {
        double v = score[a[h[j].idx].idx];
        if (!isfinite(v))
            continue;
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    double width = (hi - lo) / (double)k;
    for (int64_t p = 0; p < len; p++)
        st[p] = -1;
    for (int64_t j = ndrop; j < len; j++) {
        int64_t p = h[j].idx;
        int b = 0;
        if (width > 0.0) {
            double f = floor((score[a[p].idx] - lo) / width);
            b = f >= (double)(k - 1) ? k - 1 : f < 0.0 ? 0 : (int)f;
        }
        st[p] = b;
        off[b + 1]++;
    }
    for (int b = 0; b < k; b++) {
        s[b] = (stratum){.size = off[b + 1], .take = 0, .id = b};
        off[b + 1] += off[b];
    }
    /* Fill buckets in position order, so a bucket's members stay ascending. */
    for (int64_t p = 0; p < len; p++) {
        if (st[p] < 0)
            continue;
        bucket[off[st[p]]++] = (cs_cand){.idx = p, .tier = a[p].tier, .key = -u[p]};
    }
    for (int b = k; b > 0; b--)
        off[b] = off[b - 1];
    off[0] = 0;
    allocate(s, k, quota);
    for (int i = 0; i < k; i++) {
        cs_cand *seg = bucket + off[s[i].id];
        cs_cand_topn(seg, s[i].size, s[i].take);
        for (int64_t j = 0; j < s[i].take; j++)
            out[got++] = a[seg[j].idx].idx;
    }
out:
    free(h);
    free(bucket);
    free(st);
    free(s);
    free(off);
    return rc;
}

static int ccs_check(const cs_select_params *p, const cs_select_inputs *in)
{
    int rc = cs_select_need_score(in, cs_rule_ccs.name);
    return rc ? rc : check_opts(p->ccs_drop, p->ccs_strata);
}

static int ccs_rule_pick(const cs_select_params *p, const cs_select_inputs *in, cs_cand *a, int64_t len,
                         const double *u, int64_t quota, int64_t *out)
{
    cs_ccs_opts o = {.drop = p->ccs_drop, .strata = p->ccs_strata, .dir = in->dir};
    return cs_ccs_pick(a, len, u, in->score, &o, quota, out);
}

static void ccs_describe(const cs_select_params *p, char *buf, size_t len)
{
    char d[32];
    snprintf(buf, len, "%s drop=%s strata=%d", cs_rule_ccs.name, cs_double_text(p->ccs_drop, d, sizeof d),
             p->ccs_strata);
}

/* AUM by default, as the CCS authors stratify (METHODS.md section 4). */
const cs_select_rule cs_rule_ccs = {
    .name = "ccs",
    .draws = 1,
    .default_score = "aum",
    .check = ccs_check,
    .pick = ccs_rule_pick,
    .describe = ccs_describe,
};
