/* select.c - the selection driver: budget, groups and quotas, the pick in
 * each group by the chosen rule (rule.h), the reliability tiers, and the
 * report.
 *
 * Groups: with a quota mode each class is a group and gets n_c; with quota
 * `none` the whole set is one group (band quantiles and CCS strata are then
 * global).  Random draws come from cs_rng_seed2(seed, c) for class c and
 * cs_rng_seed2(seed, CS_SELECT_GLOBAL_STREAM) for the whole set, one uniform
 * per member in ascending index order. */
#include "select.h"

#include "../common/err.h"
#include "exclude.h"
#include "filter.h"
#include "quota.h"
#include "rank.h"
#include "rule.h"
#include "sample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void cs_select_params_init(cs_select_params *p)
{
    memset(p, 0, sizeof *p);
    p->rate = 0.1;
    p->quota = CS_QUOTA_NONE;
    p->rcap_mass = CS_RCAP_LOSS;
    p->order = CS_ORDER_HARD;
    p->band_lo = 0.25;
    p->band_hi = 0.75;
    p->pick = CS_PICK_TOP;
    p->beta = 1.0;
    p->tau = 0.7;
    p->phi = 0.7;
    p->ccs_drop = 0.1;
    p->ccs_strata = 50;
    p->knn = 5;
    p->d2_gamma_f = 1.0;
    p->d2_gamma_r = 0.1;
    p->d2_strata = 25;
    p->dual_c = 4.0;
}

void cs_select_report_init(cs_select_report *r) { memset(r, 0, sizeof *r); }

void cs_select_report_release(cs_select_report *r)
{
    free(r->rows);
    memset(r, 0, sizeof *r);
}

/* Everything cs_select_run needs is present and in range: the common part
 * here, what a rule or a quota mode needs in its own check. */
static int check_args(const cs_select_params *p, const cs_select_inputs *in)
{
    if (in->n <= 0)
        return cs_error(CS_EINVAL, "cannot select from an empty set (N = %lld)", (long long)in->n);
    const cs_quota_info *q = cs_quota_info_at(p->quota);
    if (!q)
        return cs_error(CS_EINVAL, "unknown quota mode %d", (int)p->quota);
    const cs_select_rule *r = cs_select_rule_at(p->pick);
    if (!r)
        return cs_error(CS_EINVAL, "unknown pick %d", (int)p->pick);
    if (p->order < CS_ORDER_HARD || p->order > CS_ORDER_BAND)
        return cs_error(CS_EINVAL, "unknown order %d", (int)p->order);
    if (in->dir != CS_DIR_LOW && in->dir != CS_DIR_HIGH)
        return cs_error(CS_EINVAL, "score direction %d: must be low or high", (int)in->dir);
    if (p->order == CS_ORDER_BAND) {
        if (!(p->band_lo >= 0.0 && p->band_hi <= 1.0))
            return cs_error(CS_EINVAL, "band %g:%g: bounds must lie in [0, 1]", p->band_lo,
                            p->band_hi);
        if (!(p->band_lo <= p->band_hi))
            return cs_error(CS_EINVAL, "band %g:%g: LO is above HI", p->band_lo, p->band_hi);
    }
    if (p->order != CS_ORDER_HARD && !r->takes_order)
        return cs_error(CS_EINVAL, "order '%s' applies to top-n only, not to '%s'",
                        p->order == CS_ORDER_EASY ? "easy" : "band", r->name);
    if ((q->per_class || in->labels) && in->num_classes < 1)
        return cs_error(CS_EINVAL, "%d classes: need at least one", in->num_classes);
    if (p->min_per_class < 0)
        return cs_error(CS_EINVAL, "min per class %lld: must be >= 0", (long long)p->min_per_class);
    if (p->min_per_class && !q->per_class)
        return cs_error(CS_EINVAL, "a minimum per class needs per-class quotas, not quota '%s'", q->name);
    if (q->per_class && !in->labels)
        return cs_error(CS_EINVAL, "quota '%s' needs the labels", q->name);
    if (in->labels)
        for (int64_t i = 0; i < in->n; i++)
            if (in->labels[i] < 0 || in->labels[i] >= in->num_classes)
                return cs_error(CS_EINVAL, "sample %lld: label %d outside [0, %d)", (long long)i,
                                (int)in->labels[i], in->num_classes);
    int rc = r->check(p, in);
    if (!rc && q->check)
        rc = q->check(p, in);
    if (rc)
        return rc;
    if (p->filter && (!in->late_conf || !in->focus))
        return cs_error(CS_EINVAL, "the reliability filter needs late-window confidence and focus");
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int fill_report(const cs_select_inputs *in, const uint8_t *kept, const uint8_t *unrel,
                       int64_t m, cs_select_report *rep)
{
    int rows = in->labels ? in->num_classes : 1;
    rep->rows = cs_calloc((size_t)rows, sizeof *rep->rows);
    double *sk = cs_calloc((size_t)rows * 2, sizeof *sk);
    if (!rep->rows || !sk) {
        free(sk);
        return CS_ENOMEM;
    }
    rep->num_rows = rows;
    rep->n = in->n;
    rep->m = m;
    for (int64_t i = 0; i < in->n; i++) {
        int c = in->labels ? in->labels[i] : 0;
        cs_select_row *r = &rep->rows[c];
        r->n_total++;
        r->n_kept += kept[i];
        r->n_unreliable += unrel ? unrel[i] : 0;
        if (in->score)
            sk[2 * c + !kept[i]] += in->score[i];
    }
    for (int c = 0; c < rows; c++) {
        cs_select_row *r = &rep->rows[c];
        int64_t dropped = r->n_total - r->n_kept;
        r->mean_kept = in->score && r->n_kept ? sk[2 * c] / (double)r->n_kept : NAN;
        r->mean_dropped = in->score && dropped ? sk[2 * c + 1] / (double)dropped : NAN;
    }
    free(sk);
    return 0;
}

/* Choose quota members of one group a[0..len) into out by the rule. */
static int pick_group(const cs_select_rule *r, const cs_select_params *p, const cs_select_inputs *in,
                      cs_cand *a, int64_t len, uint64_t stream, int64_t quota, int64_t *out)
{
    if (quota == 0)
        return 0;
    double *u = NULL;
    if (r->draws) {
        u = cs_malloc(sizeof *u * (size_t)len);
        if (!u)
            return CS_ENOMEM;
        cs_group_uniforms(p->seed, stream, len, u);
    }
    int rc = r->pick(p, in, a, len, u, quota, out);
    free(u);
    return rc;
}

int cs_select_run(const cs_select_params *p, const cs_select_inputs *in, int64_t **idx,
                  int64_t *m, cs_select_report *rep)
{
    *idx = NULL;
    *m = 0;
    if (in->exclude)
        return cs_select_run_excluding(p, in, idx, m, rep);
    int rc = check_args(p, in);
    if (rc)
        return rc;
    int64_t budget;
    rc = cs_select_budget(p->rate, p->count, in->n, &budget);
    if (rc)
        return rc;
    const cs_quota_info *mode = cs_quota_info_at(p->quota);
    const cs_select_rule *rule = cs_select_rule_at(p->pick);
    int groups = mode->per_class ? in->num_classes : 1;
    int64_t n = in->n;
    uint8_t *unrel = NULL, *kept = NULL;
    int64_t *size = cs_calloc((size_t)groups + 1, sizeof *size);
    int64_t *quota = cs_calloc((size_t)groups, sizeof *quota);
    double *lc = NULL;
    cs_cand *mem = cs_malloc(sizeof *mem * (size_t)n);
    int64_t *out = cs_malloc(sizeof *out * (size_t)budget);
    if (!size || !quota || !mem || !out) {
        rc = CS_ENOMEM;
        goto out;
    }
    if (p->filter) {
        unrel = cs_malloc((size_t)n);
        if (!unrel) {
            rc = CS_ENOMEM;
            goto out;
        }
        rc = cs_reliability_flags(in->late_conf, in->focus, n, p->tau, p->phi, unrel, NULL);
        if (rc)
            goto out;
    }
    /* Counting sort into groups keeps each group's members in ascending index. */
    for (int64_t i = 0; i < n; i++)
        size[(groups > 1 ? in->labels[i] : 0) + 1]++;
    for (int g = 0; g < groups; g++)
        size[g + 1] += size[g];
    for (int64_t i = 0; i < n; i++) {
        int g = groups > 1 ? in->labels[i] : 0;
        mem[size[g]++] = (cs_cand){.idx = i, .tier = unrel ? unrel[i] : 0, .key = 0.0};
    }
    for (int g = groups; g > 0; g--)
        size[g] = size[g - 1];
    size[0] = 0; /* size[g]..size[g+1] is group g */
    if (!mode->per_class) {
        quota[0] = budget;
    } else {
        int64_t *cap = cs_malloc(sizeof *cap * (size_t)groups);
        lc = cs_malloc(sizeof *lc * (size_t)groups);
        if (!cap || !lc) {
            free(cap);
            rc = CS_ENOMEM;
            goto out;
        }
        for (int g = 0; g < groups; g++)
            cap[g] = size[g + 1] - size[g];
        if (mode->class_loss && p->rcap_mass == CS_RCAP_GIVEN)
            memcpy(lc, in->class_mass, sizeof *lc * (size_t)groups);
        else if (mode->class_loss)
            rc = cs_rcap_class_loss(in->loss, in->labels, n, groups, lc);
        if (!rc && p->min_per_class)
            rc = cs_quota_compute_floor(p->quota, cap, lc, groups, budget, p->min_per_class, quota);
        else if (!rc)
            rc = cs_quota_compute(p->quota, cap, lc, groups, budget, quota, NULL);
        free(cap);
        if (rc)
            goto out;
    }
    int64_t got = 0;
    for (int g = 0; g < groups; g++) {
        uint64_t stream = mode->per_class ? (uint64_t)g : CS_SELECT_GLOBAL_STREAM;
        rc = pick_group(rule, p, in, mem + size[g], size[g + 1] - size[g], stream, quota[g], out + got);
        if (rc)
            goto out;
        got += quota[g];
    }
    qsort(out, (size_t)got, sizeof *out, cmp_i64);
    for (int64_t j = 1; j < got; j++)
        if (out[j] == out[j - 1]) {
            rc = cs_error(CS_EINTERNAL, "selection holds index %lld twice", (long long)out[j]);
            goto out;
        }
    if (got != budget) {
        rc = cs_error(CS_EINTERNAL, "selected %lld of %lld", (long long)got, (long long)budget);
        goto out;
    }
    if (rep) {
        kept = cs_calloc((size_t)n, 1);
        if (!kept) {
            rc = CS_ENOMEM;
            goto out;
        }
        for (int64_t j = 0; j < got; j++)
            kept[out[j]] = 1;
        rc = fill_report(in, kept, unrel, got, rep);
        if (rc)
            goto out;
    }
    *idx = out;
    *m = got;
    out = NULL;
out:
    free(unrel);
    free(kept);
    free(size);
    free(quota);
    free(lc);
    free(mem);
    free(out);
    return rc;
}
