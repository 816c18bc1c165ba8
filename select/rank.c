/* rank.c - top-n by (tier, key, index) with a bounded heap, the keys for
 * the orders hard, easy and band, and the rule `top` (rule.h) built on them:
 * the n_c best of a group in the chosen order.
 *
 * Band LO:HI: within a group of n samples, sample i's quantile is
 * q_i = r_i / (n - 1), r_i its 0-based rank by ascending raw score (ties by
 * index; q = 0 when n = 1).  Samples are preferred by |q_i - (LO+HI)/2|,
 * smallest first.  Every sample inside the band is nearer the centre than
 * any sample outside it, so this takes the band first (its middle first when
 * the band holds more than n_c) and, when the band holds fewer than n_c,
 * fills from the samples nearest the band's edges, alternating sides by
 * distance.  The distance is computed as |2 r_i - (LO+HI)(n-1)|, exact for
 * bands such as 0.25:0.75, so equal distances fall to the lower index. */
#include "rank.h"

#include "../common/err.h"
#include "rule.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int cs_cand_cmp(const cs_cand *a, const cs_cand *b)
{
    if (a->tier != b->tier)
        return a->tier < b->tier ? -1 : 1;
    if (a->key != b->key)
        return a->key > b->key ? -1 : 1;
    return (a->idx > b->idx) - (a->idx < b->idx);
}

static int cand_qcmp(const void *a, const void *b) { return cs_cand_cmp(a, b); }

void cs_cand_sort(cs_cand *a, int64_t len)
{
    if (len > 1)
        qsort(a, (size_t)len, sizeof *a, cand_qcmp);
}

static void swap(cs_cand *a, int64_t i, int64_t j)
{
    cs_cand t = a[i];
    a[i] = a[j];
    a[j] = t;
}

/* Heap with the worst kept candidate at the root. */
static void sift_down(cs_cand *h, int64_t n, int64_t i)
{
    for (;;) {
        int64_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < n && cs_cand_cmp(&h[l], &h[w]) > 0)
            w = l;
        if (r < n && cs_cand_cmp(&h[r], &h[w]) > 0)
            w = r;
        if (w == i)
            return;
        swap(h, i, w);
        i = w;
    }
}

void cs_cand_topn(cs_cand *a, int64_t len, int64_t n)
{
    if (n <= 0 || n >= len)
        return;
    for (int64_t i = n / 2 - 1; i >= 0; i--)
        sift_down(a, n, i);
    for (int64_t j = n; j < len; j++)
        if (cs_cand_cmp(&a[j], &a[0]) < 0) {
            swap(a, 0, j);
            sift_down(a, n, 0);
        }
}

void cs_cand_take(cs_cand *a, int64_t len, int64_t n, int64_t *out)
{
    cs_cand_topn(a, len, n);
    for (int64_t j = 0; j < n; j++)
        out[j] = a[j].idx;
}

typedef struct by_score {
    double s;
    int64_t pos; /* position in the group (members come in ascending index) */
} by_score;

static int by_score_cmp(const void *a, const void *b)
{
    const by_score *x = a, *y = b;
    if (x->s != y->s)
        return x->s < y->s ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

int cs_rank_keys(cs_cand *a, int64_t len, const double *score, cs_score_dir dir, cs_order order,
                 double lo, double hi)
{
    if (order == CS_ORDER_HARD || order == CS_ORDER_EASY) {
        double sign = (double)dir * (order == CS_ORDER_HARD ? 1.0 : -1.0);
        for (int64_t i = 0; i < len; i++)
            a[i].key = sign * score[a[i].idx];
        return 0;
    }
    if (order != CS_ORDER_BAND)
        return cs_error(CS_EINVAL, "unknown order %d", (int)order);
    by_score *b = cs_malloc(sizeof *b * (size_t)(len > 0 ? len : 1));
    if (!b)
        return CS_ENOMEM;
    for (int64_t i = 0; i < len; i++) {
        b[i].s = score[a[i].idx];
        b[i].pos = i;
    }
    qsort(b, (size_t)len, sizeof *b, by_score_cmp);
    double centre2 = (lo + hi) * (double)(len > 1 ? len - 1 : 0);
    for (int64_t r = 0; r < len; r++)
        a[b[r].pos].key = -fabs(2.0 * (double)r - centre2);
    free(b);
    return 0;
}

static int top_check(const cs_select_params *p, const cs_select_inputs *in)
{
    (void)p;
    return cs_select_need_score(in, cs_rule_top.name);
}

static int top_pick(const cs_select_params *p, const cs_select_inputs *in, cs_cand *a, int64_t len,
                    const double *u, int64_t quota, int64_t *out)
{
    (void)u;
    int rc = cs_rank_keys(a, len, in->score, in->dir, p->order, p->band_lo, p->band_hi);
    if (!rc)
        cs_cand_take(a, len, quota, out);
    return rc;
}

/* The order is a header line of its own: nothing to add here. */
static void top_describe(const cs_select_params *p, char *buf, size_t len)
{
    (void)p;
    snprintf(buf, len, "%s", cs_rule_top.name);
}

const cs_select_rule cs_rule_top = {
    .name = "top",
    .takes_order = 1,
    .check = top_check,
    .pick = top_pick,
    .describe = top_describe,
};
